"""The base of a budget given as a share of today's ("+10% budget"): the data's latest periods, counted in the
data's own frequency (the optimiser's horizon counts periods, not weeks)."""

from __future__ import annotations

from agent.models.budget_base import base_window


def test_weekly_data_counts_weeks() -> None:
    w = base_window("2023-12-25", 13, "W")
    assert w == {"start": "2023-10-02", "end": "2023-12-25", "label": "the last 13 weeks"}


def test_monthly_and_quarterly_data_count_months() -> None:
    # 13 monthly periods up to Dec 2023 are Dec 2022 .. Dec 2023, dated at month starts or month ends
    assert base_window("2023-12-01", 13, "M")["start"] == "2022-12-01"
    assert base_window("2023-12-31", 13, "M")["start"] == "2022-12-01"
    quarterly = base_window("2023-10-01", 4, "Q")
    assert quarterly == {"start": "2023-01-01", "end": "2023-10-01", "label": "the last 4 quarters"}


def test_daily_data_and_an_unknown_frequency() -> None:
    assert base_window("2023-12-31", 7, "D")["start"] == "2023-12-25"
    assert base_window("2023-12-25", 13, None)["label"] == "the last 13 weeks"  # the weekly default, as before
