"""`Posterior`: the draws of one fit together with the data and configuration needed to re-predict from them.

Effects, mediation and the optimizer work on this object, never on an engine's internals: everything they
need is ``predict(spend)`` (mean KPI, per-channel contributions and baseline for every draw, in KPI units) and
the data in the user's units.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mmm_core.engine.config import ModelConfig
from mmm_core.engine.data import ModelData, ScaledData
from mmm_core.engine.model import predict
from mmm_core.engine.result import FitResult


@dataclass(frozen=True, eq=False)
class Posterior:
    """Draws (``params``: PARAM_KEYS → [S, ...]) of a fitted model over ``data`` (user units)."""

    params: dict[str, np.ndarray]
    data: ModelData
    scaled: ScaledData
    config: ModelConfig
    approximate: bool = False
    label: str = "NUTS (full Bayesian posterior)"

    @property
    def n_draws(self) -> int:
        return int(next(iter(self.params.values())).shape[0])

    @property
    def channels(self) -> tuple[str, ...]:
        return tuple(self.data.channels)

    def predict(
        self, spend: np.ndarray | None = None, mediator_spend: np.ndarray | None = None
    ) -> dict[str, np.ndarray]:
        """``mu`` [S,T,G], ``contributions`` [S,T,G,C], ``baseline`` [S,T,G] in KPI units for raw ``spend``
        [T,G,C] (default: the observed spend). With mediators, ``mediator_spend`` [M,T,G,C] is the spend each
        mediator equation sees (default: ``spend``), for direct / indirect counterfactuals."""
        if mediator_spend is None:  # keep the plain call (and its compiled kernel) for models without mediators
            return predict(self.params, self.scaled, self.config, spend)
        return predict(self.params, self.scaled, self.config, spend, mediator_spend=mediator_spend)

    def thin(self, max_draws: int) -> "Posterior":
        """At most ``max_draws`` evenly spaced draws (deterministic), for cheaper what-ifs."""
        if self.n_draws <= max_draws:
            return self
        idx = np.linspace(0, self.n_draws - 1, max_draws).round().astype(int)
        return Posterior(
            {k: v[idx] for k, v in self.params.items()},
            self.data,
            self.scaled,
            self.config,
            self.approximate,
            self.label,
        )

    def kpi_log_likelihood(self) -> np.ndarray:
        """Pointwise log density of the observed KPI [S, N] over the cells in the likelihood (``scaled.obs_mask``,
        i.e. observed and not held out), on the scaled KPI. Models of the same data share the scaling, so
        differences between them (PSIS-LOO, stacking) are unaffected by it."""
        mask = np.asarray(self.scaled.obs_mask, bool)
        y = np.asarray(self.scaled.kpi, np.float64)[mask]
        loc, sigma = self._scaled_location()
        return log_density(self.config, y, loc[:, mask], sigma[:, mask])

    def predictive_draws(self, seed: int = 0) -> np.ndarray:
        """Posterior predictive KPI draws [S, T, G] in KPI units (the mean plus one noise draw each): what a
        future period would look like, for scores such as CRPS and interval coverage."""
        loc, sigma = self._scaled_location()
        rng = np.random.default_rng(seed)
        t_noise = self.config.noise == "student_t" and self.config.likelihood != "multiplicative"
        z = rng.standard_t(self.config.student_t_df, loc.shape) if t_noise else rng.standard_normal(loc.shape)
        draw = np.exp(loc + sigma * z) if self.config.likelihood == "multiplicative" else loc + sigma * z
        return draw * np.asarray(self.scaled.kpi_scale, np.float64)[None, None, :]

    def _scaled_location(self) -> tuple[np.ndarray, np.ndarray]:
        """Location (log scale when multiplicative) and scale of the KPI's noise distribution, each [S, T, G]."""
        mu = np.asarray(self.predict()["mu"], np.float64) / np.asarray(self.scaled.kpi_scale, np.float64)[None, None]
        loc = np.log(np.maximum(mu, 1e-300)) if self.config.likelihood == "multiplicative" else mu
        sigma = np.broadcast_to(np.asarray(self.params["sigma"], np.float64)[:, None, :], loc.shape)
        return loc, sigma

    @classmethod
    def from_fit(cls, result: "FitResult", data: ModelData) -> "Posterior":
        return cls(result.params(), data, result.data, result.config, result.approximate, result.label)


def log_density(config: ModelConfig, y: np.ndarray, loc: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """Log density of scaled KPI values ``y`` [N] under the model's noise family, per draw ([S, N] arrays):
    the same family ``engine.model.mmm_model`` observes the KPI with."""
    from scipy import stats  # lazy: only comparison and out-of-sample scoring need it

    if config.likelihood == "multiplicative":
        log_y = np.log(y)[None]
        return stats.norm.logpdf(log_y, loc, sigma) - log_y
    if config.noise == "student_t":
        return stats.t.logpdf(y[None], config.student_t_df, loc, sigma)
    return stats.norm.logpdf(y[None], loc, sigma)
