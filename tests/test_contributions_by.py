"""`contributions --by period|geo|channel`: per-channel series with intervals, checked against the fit's own draws."""

from __future__ import annotations

import json

import numpy as np
import pytest

from agent.cli.main import main
from mmm_core.answers.results import contributions, effect_draws


def _by(rows: list[dict], key: str) -> dict[tuple[str, str], dict]:
    return {(r[key], r["channel"]): r for r in rows}


def test_by_period_gives_each_channels_series_from_its_draws(demo_fit: dict) -> None:
    store, fit_id = demo_fit["store"], demo_fit["fit_id"]
    eff = effect_draws(store, fit_id)
    out = contributions(store, fit_id, by="period", allow_unhealthy=True)
    level = out["interval"]["level"]
    rows = _by(out["rows"], "period")
    assert len(out["rows"]) == len(eff.periods) * (len(eff.channels) + 2)
    for t in (0, len(eff.periods) // 2, len(eff.periods) - 1):
        period = eff.periods[t]
        for c, channel in enumerate(eff.channels):
            x = np.asarray(eff.contribution_period[:, t, c], np.float64)
            lo, hi = np.quantile(x, [(1 - level) / 2, (1 + level) / 2])
            row = rows[(period, channel)]
            assert row["mean"] == pytest.approx(x.mean(), rel=1e-6, abs=1e-6)
            assert (row["lo"], row["hi"]) == (pytest.approx(lo, abs=1e-6), pytest.approx(hi, abs=1e-6))
        media = np.asarray(eff.contribution_period[:, t, :], np.float64).sum(axis=1)
        assert rows[(period, "all_media")]["mean"] == pytest.approx(media.mean(), rel=1e-6)
        assert rows[(period, "baseline")]["mean"] == pytest.approx(eff.baseline[:, t, :].sum(axis=1).mean(), rel=1e-5)


def test_period_series_add_up_to_the_channel_totals(demo_fit: dict) -> None:
    store, fit_id = demo_fit["store"], demo_fit["fit_id"]
    totals = {r["channel"]: r["mean"] for r in contributions(store, fit_id, allow_unhealthy=True)["rows"]}
    series = contributions(store, fit_id, by="period", allow_unhealthy=True)["rows"]
    for channel, total in totals.items():
        if channel == "baseline":
            continue
        assert sum(r["mean"] for r in series if r["channel"] == channel) == pytest.approx(total, rel=1e-4)


def test_by_geo_gives_each_channel_per_geo(demo_fit: dict) -> None:
    store, fit_id = demo_fit["store"], demo_fit["fit_id"]
    eff = effect_draws(store, fit_id)
    rows = _by(contributions(store, fit_id, by="geo", allow_unhealthy=True)["rows"], "geo")
    assert set(rows) == {(g, c) for g in eff.geos for c in (*eff.channels, "all_media", "baseline")}
    for g, geo in enumerate(eff.geos):
        for c, channel in enumerate(eff.channels):
            x = np.asarray(eff.contribution_geo[:, g, c], np.float64)
            assert rows[(geo, channel)]["mean"] == pytest.approx(x.mean(), rel=1e-6)


def test_cli_contributions_by_period_lists_channels(demo_fit: dict, capsys: pytest.CaptureFixture) -> None:
    store, fit_id = str(demo_fit["store"].path), demo_fit["fit_id"]
    code = main(["--store", store, "contributions", fit_id, "--by", "period", "--allow-unhealthy", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["by"] == "period"
    channels = {r["channel"] for r in out["rows"]}
    assert {"Search", "Social", "Local", "Email", "all_media", "baseline"} == channels
    assert all({"period", "mean", "lo", "hi"} <= set(r) for r in out["rows"])
