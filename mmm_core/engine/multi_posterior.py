"""`MultiPosterior`: a multi-outcome fit seen through the single-KPI `Posterior` interface, whose KPI is the
weighted sum of the outcomes (Σ_k weight_k × outcome_k, weights from the spec's outcomes block, 1 each by default).

Why an adapter and not branches: the optimizer, scenarios and response curves read a posterior through
``predict(spend)`` (mean, per-channel contributions and baseline per draw, KPI units), ``thin``, ``data`` /
``config`` (spend, channels, geos, controls; adstock and seasonality settings for the identifiability evidence)
and the labels. Here ``predict`` returns the weighted sums of ``engine.multi_model.predict_multi`` — whose
contributions already include what a channel moves through every cross-effect it drives — so a channel that lifts
one outcome and takes from another is worth exactly its net weighted effect wherever the posterior is read.
``predict_outcomes`` keeps the per-outcome view (``predict_multi`` itself) for answers that report each outcome.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mmm_core.engine.config import ModelConfig
from mmm_core.engine.data import ModelData
from mmm_core.engine.multi_model import predict_multi
from mmm_core.engine.outcomes import MultiData, MultiOutcomeConfig, MultiScaled

WEIGHTED = ("mu", "contributions", "baseline")  # the Posterior.predict keys, summed over outcomes with the weights


@dataclass(frozen=True, eq=False)
class MultiPosterior:
    """Draws (``params``: every site of the joint fit → [S, ...]) of a multi-outcome model over ``multi_data``.

    ``data``: the shared inputs as single-KPI data (spend, every control; ``kpi`` the weighted total where every
    outcome on sale is observed); ``config``: the base ModelConfig (the adstock, seasonality and trend every outcome
    shares or starts from)."""

    params: dict[str, np.ndarray]
    multi_data: MultiData
    scaled: MultiScaled
    multi_config: MultiOutcomeConfig
    approximate: bool = False
    label: str = "NUTS (full Bayesian posterior, several outcomes jointly)"

    @property
    def n_draws(self) -> int:
        return int(np.shape(self.params["kappa"])[0])

    @property
    def channels(self) -> tuple[str, ...]:
        return tuple(self.multi_data.channels)

    @property
    def outcomes(self) -> tuple[str, ...]:
        return tuple(self.multi_config.outcomes)

    @property
    def weights(self) -> np.ndarray:
        """[K] the weights of the objective (``MultiOutcomeConfig.weight_array``)."""
        return self.multi_config.weight_array()

    @property
    def config(self) -> ModelConfig:
        return self.multi_config.base

    @property
    def data(self) -> ModelData:
        d = self.multi_data
        return ModelData(
            periods=d.periods,
            geos=d.geos,
            channels=d.channels,
            spend=d.spend,
            kpi=self._weighted_kpi(),
            controls=d.controls,
            control_names=d.control_names,
            holdout_mask=d.holdout_mask,
        )

    def _weighted_kpi(self) -> np.ndarray:
        """[T,G] Σ_k weight_k × KPI_k: an outcome not on sale counts 0 (``MultiData.exists``); NaN where an
        existing outcome is not measured (a gap), since the total is unknown there."""
        d = self.multi_data
        return np.where(d.exists() > 0, np.asarray(d.kpi, float), 0.0) @ self.weights

    def objective(self) -> dict:
        """What the KPI of this posterior is: the outcomes with their weights, and the sentence that says so."""
        terms = " + ".join(f"{name} × {w:g}" for name, w in zip(self.outcomes, self.weights, strict=True))
        return {
            "kind": "weighted_sum_of_outcomes",
            "weights": {name: float(w) for name, w in zip(self.outcomes, self.weights, strict=True)},
            "description": f"weighted sum of outcomes {terms} (weights from the spec)",
        }

    def predict_outcomes(self, spend: np.ndarray | None = None, modulators: np.ndarray | None = None) -> dict:
        """``predict_multi`` of every draw at raw ``spend`` [T,G,C] (default observed): per outcome, KPI units."""
        return predict_multi(self.params, self.scaled, self.multi_config, spend, modulators)

    def predict(
        self, spend: np.ndarray | None = None, mediator_spend: np.ndarray | None = None
    ) -> dict[str, np.ndarray]:
        """``mu`` [S,T,G], ``contributions`` [S,T,G,C] (cross-effects included), ``baseline`` [S,T,G]: the
        weighted sums over outcomes, in the weighted KPI's units. A joint model has no mediators."""
        if mediator_spend is not None:
            raise ValueError("A multi-outcome model has no mediators: mediator_spend does not apply.")
        out = self.predict_outcomes(spend)
        w = self.weights
        return {key: np.asarray(out[key], np.float64) @ w for key in WEIGHTED}

    def thin(self, max_draws: int) -> "MultiPosterior":
        """At most ``max_draws`` evenly spaced draws (deterministic), as ``Posterior.thin``."""
        if self.n_draws <= max_draws:
            return self
        idx = np.linspace(0, self.n_draws - 1, max_draws).round().astype(int)
        return MultiPosterior(
            {k: np.asarray(v)[idx] for k, v in self.params.items()},
            self.multi_data,
            self.scaled,
            self.multi_config,
            self.approximate,
            self.label,
        )


__all__ = ["MultiPosterior"]
