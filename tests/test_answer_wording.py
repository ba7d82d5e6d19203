"""Answer templates read as sentences whatever the values: found walking the CLI as a new user ("Fit … is
succeeded", "of the modelled the KPI")."""

from __future__ import annotations

import pytest

from agent.models import answers


@pytest.mark.parametrize(
    ("status", "said"),
    [("succeeded", "has finished successfully."), ("failed", "has failed."), ("running", "is running — 50% done.")],
)
def test_fit_status_reads_as_a_sentence(status: str, said: str) -> None:
    text = answers.render(
        "answers/fit_status.j2", r={"fit_id": "fit_x", "mode": "nuts", "status": status, "progress": 0.5}
    )
    assert text.startswith(f"Fit fit_x (nuts) {said}"), text


@pytest.mark.parametrize(("kpi", "said"), [("the KPI", "of the KPI as modelled"), ("Sales", "of Sales as modelled")])
def test_media_share_names_the_kpi_once(kpi: str, said: str) -> None:
    brief = {"mean": 0.2, "lo": 0.1, "hi": 0.3}
    r = {
        "media_share": brief,
        "baseline_share": brief,
        "media_total": {"mean": 1.0e6},
        "kpi_total": {"mean": 5.0e6},
        "interval": {"level": 0.9, "method": "equal_tailed"},
        "label": "NUTS",
        "provenance": {},
    }
    text = answers.render("answers/media_share.j2", r=r, kpi_word=kpi)
    assert said in text and "modelled the" not in text, text
