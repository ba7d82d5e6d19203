"""Fit speed: our NumPyro engine vs pymc-marketing's MMM (numpyro sampler and default PyMC sampler).

One process, identical data (mmm_core.synth.make presets) and identical chains / warm-up / draws. The NUTS target
acceptance is each side's own unless ``--target-accept`` sets both: ours the engine's (0.85 for a staged geo fit,
``engine.mass``; else 0.9), pymc-marketing 0.9 (PyMC Labs' configuration); the baseline table prints both.
Prints wall time (including compilation and model building), min bulk ESS over each model's free
parameters and over the per-channel ROI (the quantity both engines estimate), ESS/s, and the ratios; plus
quick-mode time. ``--cold`` turns JAX's persistent compilation cache off (first-ever-run figures).

First, ``mmm-agent fit`` as a whole process (``_fit_process``): a national case (156 weeks, 5 channels) fitted
by the real command in a child process, cold (fresh JAX cache) and warm (second run), with the fit's phase table
(wall and CPU per phase), beside the same command with ``--engine pymc-marketing`` (numpyro sampler) cold and warm:
whole-process ESS/s, the ratio, each target (<= 10 s warm, <= 20 s cold, >= 5x) met or not, and the load average;
with the default preset only. ``--whole-process-only`` stops there; ``--skip-whole-process`` skips it;
``--skip-pymc-process`` leaves pymc-marketing's processes out.

``--baseline VARIANT:SAMPLER`` (repeatable; ``_pymc_labs``): the fair geo baseline, pymc-marketing configured as PyMC
Labs' benchmark configured it (``labs``) or at its defaults (``default``), sampled with ``nutpie`` (numba) or
``numpyro``, same data, chains, warm-up and draws; a table of min and median bulk ESS/s over every scalar of each
side's free parameters, whether each side converged (max R-hat <= 1.01, <= 1% divergent) and ours / theirs.

    python bench/fit_speed.py                          # national_small, 2 x (1000 + 1000)
    python bench/fit_speed.py --preset geo_medium --warmup 500 --draws 500
    python bench/fit_speed.py --preset enterprise --quick-only      # quick mode time and peak memory
    python bench/fit_speed.py --whole-process-only                  # `mmm-agent fit` cold and warm, by phase
    python bench/fit_speed.py --preset geo_medium --skip-pymc-default --skip-pymc-numpyro-default \
        --baseline labs:nutpie --baseline labs:numpyro                # the fair geo baseline
    python bench/fit_speed.py --preset medium_business --skip-pymc-default --baseline labs:nutpie   # on their data

``--preset small_business|medium_business``: PyMC Labs' own generated data (``data/pymc_labs_*``, their seed),
fitted with our default spec as a user gets it (``bench/_pymc_labs_data.py::model_inputs``); ``--seed`` and
``--saturation`` do not apply there.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _pymc_labs import labs_target_accept  # noqa: E402  (light: numpy only)


def _args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--preset", default="national_small")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--chains", type=int, default=2)
    p.add_argument("--warmup", type=int, default=1000)
    p.add_argument("--draws", type=int, default=1000)
    p.add_argument(
        "--target-accept", type=float, default=None, help="both sides (default: ours the engine's, pymc-marketing 0.9)"
    )
    p.add_argument("--saturation", default="hill", choices=["hill", "logistic"])
    p.add_argument("--skip-pymc-default", action="store_true", help="skip the (slow) default PyMC sampler")
    p.add_argument(
        "--pymc-default-draws",
        type=int,
        default=None,
        help="cap warm-up and draws of the default PyMC sampler (stated in the output)",
    )
    p.add_argument(
        "--pymc-shared-shapes",
        action="store_true",
        help="also fit pymc-marketing with one adstock/saturation shape per channel (as ours) on geo data",
    )
    p.add_argument(
        "--skip-pymc-numpyro-default",
        action="store_true",
        help="skip pymc-marketing's default geo model with the numpyro sampler (e.g. already measured)",
    )
    p.add_argument(
        "--baseline",
        action="append",
        default=[],
        metavar="VARIANT:SAMPLER",
        help="pymc-marketing baseline: labs|default : nutpie|numpyro (repeatable); see bench/_pymc_labs.py",
    )
    p.add_argument("--quick-only", action="store_true")
    p.add_argument("--cold", action="store_true", help="disable JAX's persistent compilation cache")
    p.add_argument("--whole-process-only", action="store_true", help="only time `mmm-agent fit` cold and warm")
    p.add_argument("--skip-whole-process", action="store_true", help="skip the `mmm-agent fit` process timing")
    p.add_argument(
        "--skip-pymc-process", action="store_true", help="whole process: leave out `fit --engine pymc-marketing`"
    )
    return p.parse_args()


def _roi_ess(roi_draws):
    """min bulk ESS over channels of ROI draws [chains, draws, C]."""
    import arviz as az
    import numpy as np

    return float(np.min(az.ess({"roi": roi_draws}, method="bulk")["roi"].values))


def _ours_roi(fit, data):
    pred = fit.predict()
    roi = pred["contributions"].sum(axis=(1, 2)) / data.spend.sum(axis=(0, 1))
    return roi.reshape(fit.chains, fit.draws, -1), pred


def _row(name, fit, roi_draws, free_vars):
    d = fit.diagnostics(free_vars)
    ess_roi = _roi_ess(roi_draws)
    return dict(
        engine=name,
        wall=fit.wall_time,
        ess=d["min_ess_bulk"],
        ess_s=d["min_ess_bulk"] / fit.wall_time,
        ess_roi=ess_roi,
        ess_roi_s=ess_roi / fit.wall_time,
        rhat=d.get("max_rhat", float("nan")),
        div=d.get("divergences", 0),
        roi=roi_draws.reshape(-1, roi_draws.shape[-1]).mean(0),
        draws=f"{fit.chains}x({fit.warmup}+{fit.draws})",
    )


def _mass(extra: dict) -> str:
    """The mass matrix the draws were taken at: dense, diagonal, or staged (``engine.mass``) with its dense stage's
    kept correlation directions."""
    staged = extra.get("staged_mass")
    if staged:
        kept = len(staged["kept_eigenvalues"])
        return f"dense from {staged['draws']} draws at a diagonal mass ({kept} directions kept)"
    return "dense" if extra["dense_mass"] else "diagonal"


def main() -> None:
    a = _args()
    # The whole-process case is national: it runs with the default preset (or alone with --whole-process-only),
    # first, so the child processes share nothing with this one.
    if a.whole_process_only or (a.preset == "national_small" and not a.skip_whole_process):
        from _fit_process import print_whole_process, whole_process

        print_whole_process(whole_process(pymc=not a.skip_pymc_process))
        if a.whole_process_only:
            return
    from mmm_core.engine.setup import CACHE_OFF, setup

    setup(cache_dir=CACHE_OFF if a.cold else None)  # before JAX starts: parallel chains; --cold: no disk cache
    t_import = time.perf_counter()
    from _bench_data import load

    from mmm_core.engine import ModelConfig, fit_pymc_marketing, sample_nuts, sample_quick
    from mmm_core.engine.data import scale_data
    from mmm_core.engine.kernels import latent_sites, model_args, model_functions

    if a.preset in LABS_PRESETS:
        data, config, roi_true, source = _labs_inputs(a.preset)
    else:
        data, roi_true, source = load(a.preset, a.seed)
        config = ModelConfig(saturation=a.saturation)
    t, g, c = data.shape
    print(
        f"preset {a.preset} seed {a.seed} ({source}): {t} periods x {g} geos x {c} channels; "
        f"saturation {a.saturation}; engine import {time.perf_counter() - t_import:.1f} s; "
        f"persistent compile cache {'off' if a.cold else 'on'}"
    )
    q = sample_quick(data, config, seed=a.seed)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
    print(f"quick (MAP + Laplace, {q.label}): {q.wall_time:.2f} s; peak RSS so far {peak:.2f} GB")
    if a.quick_only:
        return
    rows = []
    fit = sample_nuts(
        data, config, chains=a.chains, warmup=a.warmup, draws=a.draws, seed=a.seed, target_accept=a.target_accept
    )
    sd = scale_data(data, config)
    free = sorted(latent_sites(model_functions(config)["model"], model_args(sd)))
    roi, _ = _ours_roi(fit, data)
    rows.append(_row("mmm-agent NumPyro NUTS", fit, roi, free))
    print(
        f"  ours: compile (or persistent-cache load) {fit.compile_time:.1f} s of {fit.wall_time:.1f} s; "
        "mean leapfrog steps "
        f"{fit.extra['mean_tree_steps']:.1f}; mass {_mass(fit.extra)}",
        flush=True,
    )
    runs = [] if a.skip_pymc_numpyro_default or a.baseline else [("numpyro", a.warmup, a.draws, False)]
    if a.pymc_shared_shapes and len(data.geos) > 1:
        runs.append(("numpyro", a.warmup, a.draws, True))
    if not a.skip_pymc_default:
        cap = a.pymc_default_draws
        runs.append(("pymc", cap or a.warmup, cap or a.draws, False))
    for sampler, w, d, shared in runs:
        f = fit_pymc_marketing(
            data,
            config,
            chains=a.chains,
            warmup=w,
            draws=d,
            seed=a.seed,
            sampler=sampler,
            target_accept=labs_target_accept(a.target_accept),
            shared_shapes=shared,
        )
        pm_free = [v.name for v in _free_rvs(data, config, shared)]
        name = "pymc-marketing MMM" + (" (shared shapes)" if shared else "")
        rows.append(_row(f"{name} + {sampler}", f, f.samples["roi"], pm_free))
        print(f"  {rows[-1]['engine']}: {f.wall_time:.1f} s", flush=True)
    if len(rows) > 1:
        _print(rows, roi_true, list(data.channels))
    if a.baseline:
        from _baseline_table import ours_side, print_baseline, run_baselines

        print_baseline(ours_side(fit, free, roi), run_baselines(data, config, a), roi_true, list(data.channels))


# PyMC Labs' own generated data (bench/_pymc_labs_data.py, their benchmark seed): fitted with our default spec.
LABS_PRESETS = ("small_business", "medium_business")


def _labs_inputs(preset: str):
    """(ModelData, our default spec's ModelConfig, true ROI per channel, source) of PyMC Labs' dataset ``preset``:
    the true ROI is the generator's total contribution over total spend (``bench/srmse.py``'s truth)."""
    import tempfile

    from srmse import case_inputs

    data, config, truth = case_inputs(preset, 0, Path(tempfile.mkdtemp(prefix="labs_")))
    roi = truth.sum(axis=(0, 1)) / data.spend.sum(axis=(0, 1))
    return data, config, dict(zip(data.channels, map(float, roi))), "PyMC Labs' generator, seed 2148"


def _free_rvs(data, config, shared_shapes: bool = False):
    """Names of the free random variables of pymc-marketing's model (its 'parameters')."""
    from mmm_core.engine.data import training_mask
    from mmm_core.engine.pymc_engine import _frame, build_mmm

    mmm = build_mmm(data, config, shared_shapes)
    x, y = _frame(data, config, training_mask(data, config).all(axis=1))
    mmm.build_model(x, y)
    return mmm.model.free_RVs


def _print(rows, roi_true, channels) -> None:
    best_pm = max((r for r in rows[1:]), key=lambda r: r["ess_s"])
    best_pm_roi = max((r for r in rows[1:]), key=lambda r: r["ess_roi_s"])
    head = (
        f"{'engine':46s} {'chains x (warm+draws)':>22s} {'wall s':>7s} {'minESS':>7s} {'ESS/s':>7s} "
        f"{'ROI ESS':>8s} {'ROI ESS/s':>9s} {'R-hat':>6s} {'div':>5s}"
    )
    print("\n" + head + "\n" + "-" * len(head))
    for r in rows:
        print(
            f"{r['engine']:46s} {r['draws']:>22s} {r['wall']:7.1f} {r['ess']:7.0f} {r['ess_s']:7.1f} "
            f"{r['ess_roi']:8.0f} {r['ess_roi_s']:9.1f} {r['rhat']:6.3f} {r['div']:5d}"
        )
    ours = rows[0]
    for r in rows:
        if not r["rhat"] <= 1.1:  # NaN included
            print(
                f"\nNOTE: {r['engine']} did not converge (max R-hat {r['rhat']:.2f}); its ESS and any ratio "
                "against it describe unusable draws, not a sampler's speed."
            )
    print(
        f"\nours / best pymc-marketing ({best_pm['engine']}): ESS/s x{ours['ess_s'] / best_pm['ess_s']:.1f}; "
        f"ROI ESS/s x{ours['ess_roi_s'] / best_pm_roi['ess_roi_s']:.1f} (vs {best_pm_roi['engine']}); "
        f"wall x{best_pm['wall'] / ours['wall']:.1f} faster"
    )
    print("\nposterior mean ROI vs truth:")
    for i, ch in enumerate(channels):
        print(
            f"  {ch:12s} truth {roi_true[ch]:6.2f}  "
            + "  ".join(
                f"{r['engine'].split()[0]}"
                f"{'+' + r['engine'].split('+')[-1].strip() if '+' in r['engine'] else ''} {r['roi'][i]:6.2f}"
                for r in rows
            )
        )


if __name__ == "__main__":
    main()
