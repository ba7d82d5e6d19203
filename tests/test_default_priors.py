"""The default ROI prior rule (issue 16 item 3): a stated mean media share, optionally split by spend^e."""

from __future__ import annotations

import math

import pytest

from mmm_core.spec import draft

VARS = [{"total": 4e4}, {"total": 6e4}, {"total": 0.0}]


def _mean_share(medians, kpi=1e6):
    return sum(m * math.exp(draft.DEFAULT_ROI_SIGMA**2 / 2) * v["total"] for m, v in zip(medians, VARS)) / kpi


def test_default_states_the_mean_media_share_and_one_roi():
    medians = draft._roi_medians(1e6, VARS)
    assert medians[0] == medians[1] == medians[2]  # a channel without spend gets the common ROI too
    assert _mean_share(medians) == pytest.approx(draft.MEDIA_SHARE_OF_KPI, rel=0.01)


def test_square_root_split_favours_the_smaller_channel(monkeypatch):
    monkeypatch.setattr(draft, "SPLIT_ELASTICITY", 0.5)
    medians = draft._roi_medians(1e6, VARS)
    assert medians[0] > medians[1]  # 40k spend gets a higher ROI prior than 60k
    assert medians[0] / medians[1] == pytest.approx(math.sqrt(6e4 / 4e4), rel=0.01)
    assert _mean_share(medians) == pytest.approx(draft.MEDIA_SHARE_OF_KPI, rel=0.01)


def test_no_totals_gives_median_one():
    assert draft._roi_medians(None, VARS) == [1.0, 1.0, 1.0]
