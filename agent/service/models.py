"""Request bodies of the REST API. Each field is the option of the CLI command the route stands for (same name,
same default), so a request and a command line say the same thing. Responses are the commands' JSON objects;
where the core already has a pydantic model (``IngestResult``, ``ModelSpec``, ``FitRequest``, ``BatchRequest``,
``Job``), the API uses that one definition."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from mmm_core.spec import ModelSpec


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class QueryRequest(_Body):
    sql: str = Field(min_length=1, description="one SELECT statement")
    fit: str | None = Field(None, description="fit whose posterior the posterior views show")
    max_rows: int = Field(1000, ge=1, le=100_000)
    timeout: float = Field(10.0, gt=0, le=120)


class DraftRequest(_Body):
    kpi: str | None = None
    media: list[str] | None = Field(None, description="declares these variables media and drafts exactly these")
    controls: list[str] | None = None


class LockRequest(_Body):
    spec: ModelSpec
    rationale: str = Field(description="why this model (mandatory, stored in the ledger)")


class AmendRequest(_Body):
    spec: ModelSpec
    reason: str = Field(description="why the locked spec changes (stored; post-hoc when a fit already finished)")


class OptimizeRequest(_Body):
    budget: str = Field(description="total over the horizon, e.g. 2M or 500000")
    periods: int = Field(13, ge=1)
    bound: dict[str, str] | None = Field(None, description="channel -> 'LO:HI' total over the horizon")
    bound_pct: dict[str, str] | None = Field(None, description="channel -> 'LO:HI' % change from the recent level")
    fixed: dict[str, str] | None = Field(None, description="channel -> amount fixed")
    objective: Literal["mean", "mean_sd", "cvar"] | None = None
    margin: float | None = None
    max_change: str = "0.3"
    extrapolate: bool = False
    min_prob: float = 0.9
    min_gain: float = 0.005
    no_rule: bool = False
    incremental: bool = False
    allow_unhealthy: bool = False


class ScenarioRequest(_Body):
    allocation: dict[str, str] = Field(description="channel -> total over the horizon (others keep their level)")
    periods: int = Field(13, ge=1)
    margin: float | None = None
    allow_unhealthy: bool = False


class ReportRequest(_Body):
    format: Literal["html", "md"] = "html"
    allow_unhealthy: bool = False


class AskRequest(_Body):
    text: str = Field(min_length=1, max_length=4000)
    session: str | None = Field(None, description="session id; a new one is created when omitted")
    fit: str | None = None
    approve: bool = Field(False, description="approve lock/amend/fit requested in this turn")


def pairs(mapping: dict[str, str] | None) -> list[str] | None:
    """``{"TV": "1:2"}`` -> ``["TV=1:2"]``: the CLI's repeated ``CH=VALUE`` options."""
    return None if not mapping else [f"{k}={v}" for k, v in mapping.items()]
