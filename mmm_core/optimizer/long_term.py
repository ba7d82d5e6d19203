"""Optimising on total ROI (issue 21): the short-term response of a plan plus each dollar's long-term effect.

Why this is sound with the long-term model we fit: step 2 is a VAR with media as *linear* exogenous inputs, so the
long-term effect of a dollar of channel c is ``long_roi_c`` whatever the spend level (no saturation on that path).
A plan's long-term KPI is therefore ``Σ_c amount_c · long_roi_c`` per draw — a linear term added to the
saturating short-term response, which moves budget toward brand builders without changing the curves' shape.

What the objective then counts (said in the plan's notes, so a total-ROI plan is never read as a short-term one):
the horizon's short-term media KPI, as always, **plus** every planned dollar's long-term effect cumulated over the
long-term horizon (``long_term.horizon`` periods after it is spent, also past the plan's end). Base sales are the
KPI minus step 1's media effect, so the two parts never count the same sales twice.

Draw pairing: the long-term draws (stable VAR draws only) are assigned to the response's step-1 draws at random
with a fixed seed. That drops the (second-order) link between a step-1 draw and the VAR fitted on its base sales,
but every plan is scored on the same pairs, so the decision rule's paired differences stay paired.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import jax.numpy as jnp
import numpy as np

from mmm_core.effects.long_term import load_long_term
from mmm_core.fit import artifacts
from mmm_core.fit.long_term import ARTIFACT
from mmm_core.optimizer.core import OptimizerError
from mmm_core.optimizer.response import Response
from mmm_core.store import Store

BASIS = "total_roi"


@dataclass(frozen=True)
class LongTermROI:
    """Long-term ROI draws ``[K, C]`` (KPI per unit of spend over ``horizon`` periods) of ``channels``."""

    channels: tuple[str, ...]
    draws: np.ndarray
    horizon: int

    def note(self) -> str:
        return (
            f"Objective = total ROI (flagged): short-term KPI over the horizon plus each planned dollar's long-term "
            f"effect on base sales over the {self.horizon} periods after it is spent (brand metrics VAR, "
            f"{self.draws.shape[0]} stable draws), including effects after the plan's horizon."
        )


def stored_long_term_roi(store: Store, fit_id: str) -> LongTermROI:
    """The fit's long-term ROI draws (stable ones only); refused when the fit has none or most are explosive."""
    draws = load_long_term(artifacts.fit_dir(store, fit_id) / ARTIFACT)
    if draws is None:
        raise OptimizerError(
            f"Fit {fit_id} has no long-term model, so there is no total ROI to optimise on.",
            "Add a long_term block to the spec (`mmm-agent spec init DATASET --brand-metrics A,B`), lock and fit "
            "it, or plan on the short-term response (the default).",
            code="optimizer_no_long_term",
        )
    if not draws.summarised:
        raise OptimizerError(
            f"{draws.explosive_share:.0%} of fit {fit_id}'s long-term VAR draws are explosive; its long-term ROI is "
            "not summarised, so it cannot be optimised on.",
            "Plan on the short-term response, or refit with fewer lags or tighter long_term priors.",
            code="optimizer_long_term_explosive",
        )
    return LongTermROI(tuple(draws.channels), np.asarray(draws.long_roi[draws.stable], float), draws.horizon)


def with_long_term(response: Response, long_term: LongTermROI, seed: int = 0) -> Response:
    """``response`` whose KPI adds each cell's amount × its channel's long-term ROI, per draw."""
    missing = [c for c in response.channels if c not in long_term.channels]
    if missing:
        raise OptimizerError(
            f"The long-term model has no ROI for {', '.join(missing)}.",
            "Refit: the long-term draws belong to a different set of channels than this posterior.",
            code="optimizer_long_term_channels",
        )
    cols = [long_term.channels.index(c) for c in response.channels]
    k = long_term.draws.shape[0]
    pick = np.random.default_rng(seed).choice(k, size=response.n_draws, replace=k < response.n_draws)
    per_channel = long_term.draws[pick][:, cols]  # [S, C]
    dtype = response.dtype
    args = {
        "inner": response.args,
        "long_cells": jnp.asarray(per_channel[:, response.cell_channel], dtype),  # [S, J]
        "cell_to_channel": jnp.asarray(np.eye(len(response.channels))[response.cell_channel], dtype),  # [J, C]
    }
    return replace(
        response,
        fn=_with_long_term_fn,
        static=(response.fn, response.static),
        args=args,
        notes=(*response.notes, long_term.note()),
    )


def _with_long_term_fn(amounts, args, static):
    inner_fn, inner_static = static
    total, per = inner_fn(amounts, args["inner"], inner_static)
    long_per = (args["long_cells"] * amounts[None, :]) @ args["cell_to_channel"]  # [S, C]
    return total + long_per.sum(-1), per + long_per


__all__ = ["BASIS", "LongTermROI", "stored_long_term_roi", "with_long_term"]
