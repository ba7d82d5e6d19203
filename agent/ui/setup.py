"""What the UI says and offers around the agent: the greeting, suggested questions, guided-setup buttons, the
role-override fields (media / controls, as ``spec init --media/--controls``), the spec preview and the dataset
description tables, and validation errors in full.

Pure functions over plain data (no Chainlit import), so they are tested without a browser. A button is a
``Button(label, reply)``: clicking it sends ``reply`` to the agent as if the user had typed it — the buttons drive
the same guided-setup state machine (``agent/models/setup.py``) as typed answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agent.ui.safe_text import md_name
from mmm_core import ledger
from mmm_core.data import queries
from mmm_core.data.declare import declare_roles
from mmm_core.data.frame import normalise_header
from mmm_core.data.ingest import PARQUET_SUFFIXES
from mmm_core.fit.job import latest_fit

LOCK_REPLY = "lock it because each choice was confirmed in the guided questions before any result was seen"


@dataclass(frozen=True)
class Button:
    label: str
    reply: str


@dataclass(frozen=True)
class RoleField:
    """A multi-select field of the settings panel: ``values`` to choose from, ``initial`` selected."""

    id: str
    label: str
    values: list[str]
    initial: list[str]
    description: str


# Field id -> the role a variable selected there is declared to have.
ROLE_FIELDS = {"declare_media": "media", "declare_controls": "control"}


def status(store: Any) -> dict[str, Any]:
    """The store's current dataset, spec and fit (None where there is none yet)."""
    datasets = queries.list_datasets(store)
    fit_id = latest_fit(store)
    fit = ledger.get_fit(store, fit_id) if fit_id else None
    dataset = next((d for d in datasets if fit and d["id"] == fit.get("dataset_id")), None)
    dataset = dataset or (datasets[-1] if datasets else None)
    return {
        "dataset": dataset and {"id": dataset["id"], "name": dataset["name"]},
        "spec_id": fit and fit["spec_id"],
        "fit_id": fit_id,
        "fit_mode": fit and fit.get("mode"),
    }


def greeting(st: dict[str, Any]) -> str:
    ds, fit = st.get("dataset"), st.get("fit_id")
    lines = ["**mmm-agent** — a Bayesian marketing-mix analyst. Every number I state comes from a tool."]
    lines.append(f"- Dataset: {md_name(ds['name'])} ({ds['id']})" if ds else "- Dataset: none yet")
    lines.append(f"- Spec: {st['spec_id']}" if st.get("spec_id") else "- Spec: none locked and fitted yet")
    mode = " (quick, approximate)" if st.get("fit_mode") == "quick" else ""
    lines.append(f"- Fit: {fit}{mode}" if fit else "- Fit: none yet")
    if not ds:
        lines.append("\nAttach a data file (MFF long CSV/Parquet, or a wide CSV) with the paperclip to start.")
    return "\n".join(lines)


def suggestions(st: dict[str, Any], channels: list[str] | None = None) -> list[Button]:
    """Questions worth asking next, given what exists."""
    if st.get("fit_id"):
        first = (channels or ["Search"])[0]
        return [
            Button("ROI of each channel", "What is the ROI of each channel?"),
            Button("Best channel", "Which channel has the best ROI?"),
            Button("Contributions over time", "Show the contributions over time"),
            Button(f"Response curve of {first}", f"Show the response curve of {first}"),
            Button("Did the model converge?", "Did the model converge?"),
            Button("Report", "/report"),
        ]
    if st.get("dataset"):
        return [Button("Describe the data", "Describe the dataset"), Button("Set up a model", "set up a model")]
    return [Button("What can you do?", "help")]


def setup_buttons(step: str, draft: dict[str, Any]) -> list[Button]:
    """One button per sensible answer to the guided-setup question ``step``."""
    avail = draft.get("available") or {}
    if step == "kpi":
        return [Button(f"KPI: {k}", k) for k in avail.get("kpi_candidates") or []] + [Button("Keep", "ok")]
    if step == "channels":
        return [Button("Keep all channels", "ok")] + [
            Button(f"Drop {c}", f"drop {c}") for c in draft.get("channels") or []
        ]
    if step == "controls":
        return [Button("Keep controls", "ok"), Button("No controls", "none")] + [
            Button(f"Drop {c}", f"drop {c}") for c in draft.get("controls") or []
        ]
    if step == "seasonality":
        return [Button("Keep", "ok"), Button("Off", "off")] + [Button(f"Fourier order {k}", str(k)) for k in (1, 2, 3)]
    if step == "pooling":
        return [Button("Keep", "ok")] + [Button(f"Pooling: {p}", p) for p in ("none", "partial", "full")]
    if step == "holdout":
        return [Button("No holdout", "no")] + [Button(f"Hold out {n} periods", str(n)) for n in (4, 8, 13)]
    if step == "confirm":
        return [Button("Lock this spec", LOCK_REPLY)]
    return []


def role_fields(described: dict[str, Any] | None) -> list[RoleField]:
    """The guided setup's role overrides (``spec init --media A,B --controls C,D``) as two fields listing every
    variable but the KPI, with the current media and controls selected. Nothing without a dataset."""
    if not described:
        return []
    variables = [v for v in described.get("variables", []) if v["role"] != "kpi"]
    names = [v["name"] for v in variables]
    where = "the data's roles, so the next guided setup uses them"
    return [
        RoleField(
            field,
            "Media (declare)" if role == "media" else "Controls (declare)",
            names,
            [v["name"] for v in variables if v["role"] == role],
            f"Variables that are {'media channels' if role == 'media' else 'controls'}; applied to {where}.",
        )
        for field, role in ROLE_FIELDS.items()
    ]


def role_declaration(described: dict[str, Any] | None, settings: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(media, controls) the role fields newly ask for: selected names whose role differs; ([], []) when none."""
    if not described:
        return [], []
    role = {v["name"]: v["role"] for v in described.get("variables", [])}
    picked = {field: [n for n in settings.get(field) or [] if n in role] for field in ROLE_FIELDS}
    media, controls = (
        [n for n in picked[field] if role[n] != ROLE_FIELDS[field]] for field in ("declare_media", "declare_controls")
    )
    return media, controls


def apply_role_fields(
    store: Any, described: dict[str, Any] | None, settings: dict[str, Any]
) -> tuple[str, dict[str, Any]] | None:
    """Declare what the role fields ask (the same core call as ``spec init --media/--controls``); returns the
    message (notes and the new description) and the new description, or None when nothing changes."""
    media, controls = role_declaration(described, settings)
    if not media and not controls:
        return None
    notes = declare_roles(store, described["dataset_id"], media, controls)
    after = queries.describe(store, described["dataset_id"])
    lines = "\n".join(f"- {n}" for n in notes)
    head = "**Roles declared** (used by the next setup and recorded at lock):"
    return f"{head}\n{lines}\n\n{describe_table(after)}", after


def role_hint(described: dict[str, Any]) -> str:
    """Where to declare media when the data has none the names reveal ('' otherwise)."""
    if described.get("channels"):
        return ""
    return (
        "\n\nNo media variable found: choose them in the settings panel (the Media and Controls fields), then set "
        "up a model."
    )


def after_tool_buttons(tool: str, data: dict[str, Any], channels: list[str] | None = None) -> list[Button]:
    """Next steps after a lock (fit it) or a fit (ask about it)."""
    if "error" in data:
        return []
    if tool in ("lock_spec", "amend_spec"):
        return [Button("Quick fit (approximate, ~20 s)", "run a quick fit"), Button("Full fit (NUTS)", "fit the model")]
    if tool == "fit_model" and data.get("status") == "succeeded":
        return suggestions({"fit_id": data.get("fit_id")}, channels)
    return []


def spec_preview(draft: dict[str, Any]) -> str:
    """The draft's choices as a markdown table."""
    rows = [
        ("KPI", md_name(draft["kpi"]) if draft.get("kpi") is not None else None),
        ("Channels", ", ".join(map(md_name, draft.get("channels") or [])) or "none"),
        ("Controls", ", ".join(map(md_name, draft.get("controls") or [])) or "none"),
        ("Mediators", ", ".join(map(md_name, draft.get("mediators") or [])) or "none"),
        ("Seasonality (Fourier order)", draft.get("seasonality_order")),
        ("Geo pooling", draft.get("geo_pooling")),
        ("Holdout periods", draft.get("holdout_periods")),
        ("Trend", draft.get("trend")),
        ("Likelihood", draft.get("likelihood")),
    ]
    body = "\n".join(f"| {k} | {v} |" for k, v in rows if v is not None)
    title = f"**Spec preview** ({draft.get('draft_id', '')}, {draft.get('status', 'draft')})"
    return f"{title}\n\n| choice | value |\n|---|---|\n{body}"


def describe_table(d: dict[str, Any]) -> str:
    """A dataset description (``queries.describe``) as markdown: header facts and one row per variable."""
    periods = d.get("periods") or {}
    geos = [md_name(g) for g in d.get("geographies") or [] if g] or ["national"]
    head = (
        f"**{md_name(d['name'])}** ({d['dataset_id']}): {d.get('rows')} rows, {periods.get('count')} periods "
        f"({periods.get('start')} to {periods.get('end')}, frequency {d.get('frequency')}), "
        f"geographies: {', '.join(geos)}"
    )
    rows = "\n".join(
        f"| {md_name(v['name'])} | {v['role']} | {md_name(v.get('channel') or '')} | {_pct(v.get('coverage'))} |"
        for v in d.get("variables", [])
    )
    return f"{head}\n\n| variable | inferred role | channel | coverage |\n|---|---|---|---|\n{rows}"


def _pct(x: Any) -> str:
    return f"{float(x):.0%}" if isinstance(x, (int, float)) else ""


def error_text(exc: Any, filename: str | None = None, doing: str | None = None) -> str:
    """A typed error in full: code, message, where (file, line, column, value) and the hint."""
    lines = [
        f"**{doing or 'Could not load ' + md_name(filename or 'the file')}** — `{getattr(exc, 'code', 'error')}`",
        "",
        str(getattr(exc, "message", exc)),
    ]
    where = [
        f"{k} {v!r}" if k == "value" else f"{k} {v}"
        for k, v in (
            ("file", getattr(exc, "file", None)),
            ("line", getattr(exc, "row", None)),
            ("column", getattr(exc, "column", None)),
            ("value", getattr(exc, "value", None)),
        )
        if v is not None
    ]
    if where:
        lines += ["", "Where: " + ", ".join(where)]
    if getattr(exc, "hint", ""):
        lines += ["", f"Hint: {exc.hint}"]
    return "\n".join(lines)


def sniff_format(path: Any) -> str:
    """'mff' when a CSV header has VariableName and VariableValue (or the file is Parquet), else 'wide'."""
    p = Path(path)
    if p.suffix.lower() in PARQUET_SUFFIXES:
        return "mff"
    with open(p, encoding="utf-8-sig", errors="replace") as fh:
        header = {normalise_header(h.strip().strip("\"'")) for h in fh.readline().replace(";", ",").split(",")}
    return "mff" if {"variablename", "variablevalue"} <= header else "wide"
