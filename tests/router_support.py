"""The router tests' small world (fast, no graph): five channels, three controls, two metrics, weekly 2021–2023."""

from __future__ import annotations

from agent.models.entities import Catalog
from agent.models.router import route

CHANNELS = ["TV", "Radio", "Print", "Search", "Social"]
NAMES = ["Sales", "Holiday", "Price", "Promo", "Awareness"]
CATALOG = Catalog(
    channels=tuple(CHANNELS),
    controls=("Holiday", "Price", "Promo"),
    metrics=("Sales", "Awareness"),
    start="2021-01-04",
    end="2023-12-25",
    frequency="W",
)


def route_in_world(text: str):
    """``route`` over this world's channels, names and catalog."""
    return route(text, CHANNELS, NAMES, catalog=CATALOG)
