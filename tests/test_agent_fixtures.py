"""Shared fixtures for the agent tests: a store with the bundled demo data, a locked spec and a fit.

The fit is a real quick fit when ``mmm_core.fitting.run_fit`` works; while the engine is still being written the
result functions are replaced by contract-shaped stubs (numbers are arbitrary but come from the "tools", which
is all the grounding and routing tests need). ``FITTED.real`` says which one ran.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parents[1] / "data" / "demo_national.csv"


@dataclass
class Fitted:
    store: Any
    dataset_id: str
    spec_id: str
    fit_id: str
    real: bool


def make_store(tmp: Path):
    from mmm_core.mff import ingest
    from mmm_core.store import Store

    store = Store(tmp / "mmm.duckdb")
    loaded = ingest(store, DATA, name="demo_national")
    return store, loaded.dataset_id


def fitted_store(tmp: Path) -> tuple[Fitted, dict[str, Any]]:
    """(Fitted, stubs) — stubs is empty when a real quick fit succeeded."""
    from mmm_core import ledger
    from mmm_core.spec import init_spec

    store, ds = make_store(tmp)
    locked = ledger.lock(store, init_spec(store, ds), "Agent tests: default spec, locked before fitting.")
    try:
        from mmm_core.fitting import run_fit

        fit = run_fit(store, locked.spec_id, quick=True)
        if fit["status"] == "succeeded":
            return Fitted(store, ds, locked.spec_id, fit["fit_id"], True), {}
    except Exception:  # the engine is not ready: fall back to stubs below
        pass
    return Fitted(store, ds, locked.spec_id, "fit_stub0001", False), _stubs(store, locked.spec_id)


def _stat(mean: float, spread: float) -> dict[str, float]:
    return {"mean": mean, "median": mean, "sd": spread / 3, "lo": mean - spread, "hi": mean + spread}


def _stubs(store: Any, spec_id: str) -> dict[str, Any]:
    from mmm_core import ledger

    prov = ledger.provenance(store, spec_id)
    spend = {"Email": 62400.0, "Local": 156000.0, "Search": 416000.0, "Social": 260000.0}
    rois = {"Email": 3.1234, "Local": 0.8123, "Search": 2.4567, "Social": 1.3456}
    frame = {"fit_id": "fit_stub0001", "approximate": True, "label": "approximate (MAP + Laplace), uncertainty "
             "not calibrated", "provenance": prov}
    channels = {c: {"spend": spend[c], "contribution": _stat(spend[c] * rois[c], spend[c] * 0.4),
                    "roi": _stat(rois[c], 0.41), "mroi": _stat(rois[c] * 0.6, 0.3)} for c in spend}

    def roi(store, fit_id, interval=None, **kw):
        return {**frame, "channels": channels, "interval": {"level": 0.9, "method": "equal_tailed"}}

    def compare(store, fit_id, a, b, **kw):
        return {**frame, "channel_a": a, "channel_b": b, "prob": 0.8731, "roi_a": channels[a]["roi"],
                "roi_b": channels[b]["roi"], "interval": {"level": 0.9, "method": "equal_tailed"}}

    def contributions(store, fit_id, by="channel", **kw):
        rows = [{"channel": c, **channels[c]["contribution"]} for c in channels]
        return {**frame, "by": by, "rows": rows, "interval": {"level": 0.9, "method": "equal_tailed"}}

    def health(store, fit_id):
        return {"fit_id": fit_id, "status": "succeeded", "overall": "pass", "summary": "All checks passed.",
                "checks": [{"name": "convergence", "status": "pass", "value": 1.01, "threshold": 1.05,
                            "reason": ""}], "gate": None,
                "diagnostics": {"r2": 0.9312, "mape": 0.0412, "max_rhat": None, "min_ess_bulk": None,
                                "divergences": None}, "provenance": prov}

    return {"roi": roi, "compare": compare, "contributions": contributions, "health": health,
            "latest_fit": lambda store, dataset=None: "fit_stub0001"}


def apply_stubs(monkeypatch: Any, stubs: dict[str, Any]) -> None:
    import mmm_core.fitting
    import mmm_core.results

    for name, fn in stubs.items():
        target = mmm_core.fitting if name == "latest_fit" else mmm_core.results
        monkeypatch.setattr(target, name, fn)
