"""The report's lift-test section: each channel's ROI before and after calibration, and each test's consistency.

**Before** is, in order of preference:

1. ``linked_fit`` — the latest succeeded fit of the nearest spec in this spec's ledger chain that uses no lift test,
   on the same data (its changes from this spec are listed: if more than the tests changed, the difference is not
   the tests' alone);
2. ``quick_without_tests`` — otherwise a quick fit (MAP + Laplace, approximate) of this very spec with the tests
   predicted but not in the likelihood, computed for the report: the data-alone figure the consistency check also
   uses. Never the prior alone: the question is what the test added to the data, not to the prior.

**After** is this fit's ROI. Each test carries the health review's consistency row (measured lift, the calibrated
and the data-alone predictions with z) and its verdict (``consistent`` / ``flagged``, the rule of
``fit.experiment_check.conflicts``; ``not checked`` for a fit reviewed before the check existed; a test used as
the channel's ROI prior says so — it is the prior, so there is nothing independent to check it against).
"""

from __future__ import annotations

from typing import Any

from mmm_core import ledger
from mmm_core.answers import results
from mmm_core.effects.intervals import summarize
from mmm_core.fit.experiment_check import conflicts, data_alone_roi
from mmm_core.spec.canonical import diff_specs, format_diff
from mmm_core.store import Store


def experiments_block(
    store: Store, fit_id: str, locked: ledger.LockedSpec, roi: dict[str, Any], level: float, method: str
) -> dict[str, Any] | None:
    """The section's data, or None for a fit calibrated on no test (the section is then left out)."""
    tests = locked.spec.experiments
    if not tests:
        return None
    before_roi, source = _before(store, fit_id, locked, level, method)
    channels = {}
    for ch, c in roi["channels"].items():
        after, before = c["roi"], before_roi.get(ch)
        narrowing = None
        if before and before["hi"] is not None and before["lo"] is not None and before["hi"] > before["lo"]:
            narrowing = 1.0 - (after["hi"] - after["lo"]) / (before["hi"] - before["lo"])
        used = [e.experiment_id for e in tests if e.channel == ch]
        channels[ch] = {"before": before, "after": after, "narrowing": narrowing, "tests": used}
    return {"before_source": source, "channels": channels, "tests": _tests(store, fit_id, tests)}


def _before(
    store: Store, fit_id: str, locked: ledger.LockedSpec, level: float, method: str
) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    linked = _linked_fit(store, locked)
    if linked is not None:
        parent, other_fit = linked
        eff = results.effect_draws(store, other_fit)
        table = {ch: summarize(eff.roi[:, i], level, method) for i, ch in enumerate(eff.channels)}
        changes = format_diff(diff_specs(parent.spec, locked.spec))
        return table, {
            "kind": "linked_fit",
            "fit_id": other_fit,
            "spec_id": parent.spec_id,
            "spec_version": parent.version,
            "other_changes": [c for c in changes if not c.startswith("experiments")],  # besides the tests
        }
    post = results.load_posterior(store, fit_id)
    draws = data_alone_roi(post.data, post.config)
    table = {ch: summarize(draws[:, i], level, method) for i, ch in enumerate(post.data.channels)}
    return table, {"kind": "quick_without_tests", "fit_id": None, "n_draws": int(draws.shape[0])}


def _linked_fit(store: Store, locked: ledger.LockedSpec) -> tuple[ledger.LockedSpec, str] | None:
    """The nearest ancestor spec without lift tests on the same data, with its latest succeeded fit."""
    for parent in reversed(ledger.chain(store, locked.spec_id)[:-1]):
        if parent.spec.experiments or parent.data_fingerprint != locked.data_fingerprint:
            continue
        with store.connect() as conn:
            row = conn.execute(
                "SELECT id FROM fits WHERE spec_id = ? AND status = 'succeeded' AND engine != 'pymc-marketing' "
                "ORDER BY finished_at DESC LIMIT 1",
                [parent.spec_id],
            ).fetchone()
        if row:
            return parent, row[0]
    return None


def _tests(store: Store, fit_id: str, tests: list[Any]) -> list[dict[str, Any]]:
    checks = {c["name"]: c for c in results.health(store, fit_id)["checks"]}
    rows = {
        r["experiment"]: r
        for r in (checks.get("experiment_consistency") or {}).get("details", {}).get("experiments", [])
    }
    out = []
    for e in tests:
        row = rows.get(e.experiment_id)
        verdict = "not checked" if row is None else ("flagged" if conflicts(row) else "consistent")
        if e.use == "roi_prior":  # the test is the prior: nothing independent to check it against
            verdict = "used as the ROI prior (not checked)"
        out.append(
            {
                **e.model_dump(mode="json"),
                "verdict": verdict,
                "calibrated": row["calibrated"] if row else None,
                "data_alone": row["data_alone"] if row else None,
            }
        )
    return out


__all__ = ["experiments_block"]
