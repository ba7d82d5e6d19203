"""Registration, a fit's last phase: artifacts written, summary and draw tables inserted, the fit marked succeeded
(with where its time went); any failure undoes the tables and marks the fit failed, naming a full disk."""

from __future__ import annotations

import contextlib
import json
import os
from typing import Any

import numpy as np
import pandas as pd

from mmm_core import ledger
from mmm_core.effects.tables import save_effect_draws, summary_rows
from mmm_core.engine.timing import PhaseTimer
from mmm_core.errors import MMMError
from mmm_core.fit import artifacts, posterior_tables
from mmm_core.fit.records import FitOutcome
from mmm_core.ledger.fits import fit_record
from mmm_core.outputs import disk_full_error
from mmm_core.spec.schema import canonical_json
from mmm_core.store import Store


def register(store: Store, fit_id: str, outcome: FitOutcome, elapsed: float, timer: PhaseTimer | None = None) -> None:
    """Write artifacts and summary rows, then mark the fit succeeded; undo both if registration fails.

    ``timer``'s phases (with this function's own) are stored in the diagnostics as ``phases``: wall and CPU
    seconds per phase, so where a fit's time went stays on record."""
    timer = timer or PhaseTimer()
    result, effects, settings = outcome.result, outcome.effects, outcome.settings
    locked = ledger.get_spec(store, fit_record(store, fit_id).spec_id)
    # The artifact folder is self-describing: the exact spec (canonical JSON + hash) and data fingerprint.
    meta = {
        "fit_id": fit_id,
        "engine": result.engine,
        "method": result.method,
        "approximate": result.approximate,
        "label": result.label,
        "settings": settings.to_dict(),
        "elapsed_s": elapsed,
        "pid": os.getpid(),
        "spec_id": locked.spec_id,
        "spec_sha256": locked.sha256,
        "data_fingerprint": locked.data_fingerprint,
        "dataset_id": locked.dataset_id,
        "spec": json.loads(canonical_json(locked.spec)),
    }
    try:  # artifacts included: a fit that cannot write them (disk full) is failed now, not left running
        with timer.phase("artifacts"), artifacts.staging(store, fit_id) as folder:
            artifacts.save_samples(folder, outcome.samples)
            artifacts.save_idata(folder, result.idata)
            save_effect_draws(effects, folder / artifacts.EFFECTS)
            for name, arrays in outcome.extra_artifacts.items():  # e.g. long_term.npz (fit.long_term)
                np.savez_compressed(folder / name, **arrays)
            artifacts.save_meta(folder, meta)
        with timer.phase("tables"):
            rows = summary_rows(effects, settings.interval_level, settings.interval_method, fit_id=fit_id)
            draws = posterior_tables.draw_frame(effects, fit_id, settings.chains)
            with store.transaction() as conn:  # both or neither: SQL reads the summary and the draws of one fit
                posterior_tables.insert_draws(conn, draws)
                _insert_summary(conn, rows)
        diagnostics = dict(outcome.diagnostics, elapsed_s=round(elapsed, 3), phases=timer.to_dict())
        if timer.compiles() is not None:  # what JAX compiled and what its persistent cache served
            diagnostics["jax_compiles"] = timer.compiles()
        ledger.finish_fit(
            store, fit_id, diagnostics, outcome.health, str(artifacts.fit_dir(store, fit_id)), gate=outcome.gate
        )
    except BaseException as exc:
        with contextlib.suppress(Exception):  # best effort: this clean-up failing too must not hide the cause
            with store.transaction() as conn:
                conn.execute("DELETE FROM posterior_summary WHERE fit_id = ?", [fit_id])
                conn.execute("DELETE FROM posterior_draws WHERE fit_id = ?", [fit_id])
        full = disk_full_error(exc, f"writing fit {fit_id}", store.path, f"Fit {fit_id} is recorded as failed.")
        ledger.fail_fit(store, fit_id, error_dict(full or exc))
        if full is not None:
            raise full from exc
        raise


SUMMARY_COLUMNS = ("fit_id", "quantity", "channel", "geo", "period", "mean", "sd", "lo", "hi", "interval", "method")


def _insert_summary(conn, rows: list[tuple]) -> None:
    """Bulk insert through a registered frame: row-by-row executemany costs ~0.5 s for a national fit."""
    frame = pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))
    conn.register("_summary_rows", frame)
    try:
        conn.execute(
            f"INSERT INTO posterior_summary ({', '.join(SUMMARY_COLUMNS)}) SELECT fit_id, quantity, "
            "channel, geo, CAST(period AS DATE), mean, sd, lo, hi, interval, method FROM _summary_rows"
        )
    finally:
        conn.unregister("_summary_rows")


def error_dict(exc: BaseException) -> dict[str, Any]:
    """A failure as the ledger records it: code, message and hint (with an MMMError's detail)."""
    if isinstance(exc, MMMError):
        out = exc.to_dict()
        out.update(getattr(exc, "detail", {}) or {})
        return out
    if isinstance(exc, KeyboardInterrupt):
        return {"code": "interrupted", "message": "The fit was interrupted.", "hint": "Run it again."}
    return {"code": "internal", "message": f"{type(exc).__name__}: {exc}", "hint": "Please report this bug."}
