"""Decision quality: do budget recommendations ever make things worse? Scored against the TRUE response curves.

Many synthetic truths (``_dq_worlds``: two synth presets and five processes that are not our model — Hill and
logistic truths, always-on spend collinear with seasonality, flighted and bursty channels, 2–4 years, national
and geo, noise 2–10%) × seeds, each fitted through the user's path with the default spec (full NUTS,
``--chains`` × (``--warmup`` + ``--draws``)), then planned at the current budget and at +20% over 13 weeks by
each policy of ``_dq_score.POLICIES`` (the previous optimizer, the trust region alone, the former default
rule, the per-channel-allowance default and one change at a time), every plan scored on the truth. Reports per
generating process and policy: the share of plans worse than the current mix (target 0%), the mean share of
the true achievable uplift captured (target ≥ 50%) against the true optimum and against the true optimum
inside the ±30% trust region, the calibration of P(better) (of moves with P ≥ 0.9, the share that truly beat
current; target ≥ 90%), the keep rate — separately for the tuning seeds (< ``--holdout-from``, on which the
default's parameters were chosen), the held-out seeds and all. Writes JSON, a Markdown table and two figures.

    .venv/bin/python bench/decision_quality.py                       # 7 processes × 10 seeds, 2 × (500 + 500)
    .venv/bin/python bench/decision_quality.py --first-seed 5 --seeds 5 --policy "DEFAULT: per-channel allowance"
    .venv/bin/python bench/decision_quality.py --seeds 3 --mode quick  # a smoke run (not the benchmark)
    .venv/bin/python bench/decision_quality.py --ray   # the fits spread over Ray first (local runtime or --ray-address)

Fits are cached per (process, seed, mode) in ``--cache`` so re-scoring never refits. Measured on the 2-core
development machine shared with other jobs: 70 NUTS fits 2 × (500 + 500) took 1,565 s in all (5–130 s each, the
4-geo world the slowest); scoring 8 policies × 2 budgets × 70 worlds from the cache took 27 minutes (1,617 s,
with six other jobs on the machine; the all-candidate policies solve six extra problems and score ~100 simple
moves per plan). Posteriors cached before a model field existed are upgraded in
place (``_dq_fit.upgrade``).
The second held-out set (``--first-seed 10 --holdout-from 10``) was fitted after the judged moves were chosen;
on the loaded machine its NUTS fits took 57–1,380 s each (the geo world the slowest), so 17 of 35 were scored.
Outputs go to ``bench/results/`` (git-ignored): ``decision_quality.{json,md}``, ``decision_quality.png`` (harmful
share and captured uplift per process) and ``decision_quality_calibration.png`` (claimed P(better) vs truth).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import _ray_map  # noqa: E402

OUT = Path(__file__).resolve().parent / "results"
FIGURE_POLICIES = (
    "previous (argmax, no limits)",
    "trust region only (no rule)",
    "former default: path, spread 3",
    "DEFAULT: per-channel allowance",
)
HOLDOUT_FROM = 5  # seeds 0–4 chose the default's parameters; 5–9 are held out (10–14: the second held-out set)


def _args(argv: list[str] | None = None) -> argparse.Namespace:
    from _dq_worlds import DGPS

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dgps", nargs="*", default=list(DGPS), choices=DGPS)
    p.add_argument("--seeds", type=int, default=10)
    p.add_argument("--first-seed", type=int, default=0)
    p.add_argument("--mode", choices=["nuts", "quick"], default="nuts")
    p.add_argument("--chains", type=int, default=2)
    p.add_argument("--warmup", type=int, default=500)
    p.add_argument("--draws", type=int, default=500)
    p.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "mmm_dq_cache")
    p.add_argument("--out", type=Path, default=OUT)
    p.add_argument("--no-figures", action="store_true")
    p.add_argument("--policy", action="append", help="score only these policies (names in _dq_score.POLICIES)")
    p.add_argument("--holdout-from", type=int, default=HOLDOUT_FROM, help="first held-out seed (tuning below)")
    _ray_map.add_options(p)
    return p.parse_args(argv)


def run(
    dgps: list[str],
    seeds: list[int],
    mode: str = "nuts",
    cache: Path | None = None,
    chains: int = 2,
    warmup: int = 500,
    draws: int = 500,
    policies: dict[str, dict[str, Any]] | None = None,
    log=print,
    holdout_from: int = HOLDOUT_FROM,
    fitted: dict[tuple[str, int], dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Fit (or load) every world, score every policy; returns rows, per-process and overall aggregates.
    ``fitted``: records already fitted (``fit_all`` on Ray), by (process, seed)."""
    from _dq_fit import fit_one
    from _dq_score import POLICIES, aggregate, score_world
    from _dq_worlds import world

    cache = cache or Path(tempfile.gettempdir()) / "mmm_dq_cache"
    rows, fits = [], []
    for seed in seeds:
        for dgp in dgps:
            rec = (fitted or {}).get((dgp, seed)) or fit_one(dgp, seed, cache, mode, chains, warmup, draws)
            fits.append(_fit_summary(rec))
            if rec["post"] is None:
                log(f"{dgp} seed {seed}: fit failed ({rec.get('error')}), skipped")
                continue
            t0 = time.perf_counter()
            got = score_world(world(dgp, seed), rec["post"], policies or POLICIES)
            rows += [r | {"dgp": dgp, "seed": seed} for r in got]
            log(f"{dgp} seed {seed}: fit {rec['seconds']:.0f} s, scored in {time.perf_counter() - t0:.0f} s")
    splits = {
        f"tuning seeds (< {holdout_from})": [r for r in rows if r["seed"] < holdout_from],
        f"held-out seeds (≥ {holdout_from})": [r for r in rows if r["seed"] >= holdout_from],
        "all seeds": rows,
    }
    return {
        "settings": {"mode": mode, "chains": chains, "warmup": warmup, "draws": draws, "seeds": seeds, "dgps": dgps},
        "overall": aggregate(rows),
        "by_dgp": _by_dgp(rows, dgps),
        "splits": {name: {"overall": aggregate(rs), "by_dgp": _by_dgp(rs, dgps)} for name, rs in splits.items() if rs},
        "fits": fits,
        "rows": rows,
    }


def fit_all(args: argparse.Namespace, seeds: list[int], log=print) -> dict[tuple[str, int], dict[str, Any]]:
    """Every world's fit on Ray (``--ray``), as each task finishes; the tasks fill their cache as ``fit_one``
    does, and the records come back to be scored here."""
    from _dq_fit import fit_one

    cache = args.cache
    calls = [(d, s, cache, args.mode, args.chains, args.warmup, args.draws) for s in seeds for d in args.dgps]
    out = {}
    for call, rec in _ray_map.fan_out(fit_one, calls, args):
        out[call[:2]] = rec
        log(f"{call[0]} seed {call[1]}: fitted on Ray in {rec['seconds']:.0f} s")
    return out


def _by_dgp(rows: list[dict[str, Any]], dgps: list[str]) -> dict[str, Any]:
    from _dq_score import aggregate

    return {d: aggregate([r for r in rows if r["dgp"] == d]) for d in dgps if any(r["dgp"] == d for r in rows)}


def _fit_summary(rec: dict[str, Any]) -> dict[str, Any]:
    diag = rec.get("diagnostics") or {}
    return {
        "dgp": rec["dgp"],
        "seed": rec["seed"],
        "seconds": rec.get("seconds"),
        "error": rec.get("error"),
        "max_rhat": diag.get("max_rhat"),
        "divergences": diag.get("divergences"),
        "health": (rec.get("health") or {}).get("overall"),
    }


def markdown(result: dict[str, Any]) -> str:
    """The benchmark tables: per seed split (tuning, held-out, all), one block per generating process (and
    overall), one row per policy."""
    head = (
        "| process | policy | plans | harmful (worst) | captured of true optimum (plans) "
        "| captured of true optimum within ±30% (plans) | P≥0.9 moves truly better (moves) | keep | mean true gain |"
        "\n|---|---|---|---|---|---|---|---|---|"
    )
    out = []
    for split, res in (result.get("splits") or {"all seeds": result}).items():
        lines = [f"### {split}", "", head]
        for dgp, agg in list(res["by_dgp"].items()) + [("ALL", res["overall"])]:
            for policy, a in agg.items():
                lines.append(
                    f"| {dgp} | {policy} | {a['n']} | {a['harmful_share']:.0%} ({a['worst_true_gain']:+.2%}) "
                    f"| {_pct(a['captured_uplift'])} ({a['n_with_room']}) "
                    f"| {_pct(a['captured_in_trust_region'])} ({a.get('n_with_room_in_trust_region', '?')}) "
                    f"| {_pct(a['calibration_p90'])} ({a['n_p90_moves']}) "
                    f"| {a['keep_share']:.0%} | {a['mean_true_gain']:+.2%} |"
                )
        out.append("\n".join(lines))
    note = (
        "Captured shares average over the plans whose achievable uplift (against that reference) is at least "
        "0.5% of the current media KPI (count in brackets); the others count for harm and calibration only."
    )
    return "\n\n".join(out + [note])


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.0%}"


def figures(result: dict[str, Any], out: Path) -> list[Path]:
    """Harmful share and captured uplift per process (previous vs new default), and P(better) calibration."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    shown = [p for p in FIGURE_POLICIES if p in result["overall"]]
    policies = shown or list(result["overall"])
    dgps = list(result["by_dgp"])
    fig, axes = plt.subplots(1, 2, figsize=(13, 4.5))
    width = 0.8 / len(policies)
    for i, pol in enumerate(policies):
        x = np.arange(len(dgps)) + i * width
        axes[0].bar(x, [result["by_dgp"][d][pol]["harmful_share"] for d in dgps], width, label=pol)
        axes[1].bar(x, [result["by_dgp"][d][pol]["captured_uplift"] or 0.0 for d in dgps], width, label=pol)
    for ax, title in zip(axes, ("share of plans worse than the current mix", "share of true achievable uplift")):
        ax.set_xticks(np.arange(len(dgps)) + 0.4 - width / 2, dgps, rotation=30, ha="right", fontsize=8)
        ax.set_title(title)
    axes[0].legend(fontsize=7)
    fig.tight_layout()
    paths = [out / "decision_quality.png"]
    fig.savefig(paths[0], dpi=110)
    plt.close(fig)
    fig, ax = plt.subplots(figsize=(6, 4.5))
    bins = np.linspace(0, 1, 11)
    for pol in policies:
        rs = [r for r in result["rows"] if r["policy"] == pol and r["moved"] > 1e-6]
        p = np.array([r["prob_better"] for r in rs])
        hit = np.array([r["true_gain"] > 0 for r in rs])
        idx = np.clip(np.digitize(p, bins) - 1, 0, 9)
        xs = [(bins[k] + bins[k + 1]) / 2 for k in range(10) if (idx == k).any()]
        ys = [hit[idx == k].mean() for k in range(10) if (idx == k).any()]
        ax.plot(xs, ys, "o-", label=pol)
    ax.plot([0, 1], [0, 1], "k--", lw=0.8)
    ax.set_xlabel("claimed P(better than current mix)")
    ax.set_ylabel("share truly better")
    ax.legend(fontsize=7)
    fig.tight_layout()
    paths.append(out / "decision_quality_calibration.png")
    fig.savefig(paths[1], dpi=110)
    plt.close(fig)
    return paths


def main(argv: list[str] | None = None) -> int:
    args = _args(argv)
    from mmm_core.engine.setup import setup

    setup()
    t0 = time.perf_counter()
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    log = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731
    from _dq_score import POLICIES

    policies = {k: v for k, v in POLICIES.items() if not args.policy or k in args.policy}
    fitted = fit_all(args, seeds, log) if args.ray or args.ray_address else None
    result = run(
        args.dgps,
        seeds,
        args.mode,
        args.cache,
        args.chains,
        args.warmup,
        args.draws,
        policies,
        log,
        args.holdout_from,
        fitted,
    )
    result["settings"]["wall_seconds"] = time.perf_counter() - t0
    args.out.mkdir(parents=True, exist_ok=True)
    stem = "decision_quality" if args.mode == "nuts" else "decision_quality_quick"
    (args.out / f"{stem}.json").write_text(json.dumps(result, default=float))
    table = markdown(result)
    (args.out / f"{stem}.md").write_text(table + "\n")
    if not args.no_figures and args.mode == "nuts":
        figures(result, args.out)
    print(table)
    print(json.dumps({"overall": result["overall"], "wall_seconds": result["settings"]["wall_seconds"]}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
