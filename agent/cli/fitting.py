"""Fit and answer commands: fit, health, roi, compare, contributions, compare-engines."""

from __future__ import annotations

import argparse
import sys
import textwrap
import time
from typing import Any

from agent.cli.main import add_answer_options, add_command, open_store
from agent.cli.outcomes import outcome_roi_lines
from agent.cli.render import interval, label_text, table


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = add_command(
        sub,
        common,
        "fit",
        "Fit a locked spec (NUTS by default; --quick for an approximation).",
        "mmm-agent fit spec_3f9a1c2b7d --quick --json",
        _fit,
        _render_fit,
    )
    p.add_argument("spec_id", help="id of a locked spec (see `mmm-agent ledger DATASET`)")
    p.add_argument("--quick", action="store_true", help="MAP + Laplace: seconds, uncertainty not calibrated")
    p.add_argument("--engine", choices=["numpyro", "pymc-marketing"], default="numpyro")
    p.add_argument("--chains", type=int)
    p.add_argument("--draws", type=int)
    p.add_argument("--tune", "--warmup", dest="warmup", type=int, help="warm-up iterations per chain")
    p.add_argument("--seed", type=int)
    p.add_argument(
        "--submit", action="store_true", help="queue the fit and print its job id (`mmm-agent worker` runs it)"
    )

    p = add_command(
        sub,
        common,
        "health",
        "Pre-fit gate and post-fit health review of a fit.",
        "mmm-agent health fit_3f9a1c2b7d",
        _health,
        _render_health,
    )
    p.add_argument("fit_id")
    p.add_argument(
        "--oos",
        action="store_true",
        help="also validate out of sample: refit without the last periods and score the forecast (CRPS, interval "
        "coverage); one more full fit per origin, stored and reused",
    )
    p.add_argument("--origins", type=int, default=1, help="rolling origins for --oos (1-3, default 1)")

    p = add_command(
        sub,
        common,
        "roi",
        "ROI, contribution and marginal ROI per channel with intervals.",
        "mmm-agent roi fit_3f9a1c2b7d --interval 0.8",
        _roi,
        _render_roi,
    )
    p.add_argument("fit_id")
    p.add_argument("--show-prior", action="store_true", help="also show each channel's ROI prior (same interval)")
    p.add_argument(
        "--margin",
        type=float,
        help="profit per unit of KPI (0.3 = 30%%): show the break-even ROI (1/margin) and each channel's probability "
        "of beating it",
    )
    add_answer_options(p)

    p = add_command(
        sub,
        common,
        "compare",
        "Probability that channel A's ROI exceeds channel B's.",
        "mmm-agent compare fit_3f9a1c2b7d Search Social",
        _compare,
        _render_compare,
    )
    p.add_argument("fit_id")
    p.add_argument("a")
    p.add_argument("b")
    p.add_argument("--allow-unhealthy", action="store_true")

    p = add_command(
        sub,
        common,
        "contributions",
        "Contribution decomposition with intervals.",
        "mmm-agent contributions fit_3f9a1c2b7d --by period",
        _contributions,
        _render_contributions,
    )
    p.add_argument("fit_id")
    p.add_argument("--by", choices=["channel", "period", "geo"], default="channel")
    p.add_argument("--allow-unhealthy", action="store_true")

    p = add_command(
        sub,
        common,
        "compare-engines",
        "Do two fits (e.g. numpyro vs pymc-marketing) agree on ROI?",
        "mmm-agent compare-engines fit_aaaa fit_bbbb",
        _compare_engines,
        _render_compare_engines,
    )
    p.add_argument("fit_a")
    p.add_argument("fit_b")


PROGRESS_WIDTH = 60  # the progress line is rewritten in place (\r), so it must stay on one terminal line
REASON_WIDTH = 100


def comparison_summary(c: dict[str, Any] | None) -> list[str]:
    """One line after a fit whose spec declared a comparison: the members' fits and weights, or why not run."""
    if not c:
        return []
    if c.get("status") != "done":
        return [f"  declared comparison not run: {c['reason']}"]
    parts = ", ".join(f"{m['name']} {m['weight']:.2f} ({m['fit_id']})" for m in c["members"])
    return [f"  declared comparison ({c['rule']}), weights: {parts}; `mmm-agent roi` shows the combined ROI"]


def comparison_lines(c: dict[str, Any]) -> list[str]:
    """The pre-registered comparison under the ROI table: combined ROI, each member's, the weights."""
    if c.get("status") != "done":
        return ["", c["declared"], f"Comparison not run: {c['reason']}."]
    names = [m["name"] for m in c["members"]]
    rows = [
        [ch, interval(est)] + [interval(m["roi"][ch]) for m in c["members"]] for ch, est in c["combined"]["roi"].items()
    ]
    weights = [f"{n} (w {m['weight']:.2f})" for n, m in zip(names, c["members"], strict=True)]
    return [
        "",
        "ROI under the declared model comparison:",
        table(["channel", "combined"] + weights, rows),
        c["disclosure"],
    ]


def clip_words(text: str, width: int) -> str:
    """``text`` if it fits, else cut at the last word boundary with '…' — never mid-word."""
    if len(text) <= width:
        return text
    return textwrap.shorten(text, width=width, placeholder=" …") if " " in text[:width] else text[: width - 1] + "…"


def _progress(args: argparse.Namespace):
    start = time.monotonic()

    def show(fraction: float, message: str) -> None:
        elapsed = time.monotonic() - start
        eta = f", ~{elapsed / fraction * (1 - fraction):.0f} s left" if 0.05 < fraction < 1 else ""
        line = clip_words(" ".join(message.split()), PROGRESS_WIDTH)
        print(
            f"\r[{fraction:6.1%}] {elapsed:5.1f} s{eta}  {line:<{PROGRESS_WIDTH}}", end="", file=sys.stderr, flush=True
        )
        if fraction >= 1:
            print(file=sys.stderr)

    return show


def _fit(args: argparse.Namespace) -> dict[str, Any]:
    if args.submit:
        from agent.cli.jobs import submit_fit

        return submit_fit(args)
    from mmm_core.fit.job import run_fit

    return run_fit(
        open_store(args),
        args.spec_id,
        quick=args.quick,
        engine=args.engine,
        chains=args.chains,
        warmup=args.warmup,
        draws=args.draws,
        seed=args.seed,
        progress=_progress(args),
    )


def _render_fit(r: dict[str, Any]) -> str:
    if "job_id" in r:  # --submit: the queued job, not a fit
        from agent.cli.jobs import render_job

        return render_job(r)
    d = r.get("diagnostics") or {}
    lines = [f"Fit {r['fit_id']} {r['status']} in {r.get('elapsed_s') or 0:.1f} s (spec {r['spec_id']})"]
    if r.get("approximate"):
        lines.append(f"  {r.get('label')}")
    # Several outcomes: the headline r2/mape are the worst outcome's, so each outcome's own figures are named.
    per_outcome = d.get("outcomes") or {}
    shown = ("max_rhat", "min_ess_bulk", "divergences") + (() if per_outcome else ("r2", "mape"))
    headline = ", ".join(f"{k} {v:.3g}" if isinstance(v, float) else f"{k} {v}" for k, v in d.items() if k in shown)
    lines += [f"  {headline}"] if headline else []
    lines += [f"  {name}: {_fit_stats(s)}" for name, s in per_outcome.items()]
    if r.get("health"):
        lines.append(f"  health: {r['health']['overall']} — {r['health']['summary']}")
        lines += comparison_summary(r["health"].get("comparison"))
    lines.append(f"  {r['provenance']['disclosure']}")
    return "\n".join(lines)


def _health(args: argparse.Namespace) -> dict[str, Any]:
    from mmm_core.answers.results import health
    from mmm_core.fit.oos import stored_out_of_sample
    from mmm_core.ledger.fits import fit_record

    store = open_store(args)
    out = health(store, args.fit_id)
    comparison = (fit_record(store, args.fit_id).health or {}).get("comparison")
    out = out if comparison is None else {**out, "comparison": comparison}
    if getattr(args, "oos", False):
        from mmm_core.fit.oos import out_of_sample  # lazy: refits with JAX

        return {**out, "out_of_sample": out_of_sample(store, args.fit_id, origins=args.origins)}
    stored = stored_out_of_sample(store, args.fit_id)
    return out if stored is None else {**out, "out_of_sample": stored}


def _render_health(r: dict[str, Any]) -> str:
    out = [f"Health of fit {r['fit_id']}: {r['overall']}"]
    for title, checks in (
        ("pre-fit gate", (r.get("gate") or {}).get("checks", [])),
        ("post-fit review", r.get("checks", [])),
    ):
        out.append(f"\n{title}:")
        out.append(table(["check", "status", "value"], [[c["name"], c["status"], c.get("value")] for c in checks]))
        out += [_reason_lines(c) for c in checks]  # in full, wrapped at word boundaries
    if r.get("out_of_sample"):
        out += oos_lines(r["out_of_sample"])
    if (r.get("comparison") or {}).get("status") == "done":
        weights = ", ".join(f"{m['name']} {m['weight']:.2f}" for m in r["comparison"]["members"])
        out.append(f"\nDeclared model comparison ({r['comparison']['rule']}): weights {weights}.")
    out.append("\n" + r["provenance"]["disclosure"])
    return "\n".join(out)


def oos_lines(o: dict[str, Any]) -> list[str]:
    """The rolling-origin validation under the health review: one row per origin and the verdict."""
    rows = [
        [
            x["first_forecast"],
            x["horizon"],
            f"{x['crps']:.4g}",
            f"{x['crps_relative']:.1%}",
            f"{x['coverage_50']:.0%}",
            f"{x['coverage_90']:.0%}",
        ]
        for x in o["origins"]
    ]
    head = ["forecast from", "periods", "CRPS", "CRPS / mean KPI", "in 50% interval", "in 90% interval"]
    return ["\nout-of-sample (rolling origin):", table(head, rows), f"  out_of_sample ({o['status']}): {o['reason']}"]


def _reason_lines(check: dict[str, Any]) -> str:
    head = f"  {check['name']} ({check['status']}): "
    return textwrap.fill(check["reason"], width=REASON_WIDTH, initial_indent=head, subsequent_indent=" " * 4)


def _roi(args: argparse.Namespace) -> dict[str, Any]:
    from mmm_core.answers.results import roi

    return roi(  # with a declared comparison, its combined and member ROI come along (``comparison``)
        open_store(args),
        args.fit_id,
        interval=args.interval,
        method=args.method,
        allow_unhealthy=args.allow_unhealthy,
        show_prior=args.show_prior,
        margin=args.margin,
    )


def _render_roi(r: dict[str, Any]) -> str:
    iv = r["interval"]
    head = f"ROI by channel (fit {r['fit_id']}; mean [{iv['level']:.0%} {iv['method'].replace('_', '-')} interval])"
    show_prior = any("prior" in c for c in r["channels"].values())
    rows = []
    for name, c in r["channels"].items():
        row = [name, c["spend"], interval(c["contribution"], 0), interval(c["roi"]), interval(c["mroi"])]
        if show_prior:
            p = c.get("prior")
            row.append(f"{p['median']:.3g} [{p['lo']:.3g}, {p['hi']:.3g}]" if p else "n/a")
        rows.append(row + [label_text(c.get("identifiability"))])
    cols = ["channel", "spend", "contribution", "ROI", "marginal ROI"]
    out = [head, table(cols + (["prior ROI (median)"] if show_prior else []) + ["identifiability"], rows)]
    fixes = [
        f"{name}: {c['identifiability']['fix']}"
        for name, c in r["channels"].items()
        if (c.get("identifiability") or {}).get("fix")
    ]
    if fixes:
        out.append("To identify: " + "; ".join(fixes) + ".")
    if r.get("break_even"):
        odds = "; ".join(f"{name} {c['prob_profitable']:.0%}" for name, c in r["channels"].items())
        out.append(f"At a margin of {r['margin']:g}, break-even ROI {r['break_even']:.3g}; P(profit): {odds}.")
    out += _basis_lines(r.get("roi_basis") or [])
    if r.get("approximate"):
        out.append(f"Note: {r['label']}.")
    if r.get("comparison"):
        out += comparison_lines(r["comparison"])
    out += outcome_roi_lines(r)  # several KPIs: per-outcome tables beside the weighted total
    out.append(r["provenance"]["disclosure"])
    return "\n".join(out)


def _basis_lines(basis: list[dict[str, Any]]) -> list[str]:
    """How ROI is read where it is not a channel's own spend per geo: response on exposure, national regressors."""
    out = []
    for b in basis:
        on = f"; response modelled on {b['response_on']}" if b["response_on"] != b["spend"] else ""
        national = "; one national series in every geo, one coefficient for all geos" if b["national"] else ""
        scope = "total national " if b["national"] else ""
        out.append(f"{b['channel']}: ROI on {scope}spend ({b['spend']}){on}{national}.")
    return out


def _compare(args: argparse.Namespace) -> dict[str, Any]:
    from mmm_core.answers.results import compare

    return compare(open_store(args), args.fit_id, args.a, args.b, allow_unhealthy=args.allow_unhealthy)


def _fit_stats(stats: dict[str, Any]) -> str:
    return ", ".join(f"{k} {stats[k]:.3g}" if stats.get(k) is not None else f"{k} n/a" for k in ("r2", "mape"))


def _render_compare(r: dict[str, Any]) -> str:
    a, b = r["channel_a"], r["channel_b"]
    head = f"P(ROI of {a} > ROI of {b}) = {r['prob']:.2f}" + (f" ({r['total_is']})" if r.get("outcomes") else "")
    lines = [head, f"  {a}: {interval(r['roi_a'])}", f"  {b}: {interval(r['roi_b'])}"]
    for name, o in (r.get("outcomes") or {}).items():
        lines.append(f"  on {name}: P = {o['prob']:.2f}; {a} {interval(o['roi_a'])}, {b} {interval(o['roi_b'])}")
    return "\n".join(lines + [r["provenance"]["disclosure"]])


def _contributions(args: argparse.Namespace) -> dict[str, Any]:
    from mmm_core.answers.results import contributions

    return contributions(open_store(args), args.fit_id, by=args.by, allow_unhealthy=args.allow_unhealthy)


def _render_contributions(r: dict[str, Any]) -> str:
    body = _contribution_table(r["rows"])
    if r.get("outcomes"):  # several KPIs: the rows above are the weighted total, each outcome's follow
        body = f"Total ({r['total_is']}):\n{body}"
        for name, o in r["outcomes"].items():
            body += f"\n{name} (weight {o['weight']:g}):\n{_contribution_table(o['rows'])}"
    return body + "\n" + r["provenance"]["disclosure"]


def _contribution_table(rows: list[dict[str, Any]]) -> str:
    keys = [k for k in ("channel", "period", "geo") if rows and k in rows[0]]
    return table(
        keys + ["mean", "lo", "hi"], [[row[k] for k in keys] + [row["mean"], row["lo"], row["hi"]] for row in rows]
    )


def _compare_engines(args: argparse.Namespace) -> dict[str, Any]:
    from mmm_core.answers.results import compare_engines

    return compare_engines(open_store(args), args.fit_a, args.fit_b)


def _render_compare_engines(r: dict[str, Any]) -> str:
    rows = [
        [ch, interval(c["roi_a"]), interval(c["roi_b"]), "yes" if c["intervals_overlap"] else "NO"]
        for ch, c in r["channels"].items()
    ]
    engines = r["engines"]
    return "\n".join(
        [
            table(["channel", f"ROI {engines[r['fit_a']]}", f"ROI {engines[r['fit_b']]}", "overlap"], rows),
            r["verdict"],
            r["provenance"]["disclosure"],
        ]
    )
