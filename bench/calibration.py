"""Calibration of the product's intervals on truths it has never seen (issue 16 item 1).

Each dataset is drawn from a generating process that is not the default spec (``_calib_worlds``), written as MFF,
ingested, given the default spec, locked and fitted through the product path, exactly as a user would. For every
channel we record whether the 50 / 80 / 90 % equal-tailed intervals of ROI and contribution cover the truth, the
absolute relative error of the posterior median, the relative width of the 90 % interval, and the channel's
identifiability label. Printed per generating process and overall; target: 90 % intervals cover 87–95 %.

    python bench/calibration.py                       # 10 datasets per process (50), 2 x (500 + 500) NUTS
    python bench/calibration.py --per-family 2 --quick   # a smoke run (MAP + Laplace; not calibrated by design)
    python bench/calibration.py --ray                    # the 50 fits spread over Ray (local runtime or --ray-address)
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import _ray_map  # noqa: E402
import numpy as np  # noqa: E402
from _calib_worlds import ALL_FAMILIES, FAMILIES, draw_preset  # noqa: E402

LEVELS = (0.5, 0.8, 0.9)
TARGET = (0.87, 0.95)


def fit_world(family, seed: int, folder: Path, args: argparse.Namespace) -> list[dict]:
    """One dataset through the product path; one row per channel."""
    from mmm_core import ledger
    from mmm_core.answers.results import roi
    from mmm_core.data.ingest import ingest
    from mmm_core.fit.job import run_fit
    from mmm_core.spec import init_spec
    from mmm_core.store import Store
    from mmm_core.synth.dgp import simulate
    from mmm_core.synth.make import to_frame
    from mmm_core.synth.truth import build_truth

    preset = draw_preset(family, seed)
    world = simulate(preset, seed, np.random.default_rng(seed))
    truth = build_truth(world)["channels"]
    frame = to_frame(world)
    csv = folder / f"{preset.name}.csv"
    frame.to_csv(csv, index=False, lineterminator="\n")
    store = Store(folder / f"{preset.name}.duckdb")
    ds = ingest(store, csv)
    spec = init_spec(store, ds.dataset_id)
    if getattr(args, "prior_rule", "default") == "common":
        _common_roi_prior(spec, frame)
    if getattr(args, "comparison", None):
        spec = _declare_comparison(spec, args.comparison)
    if getattr(args, "target_accept", None) is not None:  # else the engine's (engine.mass)
        sampler = spec.sampler.model_copy(update={"target_accept": args.target_accept})
        spec = spec.model_copy(update={"sampler": sampler})
    locked = ledger.lock(store, spec, "calibration harness: default spec")
    fit = run_fit(
        store, locked.spec_id, quick=args.quick, chains=args.chains, warmup=args.warmup, draws=args.draws, seed=0
    )
    tables = {lv: _roi_table(roi(store, fit["fit_id"], interval=lv, allow_unhealthy=True)) for lv in LEVELS}
    rows = []
    for name, t in truth.items():
        row = {"family": family.name, "seed": seed, "channel": name, "pattern": t["pattern"]}
        row["combined"] = "weights" in tables[0.9]
        row["label"] = tables[0.9][name]["identifiability"]["status"]
        row["health"] = fit["health"]["overall"]
        for q in ("roi", "contribution"):
            est = tables[0.9][name][q]
            row[f"{q}_true"], row[f"{q}_median"] = t[q], est["median"]
            row[f"{q}_width90"] = (est["hi"] - est["lo"]) / abs(t[q])
            for lv in LEVELS:
                e = tables[lv][name][q]
                row[f"{q}_cover{int(lv * 100)}"] = bool(e["lo"] <= t[q] <= e["hi"])
        rows.append(row)
    return rows


def _roi_table(answer: dict) -> dict:
    """Per channel: the spec's own ROI, or — when a declared comparison ran — the members' mixture, which is what
    the product answers with. Spend is fixed, so the mixture's contribution is its ROI times the spend."""
    table = answer["channels"]
    block = answer.get("comparison") or {}
    if block.get("status") != "done":
        return table
    out: dict = {"weights": {m["name"]: m["weight"] for m in block["members"]}}
    for ch, est in block["combined"]["roi"].items():
        spend = table[ch]["contribution"]["median"] / table[ch]["roi"]["median"]
        contribution = {k: est[k] * spend for k in ("median", "lo", "hi")}
        out[ch] = table[ch] | {"roi": est, "contribution": contribution}
    return out


def _common_roi_prior(spec, frame) -> None:
    """The former default (before issue 16): one ROI prior median for every channel, 0.2 × KPI / total spend."""
    from mmm_core.spec.schema import EffectPrior

    kpi = float(frame.loc[frame["VariableName"] == "Sales", "VariableValue"].sum())
    spend = float(frame.loc[frame["VariableName"].str.endswith("_Spend"), "VariableValue"].sum())
    for m in spec.media:
        m.effect_prior = EffectPrior(type="roi", median=float(f"{0.2 * kpi / spend:.3g}"), sigma=1.0)


def _declare_comparison(spec, members: str):
    """The remedy for curve-family overconfidence: a pre-registered comparison (e.g. ``hill`` or ``hill,delayed``)
    whose stacked ROI carries the families' disagreement into the interval."""
    from mmm_core.spec.comparison import Comparison, ComparisonMember

    made = []
    for name in members.split(","):
        kind = "saturation" if name in ("hill", "logistic") else "adstock"
        made.append(ComparisonMember(name=name, **{kind: name}))
    return spec.model_copy(update={"comparison": Comparison(members=made)})


def summarise(rows: list[dict]) -> dict[str, dict]:
    """Per process and overall: n, coverage at each level, median abs relative error, median 90 % width."""
    groups: dict[str, list[dict]] = {"overall": rows}
    for key in ("family", "label"):  # processes first, then the identifiability labels
        for r in rows:
            groups.setdefault(r[key] if key == "family" else f"label:{r[key]}", []).append(r)
    out = {}
    for key, rs in groups.items():
        s: dict[str, float] = {"n": len(rs)}
        for q in ("roi", "contribution"):
            for lv in LEVELS:
                s[f"{q}_cover{int(lv * 100)}"] = float(np.mean([r[f"{q}_cover{int(lv * 100)}"] for r in rs]))
            err = [abs(r[f"{q}_median"] - r[f"{q}_true"]) / abs(r[f"{q}_true"]) for r in rs]
            s[f"{q}_mape"] = float(np.median(err))
            s[f"{q}_width90"] = float(np.median([r[f"{q}_width90"] for r in rs]))
        out[key] = s
    return out


def table(summary: dict[str, dict]) -> str:
    head = "| process | n | ROI cover 50/80/90 | contrib. cover 50/80/90 | median abs ROI error | median 90% width |"
    lines = [head, "|---|---|---|---|---|---|"]
    for key, s in summary.items():
        cov = "/".join(f"{s[f'roi_cover{int(lv * 100)}']:.0%}" for lv in LEVELS)
        cc = "/".join(f"{s[f'contribution_cover{int(lv * 100)}']:.0%}" for lv in LEVELS)
        lines.append(f"| {key} | {s['n']} | {cov} | {cc} | {s['roi_mape']:.0%} | {s['roi_width90']:.2f}× |")
    return "\n".join(lines)


def _args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--per-family", type=int, default=10, help="datasets per generating process (5 processes)")
    p.add_argument("--first-seed", type=int, default=1000, help="held-out seeds: away from the tests' 0-2")
    p.add_argument("--chains", type=int, default=2)
    p.add_argument("--warmup", type=int, default=500)
    p.add_argument("--draws", type=int, default=500)
    p.add_argument("--quick", action="store_true", help="MAP + Laplace instead of NUTS (smoke runs only)")
    p.add_argument(
        "--prior-rule",
        choices=["default", "common"],
        default="default",
        help="'common': the former default ROI prior (one median for all channels), for before/after figures",
    )
    p.add_argument("--media-share", type=float, help="override the default prior's mean media share of the KPI")
    p.add_argument("--split-elasticity", type=float, help="override the default prior's split (1 = one common ROI)")
    p.add_argument(
        "--comparison",
        help="declare a comparison set in every spec before locking (members by family: hill, delayed, 'hill,delayed')",
    )
    p.add_argument("--target-accept", type=float, help="set in every spec (default: left to the engine)")
    p.add_argument(
        "--families",
        default=",".join(f.name for f in FAMILIES),
        help=f"comma-separated, of {', '.join(f.name for f in ALL_FAMILIES)} (default: all but geo_staged)",
    )
    p.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "results" / "calibration.json")
    p.add_argument("--resume", action="store_true", help="keep the datasets already in OUT.partial.jsonl")
    _ray_map.add_options(p)
    return p.parse_args()


def _read_partial(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _override_default_prior(args: argparse.Namespace) -> None:
    """For prior comparisons only: the default rule's two constants, read by ``draft._roi_medians`` at call time."""
    from mmm_core.spec import draft

    if args.media_share is not None:
        draft.MEDIA_SHARE_OF_KPI = args.media_share
    if args.split_elasticity is not None:
        draft.SPLIT_ELASTICITY = args.split_elasticity


def _world_task(family, seed: int, args: argparse.Namespace) -> list[dict]:
    """One dataset in a folder of its own (a Ray task has no other; the prior overrides are applied where it
    runs)."""
    _override_default_prior(args)
    with tempfile.TemporaryDirectory() as tmp:
        return fit_world(family, seed, Path(tmp), args)


def main() -> None:
    args = _args()
    _override_default_prior(args)
    wanted = set(args.families.split(","))
    # Each dataset's rows are appended to a side file as soon as it is fitted, so a run killed part-way (a long run
    # on a shared machine can meet an out-of-memory compile) resumes with --resume instead of starting again.
    partial = args.out.with_suffix(".partial.jsonl")
    partial.parent.mkdir(parents=True, exist_ok=True)
    rows: list[dict] = _read_partial(partial) if args.resume else []
    done = {(r["family"], r["seed"]) for r in rows}
    if not args.resume:
        partial.write_text("")
    t0 = time.time()
    todo = [
        (family, seed, args)
        for family in [f for f in ALL_FAMILIES if f.name in wanted]
        for seed in range(args.first_seed, args.first_seed + args.per_family)
        if (family.name, seed) not in done
    ]
    for (family, seed, _), new in _ray_map.fan_out(_world_task, todo, args):
        rows += new
        with partial.open("a") as fh:
            fh.writelines(json.dumps(r) + "\n" for r in new)
        print(f"{family.name} seed {seed}: {time.time() - t0:.0f} s", file=sys.stderr, flush=True)
    summary = summarise(rows)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    settings = {k: v for k, v in vars(args).items() if k != "out"}
    args.out.write_text(json.dumps({"settings": settings, "summary": summary, "rows": rows}, indent=1) + "\n")
    print(table(summary))
    lo, hi = TARGET
    ok = lo <= summary["overall"]["roi_cover90"] <= hi
    print(
        f"\n90% ROI coverage overall {summary['overall']['roi_cover90']:.0%}: {'within' if ok else 'outside'} the "
        f"{lo:.0%}–{hi:.0%} target ({len(rows)} channels, {time.time() - t0:.0f} s)."
    )


if __name__ == "__main__":
    main()
