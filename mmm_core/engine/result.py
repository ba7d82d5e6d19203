"""`FitResult`: what every engine returns (posterior draws, ArviZ data, timings, approximate or not)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mmm_core.engine.config import ModelConfig
from mmm_core.engine.data import ScaledData
from mmm_core.engine.model import MEDIATOR_KEYS, PARAM_KEYS, predict

APPROXIMATE_LABEL = "approximate — uncertainty not calibrated"

# ArviZ dims of the sites the NumPyro engine records (others get ArviZ's default dims).
SITE_DIMS = {
    "beta": ["geo", "channel"],
    "beta_geo_z": ["geo", "channel"],
    "beta_geo_log": ["geo", "channel"],  # centred geo effects (config.geo_effects); beta_geo_z is then derived
    "beta_z": ["channel"],
    "adstock_z": ["channel"],
    "half_life": ["channel"],
    "adstock_alpha": ["channel"],
    "adstock_theta": ["channel"],
    "sat_half": ["channel"],
    "hill_slope": ["channel"],
    "intercept": ["geo"],
    "trend_slope": ["geo"],
    "sigma": ["geo"],
    "level_geo": ["geo"],
    "intercept_geo": ["geo"],
    "trend_geo": ["geo"],
    "trend_total_geo": ["geo"],  # sampled totals (engine.axes); the baseline's trend_slope is derived
    "gamma_fourier": ["fourier_mode"],
    "fourier_total": ["fourier_mode"],
    "gamma_control": ["control"],
    "trend_delta": ["changepoint"],
    "channel_contribution": ["period", "geo", "channel"],
    "roi": ["channel"],
    "contribution_total": ["channel"],
}


@dataclass
class FitResult:
    """A fitted posterior. ``samples`` maps site name → array [chains, draws, ...] (numpy).

    ``approximate`` is True for quick mode (MAP/Laplace, ADVI): then ``label`` says so and must be shown
    wherever its numbers are. ``wall_time`` includes compilation; ``compile_time`` is the part of it spent
    compiling (0 when the kernel came from the in-process or persistent cache).
    """

    engine: str
    samples: dict[str, np.ndarray]
    idata_builder: Any  # InferenceData, or a callable building it on first access (ArviZ import costs ~1 s)
    config: ModelConfig
    data: ScaledData | None
    chains: int
    warmup: int
    draws: int
    seed: int
    wall_time: float
    compile_time: float = 0.0
    approximate: bool = False
    label: str = "NUTS (full Bayesian posterior)"
    method: str = "nuts"
    extra: dict = field(default_factory=dict)

    @property
    def idata(self):
        """ArviZ InferenceData (xarray DataTree), built on first access."""
        if callable(self.idata_builder):
            self.idata_builder = self.idata_builder()
        return self.idata_builder

    def flat(self, name: str) -> np.ndarray:
        """Site ``name`` with chains and draws merged into one leading axis [S, ...]."""
        x = self.samples[name]
        return x.reshape((x.shape[0] * x.shape[1],) + x.shape[2:])

    def params(self) -> dict[str, np.ndarray]:
        """The natural-scale parameters `model.predict` expects, each [S, ...]."""
        return {k: self.flat(k) for k in PARAM_KEYS + (MEDIATOR_KEYS if self.config.mediators else ())}

    def predict(self, spend_override=None) -> dict[str, np.ndarray]:
        """`model.predict` on this fit's draws (NumPyro engine only)."""
        if self.data is None:
            raise ValueError("This fit carries no ScaledData (a pymc-marketing fit); use its samples.")
        return predict(self.params(), self.data, self.config, spend_override)

    def diagnostics(self, var_names: list[str] | None = None) -> dict[str, float]:
        """max R-hat, min bulk ESS, divergences, ESS per second of wall time (over ``var_names``)."""
        # lazy: ~1 s; answering from a stored fit imports the engine but never needs it. ``arviz.ess``/``rhat``
        # are arviz_stats' functions; ``import arviz`` would also load its plotting stack (matplotlib).
        import arviz_stats as az

        post = self.idata.posterior.to_dataset()
        # Constant sites (e.g. adstock_theta of geometric channels) have no ESS / R-hat: leave them out.
        names = var_names or [k for k in post.data_vars if post[k].size > 0 and float(post[k].std()) > 0]
        post = post[names]
        ess = az.ess(post, method="bulk")
        min_ess = float(min(float(np.nanmin(ess[v].values)) for v in names))
        out = {"min_ess_bulk": min_ess, "wall_time": self.wall_time, "ess_per_s": min_ess / self.wall_time}
        if self.chains > 1:
            rhat = az.rhat(post)
            out["max_rhat"] = float(max(float(np.nanmax(rhat[v].values)) for v in names))
        if "diverging" in getattr(self.idata, "sample_stats", {}):
            out["divergences"] = int(np.asarray(self.idata.sample_stats["diverging"]).sum())
        return out
