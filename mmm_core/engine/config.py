"""`ModelConfig`: the engine's plain, frozen description of one model (no pydantic; an adapter maps a
locked ``ModelSpec`` onto it). Every field is used by :func:`mmm_core.engine.model.mmm_model` or refused
by :meth:`ModelConfig.validate`; priors are stated on scales a marketer can read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from mmm_core.errors import MMMError

Adstock = Literal["geometric", "delayed"]
Saturation = Literal["hill", "logistic"]


# The holdout limit, one rule for the spec check (mmm_core.spec.draft, when a draft is validated or locked) and
# ModelConfig.validate below. Why fewer than half and not a quarter: the limit is what lets a model be fitted at
# all (the majority of periods stay in the likelihood), not a recommendation. Tightening it would make locked
# specs that passed it unfittable, and a locked spec changes only by a disclosed amendment. A quarter is a good
# *choice*; the hint says so, the check enforces only the limit.
def max_holdout(n_periods: int) -> int:
    """The most final periods that may be held out of ``n_periods``: fewer than half."""
    return max(int(n_periods) // 2 - 1, 0)


def holdout_problem(last_n: int, n_periods: int) -> str | None:
    """Why holding out ``last_n`` of ``n_periods`` periods is refused, or None when it is allowed."""
    if 0 <= last_n <= max_holdout(n_periods):
        return None
    return (
        f"holdout {last_n} leaves too little data to fit; at most {max_holdout(n_periods)} of {n_periods} periods "
        "(fewer than half) may be held out"
    )


HOLDOUT_HINT = "Hold out fewer than half of the periods; about a quarter (e.g. 13 of 52 weeks) is usual."


class EngineConfigError(MMMError):
    """A model configuration the engine cannot fit as asked."""

    code = "engine_config"


@dataclass(frozen=True)
class MediatorConfig:
    """One mediator equation (media → mediator → KPI), on the standardised mediator (sd units).

    ``channels``: indices of the channels feeding it (in the data's channel order). ``kind``: ``observed``
    (likelihood on every observed cell), ``sparse`` (same mask logic, few cells, latent mean path in between)
    or ``latent`` (no data: the priors carry it). ``sign``: ``positive`` gives media → mediator effects a
    LogNormal(``effect_median``, ``effect_sigma``) prior; ``none`` a Normal(0, median·e^sigma). The effect is
    in mediator sds per unit of the channel's normalised media curve (1 = the channel at typical spend).
    ``effect_prior="halfnormal"`` (positive sign only, the default of a spec without stated priors) replaces the
    LogNormal by a HalfNormal whose median is balanced per channel (``engine.mediation.balanced_median``: a priori
    the indirect effect equals the direct one; ``effect_median`` is not used): it lets a channel that does not
    move the mediator have b ≈ 0 (a LogNormal cannot), which matters when every channel feeds by default.
    ``kpi_mean``/``kpi_sd``: Normal prior of the KPI effect, KPI sds per mediator sd, truncated at 0 when
    ``kpi_sign="positive"`` (with mean 0: a HalfNormal). ``carryover``: AR(1)
    smoothing of the media-driven part, rho ~ Beta(2, 2).
    """

    name: str
    channels: tuple[int, ...]
    kind: Literal["observed", "sparse", "latent"] = "observed"
    sign: Literal["positive", "none"] = "positive"
    carryover: bool = False
    effect_median: float = 0.5
    effect_sigma: float = 1.0
    effect_prior: Literal["lognormal", "halfnormal"] = "lognormal"
    kpi_mean: float = 0.0
    kpi_sd: float = 0.5
    kpi_sign: Literal["positive", "none"] = "positive"


@dataclass(frozen=True)
class ExperimentConfig:
    """One lift test in the likelihood (``engine.model.experiment_lifts``), in the data's indices.

    ``channel``: channel index. ``start``/``end``: first and last period index (inclusive) of the spend change.
    ``spend``: per geo [G] the extra spend of the cell over the window (0 outside the cell); the engine spreads
    it evenly over the window's periods. ``until``: last period index counted in the predicted lift (-1 = every
    period the change reaches, carry-over included). ``lift``/``lift_se``: the measurement, in KPI units.
    """

    name: str
    channel: int
    start: int
    end: int
    spend: tuple[float, ...]
    lift: float
    lift_se: float
    until: int = -1
    # False: the lift is predicted (``experiment_lift``) but not in the likelihood — what the data alone say about
    # the test, for the consistency check (``mmm_core.fit.experiment_check``).
    observed: bool = True


@dataclass(frozen=True)
class ControlSelectionConfig:
    """Bayesian selection over some controls (``selected``: indices in the data's control order), on the effect of
    one control sd as a share of mean KPI (the unit of ``gamma_control``). Priors in ``mmm_core.engine.controls``.

    ``horseshoe``: regularized horseshoe; ``expected_nonzero`` (p0) sets the global scale tau0 = p0 / (D - p0) /
    sqrt(n) times the noise sd (Piironen & Vehtari 2017), ``slab_scale``/``slab_df`` the slab that bounds kept
    effects. ``spike_slab``: continuous mixture p·N(0, slab²) + (1 - p)·N(0, spike²) with ``prior_inclusion`` p.
    ``lasso``: Laplace(0, b), b ~ HalfNormal(``slab_scale``). ``negligible``: the effect size below which a control
    counts as "not included" (the lasso's inclusion measure; also the spike's scale).
    """

    method: Literal["horseshoe", "spike_slab", "lasso"]
    selected: tuple[int, ...]
    expected_nonzero: float = 3.0
    slab_scale: float = 0.3
    slab_df: float = 4.0
    prior_inclusion: float = 0.3
    negligible: float = 0.005


@dataclass(frozen=True)
class ModelConfig:
    """What to fit. Per-channel fields accept one value for all channels or a tuple, one per channel.

    Media priors (all on interpretable scales; the engine turns them into priors on its unit-scale
    parameters using the data's scale factors):

    - ``effect_share``: prior median of each channel's contribution as a share of mean KPI (additive) or of
      its log-lift (multiplicative). Default: ``media_share_total`` split equally over channels.
    - ``roi``: prior median ROI (KPI units per spend unit) per channel; when given it replaces
      ``effect_share``. ``beta_log_sd`` is the log-scale spread of either (0.8 ≈ a factor 2.2 either way).
    - ``half_life`` (periods) and ``half_life_log_sd``: prior median and log-scale spread of the adstock
      half-life. The engine samples the decay rate alpha = 0.5**(1/half_life) on the logit scale (better
      geometry near alpha = 0); the spread is carried over by the delta method at the median.
    - ``delay`` (periods to peak) and ``delay_sd``: delayed adstock peak prior (half-normal around it).
    - ``half_point`` (multiple of the channel's mean non-zero spend) and ``half_point_log_sd``: saturation
      half-point prior; keeping it near the observed spend range is what keeps saturation identifiable.
    - ``hill_slope`` and ``hill_slope_log_sd``: Hill shape prior.
    - ``national``: channels entering as national regressors (one national series, one coefficient for all geos).

    Defaults are for direct engine use (tests, benchmarks). A fit sets every field the spec covers from the
    locked spec (``mmm_core.fit.inputs.model_config``), so the spec's defaults govern fits; where the two differ
    (saturation hill vs logistic, half-life 1.0/0.7 vs 1.5/0.8, half-point sd 0.5 vs 0.7, Hill slope 1.5/0.35 vs
    1.0/0.5, effect sd 0.8 vs 1.0, pooling partial vs full) the engine's value never reaches a fit. Engine-only
    priors with no spec field: ``media_share_total``, ``trend_sd``, ``seasonality_sd``, ``control_sd``,
    ``geo_sd``, ``geo_effects`` (a sampling choice), ``noise_sd``, ``student_t_df``
    (``mmm_core.fit.inputs.ENGINE_ONLY``).
    """

    adstock: Adstock | tuple[Adstock, ...] = "geometric"
    l_max: int | tuple[int, ...] = 8  # a tuple becomes l_max = max and channel_l_max = the tuple
    saturation: Saturation | tuple[Saturation, ...] = "hill"
    media_share_total: float = 0.3
    effect_share: float | tuple[float, ...] | None = None
    roi: float | tuple[float, ...] | None = None
    beta_log_sd: float | tuple[float, ...] = 0.8
    half_life: float | tuple[float, ...] = 1.0
    half_life_log_sd: float | tuple[float, ...] = 0.7
    delay: float | tuple[float, ...] = 1.0
    delay_sd: float | tuple[float, ...] = 1.5
    half_point: float | tuple[float, ...] = 1.0
    half_point_log_sd: float | tuple[float, ...] = 0.5
    hill_slope: float | tuple[float, ...] = 1.5
    hill_slope_log_sd: float | tuple[float, ...] = 0.35
    channel_l_max: tuple[int, ...] = ()  # per-channel maximum lag (weights beyond it are zero); empty = l_max
    trend: Literal["none", "linear", "piecewise", "local_level"] = "linear"  # local_level: engine.trend
    changepoints: tuple[float, ...] = ()  # positions in the [0, 1] time index; piecewise only
    trend_sd: float = 0.3  # change of the KPI over the whole span, as a share of mean KPI
    seasonality_order: int = 2
    seasonality_period: float = 52.1775  # in periods (weeks per year by default)
    seasonality_sd: float = 0.2
    control_sd: float = 0.3  # effect of one standard deviation of a control, share of mean KPI
    control_sign: tuple[int, ...] = ()  # per control: +1, -1 or 0 (free); empty = all free
    pooling: Literal["none", "partial", "full"] = "partial"  # of media effects across geos (log scale)
    # between-geo spread of log media effects: log-normal prior with HalfNormal(geo_sd)'s median and 99th percentile
    # (zero-avoiding: engine.model.geo_spread_prior)
    geo_sd: float = 0.3
    # How partial pooling's geo x channel deviations are sampled (the same model either way): "noncentred" samples
    # z ~ Normal(0, 1) with log beta_gc = log beta_c + tau z; "centred" samples log beta_gc ~ Normal(log beta_c, tau).
    # Which mixes better depends on how firmly the data pin each cell (engine.centring); "auto": a short pilot of
    # both forms at the start of warm-up picks one, non-centred unless the centred form is clearly cheaper.
    geo_effects: Literal["auto", "noncentred", "centred"] = "auto"
    likelihood: Literal["additive", "multiplicative"] = "additive"
    noise: Literal["normal", "student_t"] = "normal"
    student_t_df: float = 5.0
    noise_sd: float = 0.2  # half-normal prior scale of residual sd, share of mean KPI
    holdout: int = 0  # last N periods excluded from the likelihood
    mediators: tuple[MediatorConfig, ...] = ()  # empty: the plain MMM, numerically unchanged
    # Per channel: a national regressor — its curve reads the national total (the sum of its spend over geos; the
    # per-geo split is bookkeeping) and one coefficient is shared by every geo (no geo deviation, whatever the
    # pooling). False: the channel's own series and coefficient per geo.
    national: bool | tuple[bool, ...] = False
    # Lift tests calibrating the model: each adds Normal(lift | the model's own counterfactual lift, lift_se).
    experiments: tuple[ExperimentConfig, ...] = ()
    # Bayesian selection over (precision) controls; None: every control gets the plain prior (engine.controls).
    control_selection: ControlSelectionConfig | None = None

    def __post_init__(self) -> None:
        if isinstance(self.l_max, tuple):  # per-channel lags: one lag tensor of the longest, masked weights
            object.__setattr__(self, "channel_l_max", tuple(int(x) for x in self.l_max))
            object.__setattr__(self, "l_max", max(self.channel_l_max))

    def lag_mask(self, n_channels: int):
        """[l_max, C] 1.0 where lag l is within the channel's maximum lag (all ones without channel_l_max)."""
        lags = np.array(self.channel_l_max or (self.l_max,) * n_channels)
        return (np.arange(self.l_max)[:, None] < lags[None, :]).astype(np.float32)

    def per_channel(self, name: str, n_channels: int) -> tuple:
        """Field ``name`` expanded to one value per channel; a tuple of the wrong length is refused."""
        value = getattr(self, name)
        if isinstance(value, tuple):
            if len(value) != n_channels:
                raise EngineConfigError(
                    f"{name} has {len(value)} values but the data has {n_channels} channels.",
                    hint=f"Give one {name} per channel, in the data's channel order, or a single value.",
                )
            return value
        return (value,) * n_channels

    def validate(self, n_channels: int, n_controls: int, n_periods: int) -> None:
        """Refuse, with a reason, any setting the engine would otherwise have to ignore or guess."""
        for name, allowed in (("adstock", {"geometric", "delayed"}), ("saturation", {"hill", "logistic"})):
            bad = set(self.per_channel(name, n_channels)) - allowed
            if bad:
                raise EngineConfigError(f"Unknown {name} {sorted(bad)}.", hint=f"Use one of {sorted(allowed)}.")
        for name in (
            "effect_share",
            "roi",
            "half_life",
            "delay",
            "half_point",
            "beta_log_sd",
            "half_life_log_sd",
            "delay_sd",
            "half_point_log_sd",
            "hill_slope",
            "hill_slope_log_sd",
            "national",
        ):
            if getattr(self, name) is not None:
                self.per_channel(name, n_channels)
        if self.channel_l_max and len(self.channel_l_max) != n_channels:
            raise EngineConfigError(
                f"l_max has {len(self.channel_l_max)} values for {n_channels} channels.",
                hint="One l_max per channel, or a single value.",
            )
        if self.l_max < 1 or any(x < 1 for x in self.channel_l_max):
            raise EngineConfigError("l_max must be at least 1.", hint="Use 8 for weekly data.")
        if self.trend == "piecewise" and not self.changepoints:
            raise EngineConfigError("A piecewise trend needs changepoints.", hint="e.g. changepoints=(0.5,).")
        if self.trend != "piecewise" and self.changepoints:
            raise EngineConfigError("changepoints given but trend is not 'piecewise'.", hint="Set trend.")
        if any(not 0.0 < c < 1.0 for c in self.changepoints):
            raise EngineConfigError("changepoints must lie strictly inside (0, 1).", hint="Fractions of time.")
        if self.control_sign and len(self.control_sign) != n_controls:
            raise EngineConfigError(
                f"control_sign has {len(self.control_sign)} values for {n_controls} controls.",
                hint="One of +1, -1, 0 per control, in the data's control order.",
            )
        if any(s not in (-1, 0, 1) for s in self.control_sign):
            raise EngineConfigError("control_sign values must be +1, -1 or 0.", hint="0 means unconstrained.")
        problem = holdout_problem(self.holdout, n_periods)
        if problem:
            raise EngineConfigError(problem[0].upper() + problem[1:] + ".", hint=HOLDOUT_HINT)
        if self.pooling not in ("none", "partial", "full"):
            raise EngineConfigError(f"Unknown pooling {self.pooling!r}.", hint="none, partial or full.")
        if self.geo_effects not in ("auto", "noncentred", "centred"):
            raise EngineConfigError(f"Unknown geo_effects {self.geo_effects!r}.", hint="auto, noncentred or centred.")
        if self.likelihood not in ("additive", "multiplicative"):
            raise EngineConfigError(f"Unknown likelihood {self.likelihood!r}.", hint="additive or multiplicative.")
        if self.noise not in ("normal", "student_t"):
            raise EngineConfigError(f"Unknown noise {self.noise!r}.", hint="normal or student_t.")
        if self.seasonality_order < 0 or self.seasonality_period <= 1:
            raise EngineConfigError("Seasonality order must be >= 0 and period > 1.", hint="e.g. 2 and 52.18.")
        for m in self.mediators:
            if not m.channels or any(not 0 <= c < n_channels for c in m.channels):
                raise EngineConfigError(
                    f"Mediator {m.name!r} needs feeding channels among the {n_channels}.",
                    hint="Channel indices in the data's channel order.",
                )
            if m.kind not in ("observed", "sparse", "latent") or {m.sign, m.kpi_sign} - {"positive", "none"}:
                raise EngineConfigError(
                    f"Mediator {m.name!r}: unknown type {m.kind!r} or sign {m.sign!r} / {m.kpi_sign!r}."
                )
            if m.effect_prior not in ("lognormal", "halfnormal"):
                raise EngineConfigError(f"Mediator {m.name!r}: unknown effect prior {m.effect_prior!r}.")
            if m.effect_median <= 0 or m.effect_sigma <= 0 or m.kpi_sd <= 0:
                raise EngineConfigError(f"Mediator {m.name!r}: prior scales must be positive.")

        self._validate_experiments(n_channels, n_periods)
        self._validate_control_selection(n_controls)

    def _validate_experiments(self, n_channels: int, n_periods: int) -> None:
        for e in self.experiments:
            if not 0 <= e.channel < n_channels or not 0 <= e.start <= e.end < n_periods:
                raise EngineConfigError(
                    f"Experiment {e.name!r}: channel {e.channel} or window {e.start}…{e.end} is outside the data.",
                    hint="Channel and period indices of the data.",
                )
            if e.lift_se <= 0 or not np.isfinite([e.lift, e.lift_se, *e.spend]).all():
                raise EngineConfigError(f"Experiment {e.name!r}: lift, its se (> 0) and spend must be finite.")
            if e.until != -1 and e.until < e.end:
                raise EngineConfigError(f"Experiment {e.name!r}: the measured window ends before the test.")

    def _validate_control_selection(self, n_controls: int) -> None:
        sel = self.control_selection
        if sel is None:
            return
        if sel.method not in ("horseshoe", "spike_slab", "lasso"):
            raise EngineConfigError(f"Unknown control selection {sel.method!r}.", hint="horseshoe, spike_slab, lasso.")
        if (
            not sel.selected
            or any(not 0 <= k < n_controls for k in sel.selected)
            or len(set(sel.selected)) < len(sel.selected)
        ):
            raise EngineConfigError(
                f"Control selection needs distinct control indices among the {n_controls} controls.",
                hint="Indices in the data's control order.",
            )
        if not 0 < sel.expected_nonzero < len(sel.selected) and sel.method == "horseshoe":
            raise EngineConfigError(
                f"expected_nonzero {sel.expected_nonzero} must lie strictly between 0 and the {len(sel.selected)} "
                "selected controls.",
                hint="The number of controls you expect to matter, e.g. 3 of 20.",
            )
        if min(sel.slab_scale, sel.slab_df, sel.negligible) <= 0 or not 0 < sel.prior_inclusion < 1:
            raise EngineConfigError(
                "Control selection scales must be positive and the prior inclusion inside (0, 1).",
                hint="Defaults: slab_scale 0.3, slab_df 4, negligible 0.005, prior_inclusion 0.3.",
            )

    def n_fourier(self) -> int:
        return 2 * self.seasonality_order


DEFAULT_CONFIG = ModelConfig()
__all__ = [
    "ControlSelectionConfig",
    "ExperimentConfig",
    "ModelConfig",
    "MediatorConfig",
    "EngineConfigError",
    "DEFAULT_CONFIG",
]
