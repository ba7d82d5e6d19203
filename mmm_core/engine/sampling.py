"""NUTS with chains in parallel and progress callbacks.

NUTS runs as one compiled kernel `step × chunk` (``lax.scan`` inside ``pmap`` over chains), called for
warm-up and sampling alike: progress is reported between chunks without recompiling (NumPyro's
``MCMC.run`` rebuilds its pmapped function on every call). Kernels are cached per (config, data shape,
sampler settings) in-process, and on disk by JAX's persistent compilation cache (see ``engine.setup``).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from functools import partial
from typing import Callable, NamedTuple

import jax
import numpy as np
from numpyro.infer.hmc import hmc

from mmm_core.engine.centring import (
    FORMS,
    PILOT_CHUNK,
    FormRun,
    form_config,
    geo_effects_record,
    needs_pilot,
    pilot_chunks,
    run_pilot,
)
from mmm_core.engine.config import ModelConfig
from mmm_core.engine.data import ModelData, ScaledData, scale_data
from mmm_core.engine.executables import compiled
from mmm_core.engine.idata import to_idata
from mmm_core.engine.kernels import constrain, initial_z, model_args, model_functions, n_latent
from mmm_core.engine.mass import (
    StagedSchedule,
    denoised_covariance,
    resolve_target_accept,
    staged_schedule,
    wants_staging,
)
from mmm_core.engine.quick import ravel
from mmm_core.engine.result import FitResult
from mmm_core.engine.starts import LAPLACE_START_MAX, laplace_start_point
from mmm_core.engine.timing import PhaseTimer

ProgressCallback = Callable[[float, str], None]
_STAT_FIELDS = ("diverging", "energy", "num_steps", "accept_prob", "potential_energy")
_RUNNERS: dict = {}
DENSE_MASS_MAX = 100  # above this, diagonal: a dense estimate from a short warm-up is too noisy


def _as_scaled(data: ModelData | ScaledData, config: ModelConfig) -> ScaledData:
    return data if isinstance(data, ScaledData) else scale_data(data, config)


def _chunk_size(warmup: int, draws: int, target_chunks: int = 8, max_chunk: int | None = None) -> int:
    """Largest divisor of gcd(warmup, draws) giving at least ~target_chunks calls (progress granularity), at most
    ``max_chunk`` iterations (the geo pilot's: ``centring.PILOT_CHUNK``)."""
    g = math.gcd(warmup, draws) if warmup else draws
    limit = max(1, min((warmup + draws) // target_chunks, max_chunk or warmup + draws))
    best = 1
    for d in range(1, g + 1):
        if g % d == 0 and d <= limit:
            best = d
    return best


def chain_method(chains: int) -> str:
    """``parallel`` (pmap, a device per chain) when JAX has enough devices, else ``vectorized`` (vmap on one).

    Devices come from ``engine.setup()``; without it JAX has one CPU device and chains are vectorised: slower,
    never wrong. The two paths draw different numbers for the same seed (other floating-point order), so
    the method is recorded with every fit."""
    return "parallel" if chains <= jax.local_device_count() else "vectorized"


def _runner(
    config: ModelConfig,
    data: ScaledData,
    chains: int,
    warmup: int,
    chunk: int,
    target_accept: float,
    max_tree_depth: int,
    dense: bool,
    adapt_mass: bool = True,
):
    """Compiled pieces for this model/shape/settings, built once per process (dict of callables).
    ``adapt_mass=False``: the warm-up adapts the step size only, at the inverse mass matrix given to init."""
    key = _runner_key(config, data, chains, warmup, chunk, target_accept, max_tree_depth, dense, adapt_mass)
    if key in _RUNNERS:
        return _RUNNERS[key]
    fns = model_functions(config)
    # NumPyro's functional HMC API: the potential takes the data as traced arguments.
    init_kernel, sample_kernel = hmc(potential_fn_gen=fns["potential_gen"], algo="NUTS")

    def init_one(z, rng_key, args, inverse_mass=None):
        return init_kernel(
            z,
            warmup,
            inverse_mass_matrix=inverse_mass,
            target_accept_prob=target_accept,
            max_tree_depth=max_tree_depth,
            dense_mass=dense,
            adapt_mass_matrix=adapt_mass,
            model_args=args,
            rng_key=rng_key,
        )

    def run_chunk(state, args):
        def step(s, _):
            s = sample_kernel(s, model_args=args)
            return s, (s.z, s.diverging, s.energy, s.num_steps, s.accept_prob, s.potential_energy)

        return jax.lax.scan(step, state, None, length=chunk)

    method = chain_method(chains)
    mapped = (
        jax.pmap(run_chunk, in_axes=(0, None))
        if method == "parallel"
        else jax.jit(jax.vmap(run_chunk, in_axes=(0, None)))
    )
    runner = dict(fns, init=jax.jit(jax.vmap(init_one, in_axes=(0, 0, None, None))), run=mapped, chain_method=method)
    runner["static"] = (config, chains, warmup, chunk, target_accept, max_tree_depth, dense, adapt_mass, method)
    _RUNNERS[key] = runner
    return runner


def sample_nuts(
    data: ModelData | ScaledData,
    config: ModelConfig,
    chains: int = 2,
    warmup: int = 1000,
    draws: int = 1000,
    seed: int = 0,
    target_accept: float | None = None,
    max_tree_depth: int = 10,
    progress_callback: ProgressCallback | None = None,
    dense_mass: bool | None = None,
    laplace_start: bool | None = None,
) -> FitResult:
    """Sample the posterior with NUTS, ``chains`` in parallel. Same data + config + seed → same draws.

    ``progress_callback(fraction, message)`` is called between chunks of iterations (~8 per fit).
    ``dense_mass``: adapt a full mass matrix (default when there are at most DENSE_MASS_MAX latent
    dimensions: it absorbs the beta / half-point / intercept correlations, so fewer leapfrog steps per draw). Left
    None above that and up to LAPLACE_START_MAX, with enough warm-up, the warm-up is staged: diagonal, then a dense
    mass estimated from draws (``engine.mass``; its record in ``extra["staged_mass"]``).
    ``target_accept`` (default: ``engine.mass.STAGED_TARGET_ACCEPT`` for a staged warm-up, else
    DEFAULT_TARGET_ACCEPT); the value used is ``extra["target_accept"]``.
    ``laplace_start`` (default: at most LAPLACE_START_MAX latent dimensions): start the chains at draws from the
    Laplace approximation at the mode (quick mode's) and use its covariance (or its diagonal) as the first inverse
    mass matrix; see ``engine.starts``. Falls back to NumPyro's uniform start when the mode has a flat direction.
    A partially pooled geo panel with ``config.geo_effects="auto"`` starts with a pilot of both forms of the geo
    effects (``engine.centring``): the first 50 warm-up iterations of each, the cheaper carrying on; the form and
    the pilot's figures are in ``extra["geo_effects"]`` (None where there is no choice), its time in the ``pilot``
    phase. ``result.config`` stays as given.
    """
    t0 = time.perf_counter()
    timer = PhaseTimer()
    with timer.phase("prepare"):  # scaling, tracing the model, the initial point and the sampler's state
        sd = _as_scaled(data, config)
        args = model_args(sd)
        plan = chain_plan(config, sd, n_latent(config, args), chains, warmup, draws, dense_mass, laplace_start)
        dense, use_laplace, pilot_wanted, chunk, schedule = plan
        n_chunks = (warmup + draws) // chunk
        target_accept = plan.target_accept(target_accept)
    first = plan.first_warmup(warmup)
    settings = _ChainSettings(
        chains, first, draws, chunk, target_accept, max_tree_depth, dense, use_laplace, seed, warmup
    )
    n_pilot = pilot_chunks(first, chunk) if pilot_wanted else 0
    pilot = None
    if n_pilot:  # "auto" geo effects: both forms run the first warm-up chunk(s), the cheaper carries on
        kept, pilot = run_pilot(partial(_pilot_form, config, sd, args, settings, n_pilot, timer, progress_callback))
        runner, state, started_laplace = kept.runner, kept.state, kept.laplace_start
    else:
        runner, state, started_laplace = _setup_chains(config, sd, args, settings, timer)
    collected, estimate, mass = [], [], None
    warmup_steps = [kept.steps.mean(0)] if n_pilot else []  # the kept form's pilot chunks were its warm-up
    for i in range(n_pilot, n_chunks):
        if schedule and i * chunk == schedule.diagonal + schedule.estimate:  # the staged warm-up's dense stage
            runner, state, mass = _dense_stage(runner, sd, args, settings, state, estimate, schedule, timer)
        phase = "warm-up" if (i + 1) * chunk <= warmup else "sampling"
        with timer.phase(phase.replace("-", "")):
            state, out = runner["run"](state, args)
            jax.block_until_ready(state.z)
            if (i + 1) * chunk > warmup:
                collected.append(jax.device_get(out))
            else:
                warmup_steps.append(np.asarray(out[3]).mean(0))
            if schedule and schedule.diagonal < (i + 1) * chunk <= schedule.diagonal + schedule.estimate:
                estimate.append(jax.device_get(out[0]))
        if progress_callback is not None:
            progress_callback((i + 1) / n_chunks, f"{phase}: {(i + 1) * chunk}/{warmup + draws} iterations")
    with timer.phase("constrain"):
        z = _merge_z([c[0] for c in collected])
        stat_dict = {n: np.concatenate([c[j + 1] for c in collected], axis=1) for j, n in enumerate(_STAT_FIELDS)}
        samples = constrain(runner, args, z)
    wall = time.perf_counter() - t0
    compile_time = timer.phases.get("compile", {}).get("wall_s", 0.0)  # both forms' kernels when there was a pilot
    idata = partial(to_idata, samples, stat_dict, sd)
    return FitResult(
        engine="numpyro",
        samples=samples,
        idata_builder=idata,
        config=config,  # as asked: "auto" stays "auto" (same model, same downstream kernels); the form is in extra
        data=sd,
        chains=chains,
        warmup=warmup,
        draws=draws,
        seed=seed,
        wall_time=wall,
        compile_time=compile_time,
        extra={
            "target_accept": target_accept,
            "chain_method": runner["chain_method"],
            "chunk": chunk,
            "dense_mass": dense,
            "staged_mass": mass,
            "laplace_start": started_laplace,
            "mean_tree_steps": float(stat_dict["num_steps"].mean()),
            "warmup_steps_per_25": _window_means(warmup_steps, 25),
            "geo_effects": geo_effects_record(runner["config"], *sd.spend.shape[1:], pilot, use_laplace),
            "phases": timer.to_dict(),
        },
    )


@dataclass(frozen=True)
class _ChainSettings:
    chains: int
    warmup: int
    draws: int
    chunk: int
    target_accept: float
    max_tree_depth: int
    dense: bool
    laplace: bool
    seed: int
    fit_warmup: int  # the fit's whole warm-up (``warmup`` is the first kernel's: its first stage when staged)


def _setup_chains(config: ModelConfig, sd: ScaledData, args, s: _ChainSettings, timer: PhaseTimer):
    """(runner, initial NUTS state, started from the Laplace approximation?) for ``config``; compiling (or loading)
    its chunk kernel is timed as the ``compile`` phase."""
    with timer.phase("prepare"):
        key = (s.chains, s.warmup, s.chunk, s.target_accept, s.max_tree_depth, s.dense)
        fresh = _runner_key_missing(config, sd, *key)
        runner = _runner(config, sd, *key)
        key_init, key_run = jax.random.split(jax.random.PRNGKey(s.seed))
        start = laplace_start_point(runner, args, config, s.chains, s.seed, s.dense) if s.laplace else None
        z0, inverse_mass = start or (initial_z(runner, args, s.chains, key_init), None)
        init_args = (z0, jax.random.split(key_run, s.chains), args, inverse_mass)
        state = compiled("nuts_init", runner["init"], init_args, runner["static"])(*init_args)
    if fresh:
        _compile_chunk(runner, init_args, state, args, timer)
    return runner, state, start is not None


def _compile_chunk(runner: dict, init_args, state, args, timer: PhaseTimer) -> None:
    """Compile (or load) the runner's chunk ahead of time, so the compile share of the wall time is measured."""
    with timer.phase("compile"):
        # NumPyro's functional NUTS sets the sample kernel's settings (tree depth...) while its init is traced:
        # a loaded init never was, so tracing the chunk needs that trace first (abstract: nothing compiled)
        trace_init = partial(jax.eval_shape, runner["init"], *init_args)
        runner["run"] = compiled("nuts_chunk", runner["run"], (state, args), runner["static"], before_trace=trace_init)


class ChainPlan(NamedTuple):
    """How ``sample_nuts`` runs the chains: mass matrix, start, geo pilot, chunk length, staged warm-up (or None)."""

    dense: bool
    laplace_start: bool
    pilot: bool
    chunk: int
    schedule: StagedSchedule | None

    def first_warmup(self, warmup: int) -> int:
        """The warm-up the first (or only) kernel adapts over: a staged warm-up's diagonal stage, else all of it."""
        return self.schedule.diagonal if self.schedule else warmup

    def target_accept(self, asked: float | None) -> float:
        """NUTS target acceptance: the one asked for, else the engine's for this plan (``engine.mass``)."""
        return resolve_target_accept(asked, staged=self.schedule is not None)


def chain_plan(config, sd, n: int, chains: int, warmup: int, draws: int, dense_mass=None, laplace_start=None):
    """The ``ChainPlan`` for ``n`` latent dimensions (also what ``engine.ahead`` compiles for).

    The pilot's window was measured from Laplace starts; from NumPyro's random start (enterprise size) it chose the
    centred form, whose sampling then ran ~10x the non-centred form's leapfrog steps: no pilot there. The warm-up
    is staged (``engine.mass``) between the dense and the uniform-start sizes when no mass matrix was asked for.
    The chunk is at most the pilot's (``centring.PILOT_CHUNK``); a staged warm-up needs ~20 chunks to split."""
    dense, start = mass_and_start(n, dense_mass, laplace_start)
    pilot = needs_pilot(config, *sd.spend.shape[1:]) and start
    staged = dense_mass is None and start and wants_staging(n, chains, warmup, DENSE_MASS_MAX, LAPLACE_START_MAX)
    limits = ([PILOT_CHUNK] if pilot else []) + ([max(1, warmup // 20)] if staged else [])
    chunk = _chunk_size(warmup, draws, max_chunk=min(limits) if limits else None)
    return ChainPlan(dense, start, pilot, chunk, staged_schedule(warmup, chunk) if staged else None)


def _dense_stage(
    runner: dict, sd: ScaledData, args, s: _ChainSettings, state, estimate: list, schedule: StagedSchedule, timer
):
    """(runner, state, record) for a staged warm-up's last stage (``engine.mass``): the dense inverse mass matrix
    from the draws at the diagonal mass (``estimate``: their unconstrained chunks), a kernel that adapts only the
    step size over ``schedule.dense`` iterations, started where each chain is."""
    with timer.phase("mass"):
        # sites in sorted order, as NumPyro flattens the state its mass matrix acts on
        est = denoised_covariance(ravel(_merge_z(estimate), lead=2))
    with timer.phase("prepare"):
        config = runner["config"]
        key = (s.chains, schedule.dense, s.chunk, s.target_accept, s.max_tree_depth, True, False)
        fresh = _runner_key_missing(config, sd, *key)
        dense_runner = _runner(config, sd, *key)
        keys = jax.random.split(jax.random.fold_in(jax.random.PRNGKey(s.seed), 1), s.chains)
        init_args = (jax.device_get(state.z), keys, args, np.asarray(est.covariance, np.float32))
        new_state = compiled("nuts_init", dense_runner["init"], init_args, dense_runner["static"])(*init_args)
    if fresh:
        _compile_chunk(dense_runner, init_args, new_state, args, timer)
    stages = dict(diagonal_warmup=schedule.diagonal, estimate_draws=schedule.estimate, dense_warmup=schedule.dense)
    return dense_runner, new_state, stages | est.record()


def _pilot_form(
    config: ModelConfig,
    sd: ScaledData,
    args,
    s: _ChainSettings,
    n_chunks: int,
    timer: PhaseTimer,
    progress_callback: ProgressCallback | None,
    form: str,
) -> FormRun:
    """Set up ``form``'s chains and run its first ``n_chunks`` warm-up chunks (``engine.centring``)."""
    t0 = time.perf_counter()
    runner, state, started_laplace = _setup_chains(form_config(config, form), sd, args, s, timer)
    steps, diverging = [], []
    for i in range(n_chunks):
        with timer.phase("pilot"):
            state, out = runner["run"](state, args)
            jax.block_until_ready(state.z)
            diverging.append(np.asarray(out[1]))
            steps.append(np.asarray(out[3]))
        if progress_callback is not None:
            # both forms' pilot chunks share the progress of the kept form's: n_chunks of the fit's chunks
            done = (i + 1 + (n_chunks if form == FORMS[1] else 0)) / 2
            msg = f"warm-up pilot, {form} geo effects: {(i + 1) * s.chunk}/{s.fit_warmup} iterations"
            progress_callback(done * s.chunk / (s.fit_warmup + s.draws), msg)
    wall = time.perf_counter() - t0
    return FormRun(form, runner, state, np.concatenate(steps, 1), np.concatenate(diverging, 1), wall, started_laplace)


def mass_and_start(n_latent: int, dense_mass: bool | None, laplace_start: bool | None) -> tuple[bool, bool]:
    """(dense mass?, Laplace start?) for a posterior of ``n_latent`` dimensions; explicit choices win.

    A geo panel with partial pooling (geo_medium: 129 dimensions) keeps a diagonal mass matrix but starts from the
    Laplace approximation too. Measured at 2 x (1000 + 1000), same seed, one run each on the loaded machine (CPU
    seconds): from the uniform start warm-up took 149 s and the whole sampler 224 s, 63 leapfrog steps per draw, min /
    median bulk ESS 472 / 3,052 (3.7 / 24.2 per 1,000 gradients); from the Laplace start 69 s and 147 s, 61 steps,
    595 / 3,508 (4.8 / 28.6). Not kept, measured: one dense block over the shared sites and per-geo trends (diagonal
    for each geo's level, noise and geo x channel deviations) cut the steps to 41 but not the gradients per effective
    draw (3.5 / 26.8 per 1,000; better at 2 x (250 + 250), worse here); a fully dense 129-dimension mass matrix was
    over 3x slower; a tree depth of 5 (31 steps) lost ESS per gradient (4.1 / 19.8 vs 5.6 / 26.1 at 250 + 250).
    The model's trend and seasonality on the totals' axes (``engine.axes``; same model) then took geo_medium to 31
    steps per draw and min / median bulk ESS per 1,000 gradients 12.0 / 59.5 (from 63 and 5.0 / 32.2, same run
    settings, ``bench/geo_geometry.py``). nutpie's low-rank mass matrix on this potential was far worse (over 200
    gradients per iteration at 2 x (300 + 300), unfinished in 15 min; its diagonal adaptation at 2 x (100 + 100):
    514 steps per draw, R-hat 3.2).
    """
    dense = n_latent <= DENSE_MASS_MAX if dense_mass is None else dense_mass
    start = n_latent <= LAPLACE_START_MAX if laplace_start is None else laplace_start
    return dense, start


def _runner_key(config, sd, chains, warmup, chunk, ta, depth, dense, adapt_mass=True) -> tuple:
    """The key ``_runner`` caches its compiled pieces under."""
    shapes = tuple((k, np.shape(v)) for k, v in sd.arrays().items())
    return (config, shapes, sd.control_sign, chains, warmup, chunk, ta, depth, dense, adapt_mass)


def _runner_key_missing(config, sd, *settings) -> bool:
    return _runner_key(config, sd, *settings) not in _RUNNERS


def _window_means(steps: list[np.ndarray], window: int) -> list[float]:
    """Leapfrog steps per iteration of the warm-up (mean over chains), averaged over windows of ``window``
    iterations: how the cost settled as the step size and mass matrix adapted (what the geo pilot relies on)."""
    if not steps:
        return []
    x = np.concatenate(steps)
    return [round(float(x[i : i + window].mean()), 1) for i in range(0, len(x), window)]


def _merge_z(zs: list[dict]) -> dict[str, np.ndarray]:
    """Concatenate per-chunk unconstrained draws along the draw axis: {site: [chains, draws, ...]}."""
    return {k: np.concatenate([z[k] for z in zs], axis=1) for k in zs[0]}
