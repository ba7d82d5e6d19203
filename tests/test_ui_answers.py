"""How answers look in the chat UI: lists end where the answer ends them, and an allocation chart's "current"
bars are the current allocation the answer's text compares with."""

from __future__ import annotations

from agent.ui import charts, turn


def test_a_paragraph_after_a_list_is_not_part_of_its_last_bullet() -> None:
    text = "ROI by channel:\n- TV: 1.20\n- Radio: 0.80\nNot pinned down by the data: Radio.\n\nNote: approximate."
    out = turn.end_lists(text)
    assert (
        out == "ROI by channel:\n- TV: 1.20\n- Radio: 0.80\n\nNot pinned down by the data: Radio.\n\nNote: approximate."
    )
    assert turn.end_lists("- a\n- b\n  continued\n1. c") == "- a\n- b\n  continued\n1. c"  # lists stay lists
    assert turn.end_lists("no list\nat all") == "no list\nat all"


def test_next_million_chart_current_is_todays_spend_as_in_the_text() -> None:
    # An incremental plan ("where should the next $1M go"): the text says "+increment (total allocation)" on top
    # of today's spend, so "current" is today's spend, not the current mix rescaled to the $1M.
    data = {
        "allocation": {"TV": 700.0, "Search": 500.0},
        "current_allocation": {"TV": 600.0, "Search": 400.0},  # the current mix at the plan's budget
        "incremental": {
            "added": 200.0,
            "current": {"TV": 650.0, "Search": 350.0},
            "increments": {"TV": 50.0, "Search": 150.0},
        },
    }
    [(_, fig)] = charts.figures_for("optimize_budget", data)
    current, proposed = fig.data
    assert current.name == "current" and list(current.y) == [650.0, 350.0]
    assert list(proposed.y) == [700.0, 500.0]
    plain = {k: v for k, v in data.items() if k != "incremental"}
    [(_, fig)] = charts.figures_for("optimize_budget", plain)
    assert list(fig.data[0].y) == [600.0, 400.0]  # the text's "now" figures for a plan of the same budget
