"""Which fit answers when nobody names one: the one home of the default-fit rule.

Every answer that is not given a fit id (CLI ``ask``/``chat``/``query``, the chat tools, the UI) takes the fit
chosen here, so a quick or post-hoc fit made after a pre-registered full fit can never silently take its place.

The rule, among the succeeded fits (of one dataset when given):

1. the primary engine (numpyro) before others (pymc-marketing fits cannot predict; they are for triangulation);
2. a **pre-registered** spec before a post-hoc one (``specs.post_hoc``: the spec was locked or amended after a
   fit on the same data had finished — a forking path);
3. a **full** posterior (NUTS) before a quick (MAP + Laplace, approximate) one;
4. the newest (``finished_at``) first.

A fit that is part of another — a comparison member, an out-of-sample fold — is never the default.

When the chosen fit is not a pre-registered full NUTS fit, :attr:`FitChoice.reason` says why it was taken anyway.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mmm_core.errors import NotFoundError
from mmm_core.store import Store

_COLUMNS = "f.id, f.spec_id, s.dataset_id, f.engine, f.mode, coalesce(s.post_hoc, false)"
NOT_A_PART = (
    "json_extract_string(f.settings_json, '$.member') IS NULL"
    " AND json_extract_string(f.settings_json, '$.fold_of') IS NULL"
)
_ORDER = (
    " ORDER BY (f.engine = 'numpyro') DESC, coalesce(s.post_hoc, false) ASC, (f.mode = 'nuts') DESC,"
    " f.finished_at DESC NULLS LAST, f.id"
)


@dataclass(frozen=True)
class FitChoice:
    """The fit that answers and why: ``source`` is ``explicit`` (named by the caller), ``session`` (the chat
    session's fit) or ``default`` (this module's rule); ``reason`` is set when the default is not a
    pre-registered full fit."""

    fit_id: str
    spec_id: str
    dataset_id: str | None
    engine: str
    mode: str
    post_hoc: bool
    source: str = "default"
    reason: str | None = None

    @property
    def quick(self) -> bool:
        return self.mode == "quick"

    @property
    def flags(self) -> list[str]:
        """``quick`` / ``post-hoc`` when they apply: what a reader must know about the answering fit."""
        return [f for f, on in (("quick", self.quick), ("post-hoc", self.post_hoc)) if on]

    def describe(self) -> str:
        """One line naming the fit, e.g. ``fit fit_ab12 (spec spec_cd34; quick, post-hoc)``."""
        extra = f"; {', '.join(self.flags)}" if self.flags else ""
        return f"fit {self.fit_id} (spec {self.spec_id}{extra})"

    def to_dict(self) -> dict[str, Any]:
        return {
            "fit_id": self.fit_id,
            "spec_id": self.spec_id,
            "dataset_id": self.dataset_id,
            "engine": self.engine,
            "mode": self.mode,
            "quick": self.quick,
            "post_hoc": self.post_hoc,
            "source": self.source,
            "reason": self.reason,
            "description": self.describe(),
        }


def default_fit(store: Store, dataset: str | None = None) -> FitChoice | None:
    """The fit that answers when none is named (the rule in the module docstring); None when no fit succeeded.

    ``dataset``: a dataset id or name to choose among its fits only."""
    # A comparison member or an out-of-sample fold (mmm_core/jobs/variants.py) answers only when named.
    where = f" WHERE f.status = 'succeeded' AND {NOT_A_PART}"
    params: list[Any] = []
    if dataset:
        where += " AND (s.dataset_id = ? OR s.dataset_id IN (SELECT id FROM datasets WHERE name = ?))"
        params = [dataset, dataset]
    with store.connect() as conn:
        row = conn.execute(
            f"SELECT {_COLUMNS} FROM fits f JOIN specs s ON s.id = f.spec_id{where}{_ORDER} LIMIT 1", params
        ).fetchone()
    if row is None:
        return None
    choice = _choice(row, "default")
    return FitChoice(**{**choice.__dict__, "reason": _fallback_reason(choice, dataset)})


def named_fit(store: Store, fit_id: str, source: str = "explicit") -> FitChoice:
    """A fit the caller named (``--fit``, or the session's fit), described like the default one."""
    with store.connect() as conn:
        row = conn.execute(
            f"SELECT {_COLUMNS} FROM fits f LEFT JOIN specs s ON s.id = f.spec_id WHERE f.id = ?", [fit_id]
        ).fetchone()
    if row is None:
        raise NotFoundError(
            f"No fit with id {fit_id!r}.", "`mmm-agent ledger DATASET` lists fits.", code="fit_not_found"
        )
    return _choice(row, source)


def _choice(row: tuple, source: str) -> FitChoice:
    fit_id, spec_id, dataset_id, engine, mode, post_hoc = row
    return FitChoice(fit_id, spec_id, dataset_id, engine, mode, bool(post_hoc), source=source)


def _fallback_reason(choice: FitChoice, dataset: str | None) -> str | None:
    """Why the default is not a pre-registered full fit (None when it is one)."""
    if not choice.flags and choice.engine == "numpyro":
        return None
    where = f" on dataset {dataset}" if dataset else ""
    what = " and ".join(
        w
        for w, on in (
            ("quick (approximate)", choice.quick),
            ("post-hoc (its spec was locked after results had been seen)", choice.post_hoc),
            (f"from the {choice.engine} engine", choice.engine != "numpyro"),
        )
        if on
    )
    return (
        f"No pre-registered full (NUTS) fit has succeeded{where}, so {choice.fit_id}, the best available fit, "
        f"answers: it is {what}."
    )
