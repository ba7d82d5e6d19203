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

    @classmethod
    def from_fit(cls, result: "FitResult", data: ModelData) -> "Posterior":
        return cls(result.params(), data, result.data, result.config, result.approximate, result.label)
