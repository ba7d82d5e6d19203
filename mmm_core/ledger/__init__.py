"""The forking-paths ledger: locked specs, amendments, fit registration and the append-only event log."""

from mmm_core.ledger.hashchain import anchor
from mmm_core.ledger.history import ledger_report
from mmm_core.ledger.specs import (  # the public API of this package
    DEFAULT_STALE_AFTER_S,
    LockedSpec,
    amend,
    begin_fit,
    canonical_json,
    chain,
    disclosure,
    fail_fit,
    finish_fit,
    get_fit,
    get_spec,
    lock,
    provenance,
    reap_stale_fits,
    record_refusal,
    update_fit_progress,
)
from mmm_core.ledger.verify import VerifyReport, verify_ledger
from mmm_core.spec.canonical import format_diff

__all__ = [
    "DEFAULT_STALE_AFTER_S",
    "LockedSpec",
    "VerifyReport",
    "amend",
    "anchor",
    "begin_fit",
    "canonical_json",
    "chain",
    "disclosure",
    "fail_fit",
    "finish_fit",
    "format_diff",
    "get_fit",
    "get_spec",
    "ledger_report",
    "lock",
    "provenance",
    "reap_stale_fits",
    "record_refusal",
    "update_fit_progress",
    "verify_ledger",
]
