"""Answers from a stored fit: ROI, comparisons, contributions, response curves, health — each with the fit id,
the approximate label when it applies, and the provenance of the locked spec it came from.

Decision answers refuse a fit whose health review failed unless the caller overrides explicitly
(``allow_unhealthy=True``): "fitted" is not "fit for decisions".
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mmm_core import ledger
from mmm_core.answers.break_even import with_break_even
from mmm_core.answers.comparison import comparison_block
from mmm_core.answers.fit_access import (  # re-exported: CLI, tools and other answers call them as results.*
    _finish,
    _frame,
    decision_fit,
    effect_draws,
    provenance,
    succeeded_fit,
)
from mmm_core.answers.geo_leaders import geo_leaders_both
from mmm_core.answers.identifiability import add_identifiability, channel_labels
from mmm_core.answers.intervals import intervals_overlap
from mmm_core.answers.outcome_tables import (
    outcome_comparisons,
    outcome_contributions,
    outcomes_block,
    total_label,
)
from mmm_core.answers.posterior import load_posterior  # re-exported: callers import it from here
from mmm_core.answers.shares import with_shares, with_window_shares
from mmm_core.data.queries import panel, resolve_windows, window_mask
from mmm_core.effects.tables import compare as compare_draws
from mmm_core.effects.tables import contribution_rows, roi_table, summarize
from mmm_core.effects.tables import response_curve as curve
from mmm_core.effects.windows import geo_roi_table, window_contribution_rows, window_roi_table, windowed
from mmm_core.errors import MMMError, NotFoundError
from mmm_core.fit.inputs import roi_basis
from mmm_core.ledger.fits import FitRecord, fit_record
from mmm_core.names import Wording, resolve_name
from mmm_core.store import Store

CHANNEL_NOT_FOUND = Wording(
    NotFoundError, "No channel called {name!r} in this model.", "Known channels: {known}.", "channel_not_found"
)


def resolve_channel(name: str, channels: list[str]) -> str:
    """A channel by exact or case-insensitive name; an unknown name gets the list of known ones."""
    return resolve_name(name, channels, CHANNEL_NOT_FOUND)


def roi(
    store: Store,
    fit_id: str,
    interval: float | None = None,
    method: str | None = None,
    allow_unhealthy: bool = False,
    show_prior: bool = False,
    windows: list[dict[str, Any]] | None = None,
    geos: list[str] | None = None,
    margin: float | None = None,
) -> dict[str, Any]:
    """Per channel: spend, contribution, ROI and marginal ROI, each ``{mean, median, sd, lo, hi}``, and the
    channel's ``identifiability`` label (with ``show_prior``, also its ``prior`` ROI at the same interval).
    ``margin`` (profit per unit of KPI): the break-even ROI and each channel's probability of beating it
    (``mmm_core.answers.break_even``; whole data only).

    ``windows`` (``[{start, end, label}]``): ROI and contribution over those periods only, from the same draws
    (``by_window``, one table per window, each with the data's first/last period inside it). ``geos``: per
    geography (``by_geo``). Marginal ROI is left out of those tables (it is defined at the whole data's spend)."""
    fit = decision_fit(store, fit_id, allow_unhealthy)
    frame = _frame(store, fit, interval, method)
    eff = effect_draws(store, fit_id)
    basis = {"roi_basis": roi_basis(store, ledger.get_spec(store, fit.spec_id).spec)}  # exposure / national channels
    if windows or geos:  # several KPIs: the slices are of the weighted total, and say so (kpi_is)
        sliced = _sliced_roi(store, fit, eff, frame, windows, geos) | basis | total_label(store, fit_id, eff)
        return _finish(store, frame, sliced)
    table = roi_table(eff, frame["level"], frame["method"])
    add_identifiability(table["channels"], fit.health, frame["level"] if show_prior else None)
    if margin is not None:
        table = with_break_even(table, eff.roi, list(eff.channels), margin)
    comparison = comparison_block(store, fit, frame["level"], frame["method"])  # a declared comparison, if any
    per_outcome = outcomes_block(store, fit_id, eff, frame["level"], frame["method"])  # several KPIs, if any
    return _finish(store, frame, table | basis | per_outcome | ({"comparison": comparison} if comparison else {}))


def _sliced_roi(store: Store, fit: FitRecord, eff, frame: dict[str, Any], windows, geos) -> dict[str, Any]:
    """ROI tables per window or per geography (the rule for both is in ``mmm_core.effects.windows``)."""
    level, method = frame["level"], frame["method"]
    if windows and geos:
        raise MMMError(
            "ROI for a period *and* a geography at once is not stored for this fit (per-geography effects are "
            "summed over all periods).",
            "Ask for the period (national) or for the geographies (all periods).",
            code="window_geo_unsupported",
        )
    if geos:
        tables = {g: geo_roi_table(eff, g, level, method) for g in geos}
        by_geo = {name: tables[name]["channels"] for name in tables}
        leaders = geo_leaders_both(by_geo)  # "which region is best?": the leader per channel, at both ends
        return {
            "by_geo": by_geo,
            **({"geo_leaders": leaders} if leaders else {}),
            "interval": {"level": level, "method": method},
        }
    wins = resolve_windows(list(eff.periods), windows)
    spend = _period_spend(store, fit, eff)
    by_window = {}
    for w in wins:
        mask = window_mask(list(eff.periods), w.first, w.last)
        by_window[w.label] = window_roi_table(eff, mask, spend[mask].sum(axis=0), level, method)["channels"]
    return {
        "windows": [w.as_dict() for w in wins],
        "by_window": by_window,
        "interval": {"level": level, "method": method},
    }


_SPEND_CACHE: dict[tuple[str, str], np.ndarray] = {}  # (store, fit) → [T, C]: a fit's data never changes


def _period_spend(store: Store, fit: FitRecord, eff) -> np.ndarray:
    """[T, C] each channel's spend per period (summed over geographies), in the fit's channel order (cached per
    process like the effect draws: answering must be fast)."""
    key = (str(store.path), fit.id)
    if key not in _SPEND_CACHE:
        if len(_SPEND_CACHE) >= 8:
            _SPEND_CACHE.pop(next(iter(_SPEND_CACHE)))
        _SPEND_CACHE[key] = _read_period_spend(store, fit, eff)
    return _SPEND_CACHE[key]


def _read_period_spend(store: Store, fit: FitRecord, eff) -> np.ndarray:
    locked = ledger.get_spec(store, fit.spec_id)
    media = {m.name: m.variable for m in locked.spec.media}
    grid = panel(store, locked.dataset_id, [media[c] for c in eff.channels])
    spend = np.nan_to_num(grid.values, nan=0.0).sum(axis=1)
    if spend.shape[0] != len(eff.periods):
        raise MMMError(
            f"The data of fit {fit.id} no longer matches its stored effects.",
            "Re-fit the spec.",
            code="data_changed",
        )
    return spend


def compare(
    store: Store,
    fit_id: str,
    a: str,
    b: str,
    allow_unhealthy: bool = False,
    windows: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """P(ROI of A > ROI of B) over the posterior, with both ROIs; ``windows`` (one): over its periods only."""
    fit = decision_fit(store, fit_id, allow_unhealthy)
    frame = _frame(store, fit, None, None)
    eff = effect_draws(store, fit_id)
    a, b = resolve_channel(a, list(eff.channels)), resolve_channel(b, list(eff.channels))
    if a == b:
        raise MMMError(f"Both channels are {a}.", "Name two different channels.", code="same_channel")
    extra: dict[str, Any] = {}
    if windows:
        if len(windows) > 1:
            raise MMMError(
                "A comparison of two channels takes one period.",
                "Ask for each period separately, or for the ROI table of both periods.",
                code="bad_window",
            )
        (w,) = resolve_windows(list(eff.periods), windows)
        mask = window_mask(list(eff.periods), w.first, w.last)
        eff = windowed(eff, mask, _period_spend(store, fit, eff)[mask].sum(axis=0))
        extra["windows"] = [w.as_dict()]
    body = compare_draws(eff, a, b, level=frame["level"], method=frame["method"])
    if not windows:  # several KPIs: the comparison on each outcome beside the weighted total's
        body |= outcome_comparisons(store, fit_id, eff, a, b, frame["level"], frame["method"])
    return _finish(store, frame, {"channel_a": a, "channel_b": b, **body, **extra})


def contributions(
    store: Store,
    fit_id: str,
    by: str = "channel",
    interval: float | None = None,
    allow_unhealthy: bool = False,
    windows: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Contribution rows with intervals by channel, period or geography. ``windows``: per channel (and
    baseline) over each window's periods, from the same draws; rows carry the window's label."""
    fit = decision_fit(store, fit_id, allow_unhealthy)
    frame = _frame(store, fit, interval, None)
    eff = effect_draws(store, fit_id)
    info = {"interval": {"level": frame["level"], "method": frame["method"]}}
    if windows:
        wins = resolve_windows(list(eff.periods), windows)
        body = _windowed_contributions(eff, wins, by, frame)
        if body["by"] == "channel" and (observed := _observed_kpi(store, fit, eff, wins)):
            body["rows"] = with_window_shares(body["rows"], observed)
        return _finish(store, frame, {**body, **info})
    rows = contribution_rows(eff, by, frame["level"], frame["method"])
    if by == "channel":  # each channel's share of the modelled KPI beside its amount
        rows = with_shares(rows, eff, frame["level"], frame["method"])
    per_outcome = outcome_contributions(store, fit_id, eff, by, frame["level"], frame["method"])  # several KPIs
    return _finish(store, frame, {"by": by, "rows": rows, **per_outcome, **info})


def _observed_kpi(store: Store, fit: FitRecord, eff, wins) -> dict[str, float]:
    """The KPI observed over each window (label → total), for a fit of one outcome; ``{}`` for several (their
    contributions are a weighted total, not in one KPI's units)."""
    spec = ledger.get_spec(store, fit.spec_id).spec
    if spec.outcomes is not None:
        return {}
    kpi = np.nan_to_num(panel(store, spec.dataset_id, [spec.kpi]).values, nan=0.0).sum(axis=(1, 2))
    periods = list(eff.periods)
    if kpi.shape[0] != len(periods):
        return {}
    return {w.label: float(kpi[window_mask(periods, w.first, w.last)].sum()) for w in wins}


def _windowed_contributions(eff, wins, by: str, frame: dict[str, Any]) -> dict[str, Any]:
    """Rows per channel (and baseline) summed over each window, or — ``by='period'`` — the period rows inside
    the windows. Per geography the stored draws are summed over all periods, so a window is refused there."""
    if by == "geo":
        raise MMMError(
            "Contributions by geography over a period are not stored for this fit (per-geography effects are "
            "summed over all periods).",
            "Ask for the period (by channel or over time) or for the geographies (all periods).",
            code="window_geo_unsupported",
        )
    periods = list(eff.periods)
    if by == "period":
        keep = set()
        for w in wins:
            keep |= {p for p, m in zip(periods, window_mask(periods, w.first, w.last), strict=True) if m}
        rows = [r for r in contribution_rows(eff, "period", frame["level"], frame["method"]) if r["period"] in keep]
    else:
        rows = [
            {"window": w.label, **row}
            for w in wins
            for row in window_contribution_rows(
                eff, window_mask(periods, w.first, w.last), frame["level"], frame["method"]
            )
        ]
    return {"by": "period" if by == "period" else "channel", "windows": [w.as_dict() for w in wins], "rows": rows}


def health(store: Store, fit_id: str) -> dict[str, Any]:
    """The gate and health review stored with the fit (available for failed fits too)."""
    fit = fit_record(store, fit_id)
    review = fit.health or {}
    return {
        "fit_id": fit_id,
        "status": fit.status,
        "overall": review.get("overall", fit.status),
        "summary": review.get("summary", (fit.error or {}).get("message", "")),
        "checks": review.get("checks", []),
        "identifiability": channel_labels(review),
        "gate": fit.gate if fit.gate is not None else (fit.error or {}).get("gate"),
        "diagnostics": fit.diagnostics,
        "error": fit.error,
        "provenance": provenance(store, fit.spec_id),
    }


def response_curve(store: Store, fit_id: str, channel: str, allow_unhealthy: bool = False) -> dict[str, Any]:
    """Contribution of a channel as its observed spend pattern is scaled from 0× to 2×."""
    fit = decision_fit(store, fit_id, allow_unhealthy)
    frame = _frame(store, fit, None, None)
    post = load_posterior(store, fit_id, outcomes=True)  # several outcomes: the curve of their weighted sum
    channel = resolve_channel(channel, list(post.channels))
    return _finish(store, frame, curve(post, channel, level=frame["level"], method=frame["method"]))


def compare_engines(store: Store, fit_a: str, fit_b: str) -> dict[str, Any]:
    """Do two fits of the same data (typically the same spec with two engines) agree on ROI?

    Per channel: both ROI estimates, whether their intervals overlap, and P(ROI_a > ROI_b) treating the two
    posteriors as independent. Overall: ``agree`` when every channel's intervals overlap and the channels rank
    in a similar order (Spearman ≥ 0.5 between posterior medians); otherwise the disagreeing channels are named —
    a reason to distrust both until the difference is understood.
    """
    from scipy.stats import spearmanr  # lazy: scipy.stats adds ~1.3 s to every answer; only this one ranks

    rows = {f: succeeded_fit(store, f) for f in (fit_a, fit_b)}
    specs = {f: ledger.get_spec(store, r.spec_id) for f, r in rows.items()}
    if specs[fit_a].data_fingerprint != specs[fit_b].data_fingerprint:
        raise MMMError(
            "The two fits were made on different data; their ROIs are not comparable.",
            "Compare fits of the same dataset (ideally the same locked spec).",
            code="different_data",
        )
    frame = _frame(store, rows[fit_a], None, None)
    eff = {f: effect_draws(store, f) for f in (fit_a, fit_b)}
    shared = [c for c in eff[fit_a].channels if c in eff[fit_b].channels]
    channels, medians_a, medians_b, disagree = {}, [], [], []
    rng = np.random.default_rng(0)
    for ch in shared:
        ra = eff[fit_a].roi[:, eff[fit_a].channel_index(ch)]
        rb = eff[fit_b].roi[:, eff[fit_b].channel_index(ch)]
        ea, eb = summarize(ra, frame["level"], frame["method"]), summarize(rb, frame["level"], frame["method"])
        overlap = intervals_overlap(ea, eb)
        n = min(len(ra), len(rb))
        prob = float(np.mean(rng.permutation(ra)[:n] > rng.permutation(rb)[:n]))
        channels[ch] = {"roi_a": ea, "roi_b": eb, "intervals_overlap": bool(overlap), "prob_a_greater": prob}
        medians_a.append(ea["median"])
        medians_b.append(eb["median"])
        if not overlap:
            disagree.append(ch)
    rank = float(spearmanr(medians_a, medians_b).statistic) if len(shared) > 2 else None
    agree = not disagree and (rank is None or rank >= 0.5)
    engines = {f: rows[f].engine for f in rows}
    return _finish(
        store,
        frame,
        {
            "fit_a": fit_a,
            "fit_b": fit_b,
            "engines": engines,
            "channels": channels,
            "rank_correlation": rank,
            "agree": agree,
            "disagreeing_channels": disagree,
            "interval": {"level": frame["level"], "method": frame["method"]},
            "verdict": (
                "The two fits agree on ROI: every channel's intervals overlap."
                if agree
                else "The two fits disagree on ROI"
                + (f" for {', '.join(disagree)}" if disagree else " on the ranking of channels")
                + "; treat both with caution until the difference is understood."
            ),
        },
    )
