"""Identifiability stored with a real fit and said by `roi` (JSON + text), `health` and the ranking."""

from __future__ import annotations

import json

import numpy as np

from agent.cli.main import main
from mmm_core.answers.results import effect_draws, health, roi
from mmm_core.effects.tables import best_worst
from mmm_core.fit.job import fit_summary

LABELS = {"identified", "prior-dominated"}


def _valid_label(text: str) -> bool:
    return text in LABELS or text.startswith("weakly identified: ")


def test_fit_stores_a_label_per_channel(demo_fit):
    stored = fit_summary(demo_fit["store"], demo_fit["fit_id"])["health"]["identifiability"]
    eff = effect_draws(demo_fit["store"], demo_fit["fit_id"])
    assert list(stored) == list(eff.channels)
    for entry in stored.values():
        assert _valid_label(entry["label"]) and entry["status"] in ("identified", "weak", "prior")
        assert (entry["fix"] is None) == (entry["status"] == "identified")
        assert entry["prior"]["median"] > 0 and entry["prior"]["log_sd"] > 0
        assert 0.0 <= entry["data"]["active_share"] <= 1.0 and entry["data"]["cv"] >= 0


def test_roi_shows_label_and_prior_on_request(demo_fit):
    store, fit_id = demo_fit["store"], demo_fit["fit_id"]
    plain = roi(store, fit_id, allow_unhealthy=True)
    assert all(_valid_label(c["identifiability"]["label"]) for c in plain["channels"].values())
    assert all("prior" not in c for c in plain["channels"].values())
    shown = roi(store, fit_id, allow_unhealthy=True, show_prior=True, interval=0.8)
    for c in shown["channels"].values():
        p = c["prior"]
        assert p["lo"] < p["median"] < p["hi"]
    wider = roi(store, fit_id, allow_unhealthy=True, show_prior=True, interval=0.95)
    ch = next(iter(shown["channels"]))
    assert wider["channels"][ch]["prior"]["hi"] > shown["channels"][ch]["prior"]["hi"]
    assert set(health(store, fit_id)["identifiability"]) == set(plain["channels"])


def test_cli_roi_text_and_json(demo_fit, capsys):
    store = str(demo_fit["store"].path)
    assert main(["--store", store, "roi", demo_fit["fit_id"], "--show-prior", "--allow-unhealthy"]) == 0
    text = capsys.readouterr().out
    assert "identifiability" in text and "prior ROI (median)" in text
    assert main(["--store", store, "roi", demo_fit["fit_id"], "--allow-unhealthy", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    body = out.get("result", out)
    assert all(_valid_label(c["identifiability"]["label"]) for c in body["channels"].values())


def test_best_worst_qualifies_a_channel_that_is_not_identified(demo_fit):
    eff = effect_draws(demo_fit["store"], demo_fit["fit_id"])
    names = list(eff.channels)
    best = names[int(np.argmax(np.median(eff.roi, axis=0)))]
    labels = {n: {"label": "identified", "status": "identified"} for n in names}
    assert best_worst(eff, labels=labels)["best"]["caveat"] is None
    labels[best] = {"label": "prior-dominated", "status": "prior"}
    out = best_worst(eff, labels=labels)["best"]
    assert out["channel"] == best and "prior-dominated" in out["caveat"]
    assert "caveat" not in best_worst(eff)["best"]  # without labels the shape is unchanged
