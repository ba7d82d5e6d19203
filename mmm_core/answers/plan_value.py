"""The value of a lift test for the budget decision: how often its result would change the optimizer's
recommended plan, and how much KPI the changed plan is expected to add (the expected value of sample information).

For one channel's design (``answers.lift_design``): the recommended plan ``a0`` for the current budget over the
next ``periods`` (the optimizer's own decision rule, trust region and all, as ``mmm-agent optimize`` gives it).
Then for each of ``sims`` simulated tests — a posterior draw as the truth, its predicted lift measured with the
design's error — the draws are reweighted by the measurement's likelihood, the optimizer is re-run on a resample
of them (the optimizer takes equally weighted draws), and the new plan ``a_k`` is compared with ``a0``:

* ``p_change``: the share of simulated tests after which the plan moves more than ``MOVED`` of the budget (or the
  decision changes between keeping and moving);
* ``evsi``: the mean over the simulated tests of E_w[KPI(a_k)] − E_w[KPI(a0)] under the reweighted draws — the KPI
  the test is expected to earn by improving the plan (never a promise: it is the model's own expectation).

Each re-run is a full optimization (~1 s), so this is opt-in (``experiments suggest --plan-value``) and uses few
simulated tests: ``p_change`` from 12 tests has a standard error of up to 0.14.
"""

from __future__ import annotations

from dataclasses import replace

import jax.numpy as jnp
import numpy as np

from mmm_core.answers.lift_design import LiftDesign, lift_draws
from mmm_core.optimizer.plans import optimize_response
from mmm_core.optimizer.response import Response, posterior_response
from mmm_core.optimizer.scenarios import current_level

SIMS = 12
MOVED = 0.05  # a plan moving 5 % of the budget is a different plan; below it the difference is solver noise
MAX_DRAWS = 500  # the response's draws: the optimizer's cost grows with them


def _resampled(r: Response, idx: np.ndarray) -> Response:
    """The response on the draws ``idx`` (with repeats): every per-draw array indexed, the rest kept."""
    args = dict(r.args)
    args["params"] = {k: v[idx] for k, v in r.args["params"].items()}
    for key in ("x0", "u", "base_eta"):
        args[key] = r.args[key][jnp.asarray(idx)]
    baseline = None if r.baseline is None else np.asarray(r.baseline)[idx]
    return replace(r, args=args, baseline=baseline)


def _plan(r: Response, budget: float) -> tuple[np.ndarray, str]:
    res = optimize_response(r, budget).to_dict()
    cells = r.to_cells(np.array([res["allocation"][ch] for ch in r.channels]))
    return cells, (res.get("decision") or {}).get("status", "")


def plan_value(post, designs: list[LiftDesign], ses: list[float], periods: int = 13, sims: int = SIMS, seed: int = 0):
    """Per design (same order): ``{p_change, evsi, sims}``, plus the recommended plan now (module docstring)."""
    post = post.thin(MAX_DRAWS)
    r = posterior_response(post, periods, max_draws=MAX_DRAWS)
    budget = float(current_level(r).sum())
    a0, status0 = _plan(r, budget)
    kpi0 = r.evaluate(a0)[0]
    rng = np.random.default_rng(seed)
    out = []
    for design, se in zip(designs, ses, strict=True):
        lifts = lift_draws(post, design)
        changed, gains = [], []
        for _ in range(sims):
            y = lifts[rng.integers(len(lifts))] + rng.normal(0.0, se)
            logw = -0.5 * ((y - lifts) / se) ** 2
            w = np.exp(logw - logw.max())
            w /= w.sum()
            cells, status = _plan(_resampled(r, rng.choice(len(w), len(w), p=w)), budget)
            moved = 0.5 * float(np.abs(r.to_channels(cells) - r.to_channels(a0)).sum()) / budget
            changed.append(moved > MOVED or status != status0)
            gains.append(float(w @ (r.evaluate(cells)[0] - kpi0)))
        out.append({"p_change": float(np.mean(changed)), "evsi": float(np.mean(gains)), "sims": sims})
    allocation = dict(zip(r.channels, r.to_channels(a0).tolist(), strict=True))
    return out, {"budget": budget, "periods": periods, "status": status0, "allocation": allocation}


__all__ = ["plan_value"]
