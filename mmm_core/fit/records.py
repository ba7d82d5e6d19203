"""What passes between the stages of a fit job: the resolved sampler settings and the outcome of sampling plus
review, handed to registration. Typed so a stage cannot silently drop or misspell a field."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from mmm_core.effects.draws import EffectDraws
from mmm_core.errors import MMMError

ENGINES = ("numpyro", "pymc-marketing")


@dataclass(frozen=True)
class FitSettings:
    """The sampler settings a fit runs with: the spec's ``sampler``/``interval`` sections, overridden per fit.

    ``to_dict()`` is the stored shape (``fits.settings_json``, ``meta.json``'s ``settings``, the ``fit_start``
    event), unchanged from the dict this record replaces."""

    engine: str
    quick: bool
    chains: int
    warmup: int
    draws: int
    seed: int
    target_accept: float | None  # None: the engine's choice (``ran_with`` records it once known)
    interval_level: float
    interval_method: str

    @classmethod
    def resolve(
        cls,
        spec,
        *,
        quick: bool = False,
        engine: str = "numpyro",
        chains: int | None = None,
        warmup: int | None = None,
        draws: int | None = None,
        seed: int | None = None,
    ) -> FitSettings:
        """The spec's defaults with the caller's overrides; quick mode is one chain without warm-up."""
        if engine not in ENGINES:
            raise MMMError(
                f"Unknown engine {engine!r}.", "Use 'numpyro' (default) or 'pymc-marketing'.", code="unknown_engine"
            )
        s = spec.sampler
        return cls(
            engine=engine,
            quick=quick,
            chains=1 if quick else (chains or s.chains),
            warmup=0 if quick else (warmup or s.warmup),
            draws=draws or s.draws,
            seed=s.seed if seed is None else seed,
            target_accept=s.target_accept,
            interval_level=spec.interval.level,
            interval_method=spec.interval.method,
        )

    def ran_with(self, target_accept: float | None) -> FitSettings:
        """These settings with the target acceptance the sampler used (None: no NUTS ran, as in quick mode)."""
        return self if target_accept is None else replace(self, target_accept=target_accept)

    @property
    def mode(self) -> str:
        return "quick" if self.quick else "nuts"

    def to_dict(self) -> dict[str, Any]:
        return {
            "engine": self.engine,
            "quick": self.quick,
            "chains": self.chains,
            "warmup": self.warmup,
            "draws": self.draws,
            "seed": self.seed,
            "target_accept": self.target_accept,
            "interval": {"level": self.interval_level, "method": self.interval_method},
        }


@dataclass(frozen=True)
class FitOutcome:
    """A sampled and reviewed fit, not yet registered: the engine's result, the raw parameter draws to store,
    the effect draws, the health review and gate (as their JSON dicts), the headline diagnostics and the
    settings it ran with."""

    result: Any  # the engine's FitResult (numpyro) or PymcFitResult (pymc-marketing)
    samples: dict[str, np.ndarray]
    effects: EffectDraws
    health: dict[str, Any]
    gate: dict[str, Any] | None
    diagnostics: dict[str, Any]
    settings: FitSettings
    # More ``.npz`` files for the fit's folder (name → arrays), e.g. the long-term model's draws (fit.long_term).
    extra_artifacts: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
