"""Thinned per-channel posterior draws in the store, so read-only SQL can ask questions of the posterior.

``query`` (``mmm_core.data.sql_sandbox``) reads three relations of one fit: ``roi_draws`` and
``contribution_draws`` (from the ``posterior_draws`` table written here) and ``posterior_summary``. The data layer
cannot compute draws (effects sit above it), so the fit job writes them at registration, in the same transaction
as the fit's ``posterior_summary`` rows; fits registered before the table existed get theirs from their stored
effect draws the first time a query asks (:func:`ensure_posterior_draws`).

Thinning: at most :data:`MAX_DRAWS` draws per channel — every k-th draw of the flattened (chain-major) posterior,
k = ceil(S / MAX_DRAWS) — enough for a share or a quantile to two decimals, small enough to ship to the sandbox.
``chain`` and ``draw`` are the sampler's own ids (0-based), so thinned rows can be matched to the fit's draws.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from mmm_core.data.queries import resolve_dataset
from mmm_core.effects.tables import EffectDraws, load_effect_draws
from mmm_core.errors import MMMError
from mmm_core.fit import artifacts
from mmm_core.ledger.default_fit import FitChoice, default_fit, named_fit
from mmm_core.ledger.fits import fit_record
from mmm_core.store import Store

MAX_DRAWS = 1000
DRAW_COLUMNS = ("fit_id", "channel", "chain", "draw", "roi", "mroi", "contribution")


def thinned_index(n_draws: int, max_draws: int = MAX_DRAWS) -> np.ndarray:
    """Positions kept from ``n_draws`` flattened draws: every k-th, k = ceil(n / max_draws) (all when n ≤ max)."""
    step = max(1, math.ceil(n_draws / max_draws))
    return np.arange(0, n_draws, step)


def draw_frame(effects: EffectDraws, fit_id: str, chains: int) -> pd.DataFrame:
    """One row per kept draw and channel: ``fit_id, channel, chain, draw, roi, mroi, contribution``."""
    n = effects.n_draws
    per_chain = n // chains if chains > 0 and n % chains == 0 else n  # uneven: report one chain, draw = position
    keep = thinned_index(n)
    n_c = len(effects.channels)
    roi, mroi, contribution = (
        np.asarray(x, np.float64)[keep] for x in (effects.roi, effects.mroi, effects.contribution_total)
    )
    return pd.DataFrame(
        {
            "fit_id": fit_id,
            "channel": np.tile(np.asarray(effects.channels, dtype=object), len(keep)),
            "chain": np.repeat(keep // per_chain, n_c).astype(np.int32),
            "draw": np.repeat(keep % per_chain, n_c).astype(np.int32),
            "roi": roi.ravel(),
            "mroi": mroi.ravel(),
            "contribution": contribution.ravel(),
        },
        columns=list(DRAW_COLUMNS),
    )


def insert_draws(conn, frame: pd.DataFrame) -> None:
    """Bulk insert inside the caller's transaction (a registered frame, as ``posterior_summary``)."""
    conn.register("_posterior_draws", frame)
    try:
        # NaN (the ROI of a channel without spend) is stored as NULL, so SQL aggregates skip it.
        conn.execute(
            f"INSERT INTO posterior_draws ({', '.join(DRAW_COLUMNS)}) SELECT fit_id, channel, chain, draw, "
            "CASE WHEN isnan(roi) THEN NULL ELSE roi END, CASE WHEN isnan(mroi) THEN NULL ELSE mroi END, "
            "contribution FROM _posterior_draws"
        ).fetchall()  # consumed: DuckDB refuses the caller's next register() while a result is pending
    finally:
        conn.unregister("_posterior_draws")


def posterior_fit(store: Store, dataset: str, fit_id: str | None = None) -> FitChoice | None:
    """The fit whose posterior SQL reads — ``fit_id`` when given, else the dataset's default fit (the rule in
    ``mmm_core.ledger.default_fit``) — with its draws in the store; None when the dataset has no succeeded fit."""
    ds_id = resolve_dataset(store, dataset)["id"]  # names resolve as everywhere (an unknown one is refused here)
    choice = named_fit(store, fit_id) if fit_id else default_fit(store, ds_id)
    if choice is not None:
        ensure_posterior_draws(store, choice.fit_id)
    return choice


def ensure_posterior_draws(store: Store, fit_id: str) -> int:
    """The number of stored draw rows of ``fit_id``, writing them first from its effect draws when a succeeded
    fit registered before ``posterior_draws`` existed has none. A fit that is not succeeded has none (0)."""
    with store.connect() as conn:
        n = conn.execute("SELECT count(*) FROM posterior_draws WHERE fit_id = ?", [fit_id]).fetchone()[0]
    if n:
        return int(n)
    fit = fit_record(store, fit_id)
    if fit.status != "succeeded":
        return 0
    try:
        effects = load_effect_draws(artifacts.fit_dir(store, fit_id) / artifacts.EFFECTS)
    except MMMError:
        return 0  # artifacts gone: the sandbox says this fit has no stored draws
    frame = draw_frame(effects, fit_id, int(fit.settings.get("chains") or 1))

    def write(conn) -> int:
        # Another process may have back-filled in the meantime: write only into an empty slot.
        if conn.execute("SELECT count(*) FROM posterior_draws WHERE fit_id = ?", [fit_id]).fetchall()[0][0] == 0:
            insert_draws(conn, frame)
        return conn.execute("SELECT count(*) FROM posterior_draws WHERE fit_id = ?", [fit_id]).fetchall()[0][0]

    return int(store.run(write))
