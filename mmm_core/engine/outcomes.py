"""Several KPIs fitted jointly (issue 22): the records of a multi-outcome model and its data scaling.

Outcomes k = 0..K-1 share the dataset's media spend [T,G,C] and controls. Each outcome is scaled exactly as a
single-outcome fit would scale it (``engine.data.scale_data`` on the outcome's own ``ModelData``: KPI to mean 1
per geo), so every piece shared across outcomes (adstock, saturation, seasonality in scaled units) lives on
comparable scales, and an outcome's own terms reuse the single-outcome model unchanged (``engine.multi_model``).

A cross-effect routes part of a *source* outcome's driven KPI (its media and control terms, and what flows into
it from other cross-effects) into a *target*: ``target += kappa * m_t * D_source[t - lag]``, kappa in target KPI
units per source KPI unit, m_t a modulator's raw value (1 without one). Sources may not (transitively) be their
own targets: the mean would then be defined through itself.

Ragged outcomes: an outcome *exists* in a geo from the first period it is observed there onward (a launch), and
not before it nor anywhere in a geo where it is never observed (not sold there): ``launched``. A gap after the
launch is "not measured" — the product sells, the likelihood just skips the cell. Where an outcome does not exist
its sales are 0: no mean, no contributions, and nothing routed out of it (a product not on sale cannibalises
nothing) — the model and ``predict_multi`` read ``MultiScaled.exists``, planning ``MultiData.planning_exists``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

import jax
import numpy as np

from mmm_core.engine.config import EngineConfigError, ModelConfig
from mmm_core.engine.data import ModelData, ScaledData, scale_data

CrossKind = Literal["cannibalisation", "halo", "spillover"]
CROSS_KINDS = ("cannibalisation", "halo", "spillover")


@dataclass(frozen=True)
class CrossEffectConfig:
    """One cross-effect between outcomes (indices into ``MultiOutcomeConfig.outcomes``).

    ``kind``: ``cannibalisation`` (kappa = -HalfNormal(prior_scale)), ``halo`` (+HalfNormal) or ``spillover``
    (Normal(0, prior_scale)). ``lag``: 0 or 1 periods. ``modulator``: index into ``MultiData.modulator_names``
    (e.g. a 0/1 promotion indicator) or None (m_t = 1).
    """

    source: int
    target: int
    kind: CrossKind
    lag: int = 0
    modulator: int | None = None
    prior_scale: float = 0.3


@dataclass(frozen=True)
class MultiOutcomeConfig:
    """What to fit for several KPIs. ``base`` gives every outcome's priors and structure; ``outcome_bases``
    (optional, one per outcome) overrides an outcome's own priors (e.g. per-outcome ROI priors); pieces shared
    across outcomes take their priors from ``base``. ``outcome_controls`` (optional, one tuple per outcome): the
    controls entering each outcome, by index — a promotion of one product should usually reach another only
    through a cross-effect, not as a direct control there, or the two are confounded. ``weights``: per-outcome
    weights of totals (e.g. margin per unit); empty = 1 each."""

    outcomes: tuple[str, ...]
    base: ModelConfig = field(default_factory=ModelConfig)
    share_adstock: bool = True
    share_saturation: bool = False
    share_seasonality: bool = True
    lkj_eta: float = 2.0
    cross_effects: tuple[CrossEffectConfig, ...] = ()
    weights: tuple[float, ...] = ()
    outcome_controls: tuple[tuple[int, ...], ...] = ()
    outcome_bases: tuple[ModelConfig, ...] = ()

    @property
    def n_outcomes(self) -> int:
        return len(self.outcomes)

    def weight_array(self) -> np.ndarray:
        """[K] weights of totals over outcomes."""
        return np.array(self.weights or (1.0,) * self.n_outcomes, float)

    def controls_of(self, k: int, n_controls: int) -> tuple[int, ...]:
        """Indices of the controls entering outcome ``k``."""
        return tuple(self.outcome_controls[k]) if self.outcome_controls else tuple(range(n_controls))

    def config_for(self, k: int, n_controls: int) -> ModelConfig:
        """Outcome ``k``'s single-outcome ModelConfig, its control settings restricted to its own controls."""
        cfg = self.outcome_bases[k] if self.outcome_bases else self.base
        own = self.controls_of(k, n_controls)
        sign = tuple(cfg.control_sign[i] for i in own) if cfg.control_sign else ()
        sel = cfg.control_selection
        if sel is not None:
            kept = tuple(own.index(i) for i in sel.selected if i in own)
            sel = replace(sel, selected=kept) if kept else None
        return replace(cfg, control_sign=sign, control_selection=sel)

    def order(self) -> tuple[int, ...]:
        """Cross-effects in an order where every effect into an outcome comes before any effect out of it."""
        return tuple(i for k in self._outcome_order() for i, e in enumerate(self.cross_effects) if e.source == k)

    def _outcome_order(self) -> list[int]:
        """Outcomes topologically sorted by cross-effects (sources first); refuses a cycle, naming it."""
        edges = {(e.source, e.target) for e in self.cross_effects}
        order, done, active = [], set(), []

        def visit(k: int) -> None:
            if k in done:
                return
            if k in active:
                cycle = " -> ".join(self.outcomes[j] for j in active[active.index(k) :] + [k])
                raise EngineConfigError(
                    f"The cross-effects form a cycle ({cycle}): an outcome would drive itself.",
                    hint="Keep one direction of each relationship; a source may not (transitively) be its own target.",
                )
            active.append(k)
            for s, t in sorted(edges):
                if s == k:
                    visit(t)
            active.pop()
            done.add(k)
            order.append(k)

        for k in range(self.n_outcomes):
            visit(k)
        return order[::-1]

    def validate(self, n_channels: int, n_controls: int, n_periods: int, n_modulators: int) -> None:
        """Refuse, with a reason, any setting the multi-outcome engine cannot fit as asked."""
        k_n = self.n_outcomes
        if k_n < 2 or len(set(self.outcomes)) < k_n:
            raise EngineConfigError(
                f"A multi-outcome model needs at least two distinct outcomes, got {list(self.outcomes)}.",
                hint="Name each KPI once; a single KPI is fitted by the single-outcome engine.",
            )
        for name, seq in (("weights", self.weights), ("outcome_controls", self.outcome_controls)):
            if seq and len(seq) != k_n:
                raise EngineConfigError(f"{name} has {len(seq)} entries for {k_n} outcomes.", hint="One per outcome.")
        if self.outcome_bases and len(self.outcome_bases) != k_n:
            raise EngineConfigError(f"outcome_bases has {len(self.outcome_bases)} entries for {k_n} outcomes.")
        if any(not np.isfinite(w) or w < 0 for w in self.weights):
            raise EngineConfigError("Outcome weights must be finite and non-negative.", hint="e.g. margin per unit.")
        if any(i < 0 or i >= n_controls for own in self.outcome_controls for i in own):
            raise EngineConfigError(
                f"outcome_controls names a control outside the {n_controls} controls.", hint="Control indices."
            )
        if not self.lkj_eta > 0:
            raise EngineConfigError(f"lkj_eta must be positive, got {self.lkj_eta}.", hint="2.0 is the default.")
        for cfg in self.outcome_bases or (self.base,):
            _check_base(cfg)
            cfg.validate(n_channels, n_controls, n_periods)
        if self.outcome_bases:
            self._check_shared()
        self._check_cross(n_modulators)
        self.order()

    def _check_shared(self) -> None:
        """Shared pieces need one structure for all outcomes (one set of parameters serves every outcome)."""
        shared = [("share_adstock", ("adstock", "l_max", "channel_l_max"))]
        shared += [("share_saturation", ("saturation",)), ("share_seasonality", ("seasonality_order",))]
        for flag, names in shared:
            for name in names if getattr(self, flag) else ():
                if len({repr(getattr(c, name)) for c in self.outcome_bases + (self.base,)}) > 1:
                    raise EngineConfigError(
                        f"{flag} is on but the outcomes differ in {name}.",
                        hint=f"Give every outcome the same {name}, or set {flag} to false.",
                    )

    def _check_cross(self, n_modulators: int) -> None:
        seen = set()
        for e in self.cross_effects:
            label = f"cross-effect {e.source} -> {e.target}"
            if not (0 <= e.source < self.n_outcomes and 0 <= e.target < self.n_outcomes) or e.source == e.target:
                raise EngineConfigError(
                    f"The {label} needs two different outcomes among the {self.n_outcomes}.",
                    hint="Source and target are outcome indices in the config's outcome order.",
                )
            if e.kind not in CROSS_KINDS:
                raise EngineConfigError(f"The {label} has unknown kind {e.kind!r}.", hint=f"One of {CROSS_KINDS}.")
            if e.lag not in (0, 1):
                raise EngineConfigError(f"The {label} has lag {e.lag}.", hint="Lag 0 (same period) or 1 (next).")
            if e.modulator is not None and not 0 <= e.modulator < n_modulators:
                raise EngineConfigError(
                    f"The {label} names modulator {e.modulator}, but the data has {n_modulators} modulators.",
                    hint="A modulator is a variable of the data (e.g. the promotion indicator), by index.",
                )
            if not e.prior_scale > 0:
                raise EngineConfigError(f"The {label} needs a positive prior_scale.", hint="0.3 is the default.")
            key = (e.source, e.target, e.lag, e.modulator)
            if key in seen:
                raise EngineConfigError(f"The {label} is declared twice.", hint="Declare each cross-effect once.")
            seen.add(key)


def _check_base(cfg: ModelConfig) -> None:
    """The multi-outcome engine builds on the additive, normal-noise model without mediators or lift tests."""
    for bad, reason, fix in (
        (cfg.likelihood != "additive", "a multiplicative likelihood", "likelihood='additive'"),
        (cfg.noise != "normal", "Student-t noise", "noise='normal' (residuals are multivariate normal)"),
        (bool(cfg.mediators), "mediators", "no mediators"),
        (bool(cfg.experiments), "lift tests", "no experiments"),
    ):
        if bad:
            raise EngineConfigError(
                f"The multi-outcome engine does not support {reason}.", hint=f"Use {fix}, or fit outcomes one by one."
            )


@dataclass(frozen=True, eq=False)
class MultiData:
    """Several KPIs over one panel, in the user's units. ``kpi`` [T,G,K] NaN where an outcome is not observed
    (ragged panels); ``modulators`` [T,G,P] raw values of the variables that modulate cross-effects."""

    periods: np.ndarray
    geos: tuple[str, ...]
    channels: tuple[str, ...]
    spend: np.ndarray
    kpi: np.ndarray
    controls: np.ndarray | None = None
    control_names: tuple[str, ...] = ()
    modulators: np.ndarray | None = None
    modulator_names: tuple[str, ...] = ()
    holdout_mask: np.ndarray | None = None

    def __post_init__(self) -> None:
        t, g = len(self.periods), len(self.geos)
        kpi = np.asarray(self.kpi, float)
        if kpi.ndim != 3 or kpi.shape[:2] != (t, g):
            raise EngineConfigError(f"kpi {kpi.shape} is not [T={t}, G={g}, K].", hint="kpi is [periods, geos, KPIs].")
        mods = np.zeros((t, g, 0)) if self.modulators is None else np.asarray(self.modulators, float)
        if mods.shape != (t, g, len(self.modulator_names)):
            raise EngineConfigError(f"modulators {mods.shape} do not match names {self.modulator_names}.")
        if not np.isfinite(mods).all():
            raise EngineConfigError("Modulators must be observed in every cell.", hint="Use 0 where inactive.")
        object.__setattr__(self, "kpi", kpi)
        object.__setattr__(self, "modulators", mods)
        for name in ("geos", "channels", "control_names", "modulator_names"):
            object.__setattr__(self, name, tuple(getattr(self, name)))

    @property
    def n_outcomes(self) -> int:
        return self.kpi.shape[2]

    def exists(self) -> np.ndarray:
        """[T,G,K] 1.0 where each outcome is on sale (``launched`` from its observed cells; held-out periods count:
        a product sold then exists then), 0.0 where its sales are 0 by definition."""
        return launched(np.isfinite(self.kpi))

    def planning_exists(self) -> np.ndarray:
        """[G,K] whether each outcome exists over a planning horizon: iff it exists in the last period of the data
        (a product sold there now keeps selling; one not yet launched is not planned for)."""
        return self.exists()[-1]

    def outcome_data(self, k: int, config: MultiOutcomeConfig) -> ModelData:
        """Outcome ``k`` as single-outcome data (its own controls only)."""
        n_k = 0 if self.controls is None else np.shape(self.controls)[2]
        own = list(config.controls_of(k, n_k))
        controls = None if self.controls is None else np.asarray(self.controls, float)[:, :, own]
        return ModelData(
            periods=self.periods,
            geos=self.geos,
            channels=self.channels,
            spend=self.spend,
            kpi=self.kpi[:, :, k],
            controls=controls,
            control_names=tuple(self.control_names[i] for i in own),
            holdout_mask=self.holdout_mask,
        )


@jax.tree_util.register_dataclass
@dataclass(frozen=True, eq=False)
class MultiScaled:
    """What the multi-outcome model sees (a JAX pytree). ``outcomes``: each outcome's ``ScaledData``, exactly as
    a single-outcome fit scales it. ``modulators`` [T,G,P] raw; ``kpi_scale`` [G,K]; ``obs_mask`` [T,G,K];
    ``exists`` [T,G,K] 1.0 where the outcome is on sale (``launched``), 0.0 where its sales are 0 by definition.
    Observed-outcome patterns (static): ``patterns[p]`` the outcomes observed in group p's cells, whose
    (period, geo) indices are ``pattern_t[p]``/``pattern_g[p]`` — each group's residuals are one multivariate
    normal over its observed outcomes (no imputation). ``control_names``: every control of the data (an
    outcome's ScaledData holds its own subset, ``MultiOutcomeConfig.controls_of``)."""

    outcomes: tuple[ScaledData, ...]
    modulators: np.ndarray
    kpi_scale: np.ndarray
    obs_mask: np.ndarray
    exists: np.ndarray
    pattern_t: tuple[np.ndarray, ...]
    pattern_g: tuple[np.ndarray, ...]
    patterns: tuple[tuple[int, ...], ...] = field(default=(), metadata=dict(static=True))
    control_names: tuple[str, ...] = field(default=(), metadata=dict(static=True))  # all controls, data order
    modulator_names: tuple[str, ...] = field(default=(), metadata=dict(static=True))

    @property
    def n_controls(self) -> int:
        return len(self.control_names)


def launched(observed: np.ndarray) -> np.ndarray:
    """[T,G,K] float: 1 from the first period each outcome is observed in each geo onward, else 0."""
    return np.maximum.accumulate(np.asarray(observed, bool), axis=0).astype(np.float32)


def observed_patterns(mask: np.ndarray) -> tuple[tuple[tuple[int, ...], ...], tuple, tuple]:
    """Group cells of ``mask`` [T,G,K] by which outcomes they observe; cells observing none are dropped."""
    k_n = mask.shape[2]
    code = (mask * (1 << np.arange(k_n))).sum(-1)
    patterns, ts, gs = [], [], []
    for c in np.unique(code):
        if c == 0:
            continue
        t_idx, g_idx = np.nonzero(code == c)
        patterns.append(tuple(int(k) for k in range(k_n) if c >> k & 1))
        ts.append(t_idx.astype(np.int32))
        gs.append(g_idx.astype(np.int32))
    return tuple(patterns), tuple(ts), tuple(gs)


def scale_multi(data: MultiData, config: MultiOutcomeConfig) -> MultiScaled:
    """Validate ``config`` against ``data`` and scale every outcome as its single-outcome fit would."""
    t, g, c = np.shape(data.spend)
    n_k = len(data.control_names)
    if data.n_outcomes != config.n_outcomes:
        raise EngineConfigError(
            f"The data has {data.n_outcomes} KPIs, the config {config.n_outcomes} outcomes {list(config.outcomes)}.",
            hint="One KPI column per outcome, in the config's order.",
        )
    config.validate(c, n_k, t, len(data.modulator_names))
    outcomes = []
    for k, name in enumerate(config.outcomes):
        try:
            outcomes.append(scale_data(data.outcome_data(k, config), config.config_for(k, n_k)))
        except EngineConfigError as exc:
            raise EngineConfigError(f"Outcome {name!r}: {exc.message}", hint=exc.hint) from exc
    mask = np.stack([o.obs_mask for o in outcomes], axis=-1)
    patterns, ts, gs = observed_patterns(mask)
    return MultiScaled(
        outcomes=tuple(outcomes),
        modulators=data.modulators.astype(np.float32),
        kpi_scale=np.stack([o.kpi_scale for o in outcomes], axis=-1),
        obs_mask=mask,
        exists=data.exists(),
        pattern_t=ts,
        pattern_g=gs,
        patterns=patterns,
        control_names=data.control_names,
        modulator_names=data.modulator_names,
    )


__all__ = [
    "CROSS_KINDS",
    "CrossEffectConfig",
    "MultiData",
    "MultiOutcomeConfig",
    "MultiScaled",
    "launched",
    "observed_patterns",
    "scale_multi",
]
