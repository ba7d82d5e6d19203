"""Explanations grounded in one fit: how long each channel's effect carries over, and how much of the KPI the
media explain. Every number comes from the fit's stored draws and its locked spec, so an answer that explains
adstock can quote this fit's half-lives rather than a textbook's.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mmm_core import ledger
from mmm_core.answers.outcome_tables import outcome_shares
from mmm_core.answers.results import decision_fit, effect_draws, resolve_channel
from mmm_core.effects.intervals import summarize
from mmm_core.errors import NotFoundError
from mmm_core.fit import artifacts


def _interval(store: Any, fit_id: str) -> dict[str, Any]:
    meta = artifacts.load_meta(artifacts.fit_dir(store, fit_id))
    return dict(meta["settings"]["interval"]) | {
        "approximate": bool(meta.get("approximate")),
        "label": meta.get("label"),
    }


def _brief(draws: np.ndarray, level: float, method: str) -> dict[str, float]:
    s = summarize(draws, level, method)
    return {k: s[k] for k in ("mean", "median", "lo", "hi")}


def half_life_draws(samples: dict[str, np.ndarray], shapes: list[str]) -> np.ndarray:
    """[draws, channel] half-lives in periods: stored directly, or from the decay rate α (geometric:
    α = 0.5^(1/h); delayed: α = 0.5^(1/h²), see ``mmm_core.spec.media.Adstock``)."""
    if "half_life" in samples:
        h = np.asarray(samples["half_life"], dtype=np.float64)
        return h.reshape(-1, h.shape[-1])
    if "adstock_alpha" not in samples:
        raise NotFoundError(
            "This fit stored no carry-over draws (its engine does not report them).",
            "Refit with the default engine to see this fit's carry-over.",
            code="half_life_missing",
        )
    alpha = np.clip(np.asarray(samples["adstock_alpha"], dtype=np.float64), 1e-12, 1 - 1e-12)
    alpha = alpha.reshape(-1, alpha.shape[-1])
    h = np.log(0.5) / np.log(alpha)
    delayed = np.array([t == "delayed" for t in shapes])
    return np.where(delayed[None, :], np.sqrt(h), h)


def carryover(store: Any, fit_id: str, channel: str | None = None) -> dict[str, Any]:
    """Per channel: the adstock shape and maximum lag of the locked spec, the prior median half-life and this
    fit's posterior half-life (periods until half the effect of one period's spend is gone) with its interval."""
    fit = decision_fit(store, fit_id, allow_unhealthy=True)
    frame = _interval(store, fit_id)
    spec = ledger.get_spec(store, fit.spec_id).spec
    media = {m.name: m for m in spec.media}
    names = list(media)
    if channel:
        names = [resolve_channel(channel, names)]
    draws = half_life_draws(
        artifacts.load_samples(artifacts.fit_dir(store, fit_id)), [m.adstock.type for m in media.values()]
    )
    order = list(media)
    rows = {}
    for name in names:
        ad = media[name].adstock
        rows[name] = {
            "adstock": ad.type,
            "max_lag": ad.l_max,
            "prior_half_life": float(ad.half_life.median),
            "half_life": _brief(draws[:, order.index(name)], frame["level"], frame["method"]),
        }
    return {
        "fit_id": fit_id,
        "frequency_unit": "periods",
        "channels": rows,
        "interval": {"level": frame["level"], "method": frame["method"]},
        "approximate": frame["approximate"],
        "label": frame["label"],
        "provenance": ledger.provenance(store, fit.spec_id),
    }


def media_share(store: Any, fit_id: str) -> dict[str, Any]:
    """The joint media effect as a share of the model's total KPI, with the baseline's share and the totals."""
    fit = decision_fit(store, fit_id, allow_unhealthy=True)
    frame = _interval(store, fit_id)
    eff = effect_draws(store, fit_id)
    level, method = frame["level"], frame["method"]
    share = np.asarray(eff.media_share, dtype=np.float64)
    out = {
        "fit_id": fit_id,
        "media_share": _brief(share, level, method),
        "baseline_share": _brief(1.0 - share, level, method),
        "media_total": _brief(np.asarray(eff.media_total, dtype=np.float64), level, method),
        "kpi_total": _brief(np.asarray(eff.fitted_total, dtype=np.float64), level, method),
        "interval": {"level": level, "method": method},
        "approximate": frame["approximate"],
        "label": frame["label"],
        "provenance": ledger.provenance(store, fit.spec_id),
    }
    # Several outcomes: the share above is of their weighted total; each outcome's own share is stated beside it.
    return out | outcome_shares(store, fit_id, eff, lambda d: _brief(d, level, method))
