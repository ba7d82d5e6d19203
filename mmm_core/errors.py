"""Typed errors. Every user-facing failure carries a stable ``code``, a ``message`` naming the problem and a
``hint`` naming the fix; the CLI maps them to ``{"error": {"code", "message", "hint"}}``."""

from __future__ import annotations


class MMMError(Exception):
    """Base class of every error a user may see."""

    code: str = "error"

    def __init__(self, message: str, hint: str = "", code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        if code is not None:
            self.code = code

    detail: dict | None = None

    def with_detail(self, detail: dict) -> "MMMError":
        """Attach structured context (e.g. the gate report) for stores and JSON output; returns self."""
        self.detail = detail
        return self

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message, "hint": self.hint}

    def __str__(self) -> str:
        return f"{self.message}" + (f" Hint: {self.hint}" if self.hint else "")


class StoreError(MMMError):
    code = "store_error"


class StoreBusyError(StoreError):
    code = "store_busy"


class NotFoundError(MMMError):
    code = "not_found"


class MFFValidationError(MMMError):
    """A file that cannot be ingested. ``code`` names the rule (e.g. ``duplicate_key``)."""

    code = "invalid_mff"

    def __init__(
        self,
        message: str,
        hint: str = "",
        code: str | None = None,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
        value: object = None,
    ) -> None:
        super().__init__(message, hint, code)
        self.file, self.row, self.column, self.value = file, row, column, value


class QueryRefusedError(MMMError):
    code = "query_refused"


class QueryLimitError(MMMError):
    code = "query_limit"


class SpecValidationError(MMMError):
    code = "invalid_spec"


class SpecLockedError(MMMError):
    code = "spec_locked"


class LedgerError(MMMError):
    code = "ledger_error"


class TamperError(LedgerError):
    code = "spec_tampered"


class FitRefusedError(MMMError):
    code = "fit_refused"


class GateError(FitRefusedError):
    """The pre-fit gate found a blocking problem."""

    code = "gate_blocked"
