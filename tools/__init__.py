"""LangChain tools over ``mmm_core``: validate arguments, call the core, return compact JSON with provenance.

``build_tools(store)`` returns every tool bound to one store (the store travels by closure, never as a global).
"""

from __future__ import annotations

from langchain_core.tools import BaseTool

from mmm_core.store import Store
from tools import (
    control_tools,
    data_tools,
    experiment_tools,
    fit_tools,
    long_term_tools,
    outcome_tools,
    result_tools,
    spec_tools,
)


def build_tools(store: Store) -> list[BaseTool]:
    """All tools bound to ``store``."""
    return (
        data_tools.build(store)
        + spec_tools.build(store)
        + fit_tools.build(store)
        + result_tools.build(store)
        + experiment_tools.build(store)
        + long_term_tools.build(store)
        + control_tools.build(store)
        + outcome_tools.build(store)
    )


APPROVAL_TOOLS = ("lock_spec", "amend_spec", "fit_model")
