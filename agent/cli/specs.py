"""Spec and ledger commands: `spec init|lock|amend|show` and `ledger DATASET` (ARCHITECTURE §6)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from agent.cli.main import add_command, add_force_option, checked_output, open_store
from agent.cli.render import table


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    spec = sub.add_parser(
        "spec",
        help="Draft, lock, amend and inspect model specs.",
        parents=[common],
        description="Draft, lock, amend and inspect model specs.",
        epilog="Example:\n  mmm-agent spec init demo --kpi Sales --out spec.yaml",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    spec_sub = spec.add_subparsers(dest="spec_command", metavar="ACTION", required=True)

    p = add_command(
        spec_sub,
        common,
        "init",
        "Draft a spec from a dataset (a YAML file you may edit).",
        "mmm-agent spec init demo --kpi Sales --media TV,Radio --controls Price --out spec.yaml",
        _init,
        _render_init,
    )
    p.add_argument("dataset", help="dataset id or name")
    p.add_argument(
        "--kpi",
        help="the KPI variable (needed when the dataset has several candidates); several, comma-separated "
        "(--kpi Premium,Value), draft a multi-outcome spec",
    )
    p.add_argument(
        "--by-product", action="store_true", help="split the one --kpi by its Product rows into several outcomes"
    )
    p.add_argument(
        "--media",
        type=_names,
        help="comma-separated media variables: declares them media and drafts exactly these channels",
    )
    p.add_argument(
        "--controls", type=_names, help="comma-separated control variables: declares them and uses exactly these"
    )
    p.add_argument(
        "--brand-metrics",
        type=_names,
        help="comma-separated brand-metric variables (e.g. Awareness,Consideration): drafts a long_term block",
    )
    p.add_argument("--out", help="write the draft to this YAML file")
    add_force_option(p)

    p = add_command(
        spec_sub,
        common,
        "lock",
        "Lock a spec file: hashed, tied to the data, immutable.",
        'mmm-agent spec lock spec.yaml --rationale "TV carry-over up to 8 weeks per brand study"',
        _lock,
        _render_lock,
    )
    p.add_argument("file", help="spec YAML file")
    p.add_argument("--rationale", required=True, help="why this model (mandatory, stored in the ledger)")

    p = add_command(
        spec_sub,
        common,
        "amend",
        "Lock a changed spec as the next version of a locked one.",
        'mmm-agent spec amend spec_3f9a1c2b04 spec_v2.yaml --reason "add price as a control"',
        _amend,
        _render_amend,
    )
    p.add_argument("spec_id", help="the locked spec to amend (the latest version of its chain)")
    p.add_argument("file", help="the changed spec YAML file")
    p.add_argument("--reason", required=True, help="why it changes (mandatory, disclosed with every result)")

    p = add_command(
        spec_sub,
        common,
        "show",
        "Show a locked spec, its provenance and a field diff.",
        "mmm-agent spec show spec_3f9a1c2b04 --diff spec_0a1b2c3d4e",
        _show,
        _render_show,
    )
    p.add_argument("spec_id", help="a locked spec id")
    p.add_argument("--diff", metavar="OTHER", help="compare with another spec id or a YAML file (OTHER → SPEC_ID)")

    p = add_command(
        sub,
        common,
        "ledger",
        "Every spec, amendment, fit and refusal on a dataset, in order.",
        "mmm-agent ledger demo",
        _ledger,
        _render_ledger,
    )
    p.add_argument("dataset", help="dataset id or name")


# --- handlers ----------------------------------------------------------------------------------------------------


def _names(text: str) -> list[str]:
    """'TV Spend, Radio' -> ['TV Spend', 'Radio'] (names may contain spaces; commas separate)."""
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names:
        raise argparse.ArgumentTypeError("give at least one variable name, e.g. --media 'TV Spend,Radio Spend'")
    return names


def _init(args: argparse.Namespace) -> dict[str, Any]:
    from mmm_core.spec import init_spec_with_notes, save_draft
    from mmm_core.spec.multi_draft import init_multi_spec_with_notes
    from mmm_core.spec.outcomes import parse_kpis

    out = checked_output(args, args.out)  # before any work: a refused path costs nothing
    kpis = parse_kpis(args.kpi)
    if len(kpis) > 1 or args.by_product:  # several outcomes (mmm_core.spec.outcomes)
        spec, notes = init_multi_spec_with_notes(
            open_store(args), args.dataset, kpis, args.media, args.controls, args.by_product, args.brand_metrics
        )
    else:
        spec, notes = init_spec_with_notes(
            open_store(args), args.dataset, args.kpi, args.media, args.controls, args.brand_metrics
        )
    path = str(save_draft(spec, out)) if out else None
    return {"spec": spec.model_dump(mode="json"), "path": path, "notes": notes}


def _lock(args: argparse.Namespace) -> dict[str, Any]:
    from mmm_core.ledger import anchor, lock
    from mmm_core.spec import load_spec

    store = open_store(args)
    locked = lock(store, load_spec(args.file), args.rationale)
    return {
        "spec_id": locked.spec_id,
        "sha256": locked.sha256,
        "version": locked.version,
        "dataset_id": locked.dataset_id,
        "post_hoc": locked.post_hoc,
        "reused": locked.reused,
        # the ledger's chain head now, covering this lock: kept outside the store, it exposes a later rewrite
        "anchor": anchor(store),
    }


def _amend(args: argparse.Namespace) -> dict[str, Any]:
    from mmm_core.ledger.shopping import amend_checked
    from mmm_core.spec import load_spec

    locked = amend_checked(open_store(args), args.spec_id, load_spec(args.file), args.reason)
    return {
        "spec_id": locked.spec_id,
        "parent_id": locked.parent_id,
        "version": locked.version,
        "post_hoc": locked.post_hoc,
        "sha256": locked.sha256,
        "dataset_id": locked.dataset_id,
    }


def _show(args: argparse.Namespace) -> dict[str, Any]:
    from mmm_core.ledger import get_spec, provenance
    from mmm_core.spec import diff_specs, format_diff, load_spec

    store = open_store(args)
    locked = get_spec(store, args.spec_id)
    out = {**locked.to_dict(with_spec=True), "provenance": provenance(store, args.spec_id)}
    other_ref = args.diff or locked.parent_id
    if other_ref:
        is_file = Path(other_ref).is_file()
        other = load_spec(other_ref) if is_file else get_spec(store, other_ref).spec
        changes = diff_specs(other, locked.spec)
        out["diff"] = {
            "against": other_ref,
            "against_kind": "file" if is_file else "spec",
            "changes": changes,
            "lines": format_diff(changes),
        }
    return out


def _ledger(args: argparse.Namespace) -> dict[str, Any]:
    from mmm_core.answers.comparison import declared_comparisons
    from mmm_core.ledger import ledger_report

    store = open_store(args)
    out = ledger_report(store, args.dataset)
    out["comparisons"] = declared_comparisons(store, out)
    return out


# --- human rendering -----------------------------------------------------------------------------------------


def _render_init(r: dict[str, Any]) -> str:
    import yaml

    text = yaml.safe_dump(r["spec"], sort_keys=False, allow_unicode=True, width=100)
    notes = "".join(f"# note: {n}\n" for n in r["notes"])
    where = (
        f"# Draft written to {r['path']}; edit it, then `mmm-agent spec lock {r['path']} --rationale ...`\n"
        if r["path"]
        else "# Save with --out FILE.yaml, edit it, then `mmm-agent spec lock FILE --rationale ...`\n"
    )
    return notes + where + text.rstrip()


def _render_lock(r: dict[str, Any]) -> str:
    head = "Already locked (identical spec on the same data)" if r["reused"] else "Locked"
    tail = "  — locked after results on this dataset had been seen (post hoc)" if r["post_hoc"] else ""
    return (
        f"{head}: spec {r['spec_id']} v{r['version']} on {r['dataset_id']}{tail}\n  sha256 {r['sha256']}\n"
        f"  anchor {r['anchor']}  (the ledger's chain head: keep it; `mmm-agent verify` prints the current one)"
    )


def _render_amend(r: dict[str, Any]) -> str:
    when = (
        "AFTER results had been seen (post hoc; disclosed with every result)"
        if r["post_hoc"]
        else "before any results were seen"
    )
    return f"Amended: spec {r['spec_id']} v{r['version']} (parent {r['parent_id']}), {when}\n  sha256 {r['sha256']}"


def _render_show(r: dict[str, Any]) -> str:
    lines = [
        f"Spec {r['spec_id']} v{r['version']} on {r['dataset_id']}"
        + (f", amends {r['parent_id']}" if r["parent_id"] else ""),
        f"  sha256 {r['sha256']}  locked {_time(r['locked_at'])}  post hoc: {'yes' if r['post_hoc'] else 'no'}",
        f"  rationale: {r['rationale']}",
    ]
    if r["amendment_reason"]:
        lines.append(f"  amendment reason: {r['amendment_reason']}")
    lines += ["", r["provenance"]["disclosure"], "", "Model:"]
    lines += ["  " + s for s in _summary(r["spec"])]
    if "diff" in r:
        d = r["diff"]
        lines += ["", f"Changes from {d['against']} to {r['spec_id']}:"]
        lines += ["  " + line for line in d["lines"]] or ["  (none)"]
    return "\n".join(lines)


def _summary(spec: dict[str, Any]) -> list[str]:
    out = [
        f"kpi {spec['kpi']}, likelihood {spec['likelihood']}, noise {spec['noise']}, "
        f"geo pooling {spec['geo']['pooling']}, holdout {spec['holdout']['last_n']} periods"
    ]
    out += _outcome_lines(spec.get("outcomes"))
    for m in spec["media"]:
        a, s, e = m["adstock"], m["saturation"], m["effect_prior"]
        out.append(
            f"media {m['name']} ({m['variable']}): {a['type']} adstock l_max {a['l_max']} half-life "
            f"~{a['half_life']['median']:g}, {s['type']} saturation, {e['type']} prior median {e['median']:g}"
        )
    out += [f"control {c['name']} (sign {c['sign']})" for c in spec["controls"]]
    out += [f"mediator {m['name']} ({m['type']}) fed by {', '.join(m['channels'])}" for m in spec["mediators"]]
    out.append(
        f"trend {spec['trend']['type']}, seasonality order {spec['seasonality']['fourier_order']} "
        f"period {spec['seasonality']['period']:g}; interval {spec['interval']['level']:g} "
        f"{spec['interval']['method']}"
    )
    return out


def _outcome_lines(block: dict[str, Any] | None) -> list[str]:
    """A spec with several outcomes says so next to its kpi: without these lines `spec show` read as a one-KPI
    model of the first outcome."""
    if not block:
        return []
    names = block["kpis"] or block["products"]
    kind = "variables" if block["kpis"] else "products of the kpi"
    shared = [p for p in ("adstock", "saturation", "seasonality") if block[f"share_{p}"]]
    weights = ", ".join(f"{n} × {block['weights'].get(n, 1):g}" for n in names)
    out = [
        f"outcomes ({kind}, fitted jointly): {', '.join(names)}; shared across outcomes: "
        f"{', '.join(shared) or 'nothing'}; totals weight {weights}"
    ]
    for e in block["cross_effects"]:
        when = f", when {e['modulator']}" if e.get("modulator") else ""
        lag = f", lag {e['lag']}" if e.get("lag") else ""
        out.append(f"cross-effect {e['source']} → {e['target']}: {e['type']}{when}{lag}")
    out += [f"control {c} enters {', '.join(o)} only" for c, o in block["control_outcomes"].items()]
    return out


def _render_ledger(r: dict[str, Any]) -> str:
    lines = [f"Ledger of dataset {r['name']} ({r['dataset_id']}), data fingerprint {r['fingerprint'][:12]}…", ""]
    versions = {s["spec_id"]: s["version"] for s in r["specs"]}
    lines.append("Specs, in the order they were locked:" if r["specs"] else "No spec locked yet.")
    for i, s in enumerate(r["specs"], 1):
        when = "AFTER results had been seen (post hoc)" if s["post_hoc"] else "before any results"
        link = f", amends v{versions.get(s['parent_id'], '?')} {s['parent_id']}" if s["parent_id"] else ""
        lines.append(f"  {i}. v{s['version']} {s['spec_id']}  locked {_time(s['locked_at'])}  {when}{link}")
        lines.append(
            f"     {'reason' if s['amendment_reason'] else 'rationale'}: {s['amendment_reason'] or s['rationale']}"
        )
        lines += [f"     changed: {c}" for c in s["changes"]]
        if s["spec_id"] in r.get("comparisons", {}):
            lines.append(f"     {r['comparisons'][s['spec_id']]}")
    if r["fits"]:
        lines += [
            "",
            "Fits:",
            table(
                ["fit", "spec", "engine", "mode", "status", "started", "finished"],
                [
                    [
                        f["fit_id"],
                        f"v{f['spec_version']} {f['spec_id']}",
                        f["engine"],
                        f["mode"],
                        f["status"],
                        _time(f["started_at"]),
                        _time(f["finished_at"]),
                    ]
                    for f in r["fits"]
                ],
            ),
        ]
    lines += ["", "Events:"] + [f"  #{e['event_id']} {_time(e['created_at'])} {_event_text(e)}" for e in r["events"]]
    lines += ["", r["disclosure"], f"Ledger anchor (chain head): {r['anchor']}"]
    return "\n".join(lines)


def _event_text(e: dict[str, Any]) -> str:
    d = e["detail"]
    texts = {
        "lock": lambda: f"locked {e['spec_id']} v{d.get('version')}: {d.get('rationale')}",
        "lock_reused": lambda: f"lock of an identical spec returned {e['spec_id']}",
        "amend": lambda: (
            f"amended {d.get('parent_id')} → {e['spec_id']} v{d.get('version')}"
            f"{' (post hoc)' if d.get('post_hoc') else ''}: {d.get('reason')}"
        ),
        "fit_start": lambda: f"fit {e['fit_id']} started on {e['spec_id']} ({d.get('engine')}/{d.get('mode')})",
        "fit_finish": lambda: f"fit {e['fit_id']} succeeded",
        "fit_fail": lambda: f"fit {e['fit_id']} failed: {(d.get('error') or {}).get('message', '')}",
        "fit_refused": lambda: f"fit REFUSED ({d.get('code')}): {d.get('reason')}",
        "refusal": lambda: f"request REFUSED: {d.get('request')!r} — {d.get('reason')}",
        "tamper_detected": lambda: f"TAMPERING detected on {e['spec_id']}: {d.get('problem')}",
        "chain_started": lambda: f"hash chain started over the {d.get('events_chained')} earlier events",
    }
    return texts.get(e["kind"], lambda: f"{e['kind']} {d}")()


def _time(value: Any) -> str:
    return str(value)[:16].replace("T", " ") if value else ""
