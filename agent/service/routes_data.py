"""Routes over data, specs and the ledger: ``ingest``/``datasets``/``describe``/``query``, ``spec init|lock|amend|
show`` and ``ledger`` of the CLI contract."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Request, UploadFile

from agent.service.bridge import options, run_command, with_spec_file
from agent.service.models import AmendRequest, DraftRequest, LockRequest, QueryRequest
from mmm_core.data.ingest import IngestResult

router = APIRouter()


def store_path(request: Request) -> Path:
    return request.app.state.store_path


@router.post("/datasets", response_model=IngestResult, status_code=201, tags=["data"])
def upload_dataset(
    request: Request,
    file: Annotated[UploadFile, File(description="MFF long CSV/Parquet, or a wide CSV with format=wide")],
    name: Annotated[str | None, Form()] = None,
    format: Annotated[Literal["mff", "wide"], Form()] = "mff",
) -> dict[str, Any]:
    """`mmm-agent ingest FILE`: the same validation and error objects (an invalid file is 422 with its rule)."""
    suffix = Path(file.filename or "upload.csv").suffix or ".csv"
    default_name = Path(file.filename or "upload").stem
    with tempfile.TemporaryDirectory(prefix="mmm-api-upload-") as folder:
        path = Path(folder) / f"upload{suffix}"
        with path.open("wb") as out:
            shutil.copyfileobj(file.file, out)
        argv = ["ingest", str(path), *options(name=name or default_name, format=format)]
        return run_command(store_path(request), argv)


@router.get("/datasets", tags=["data"])
def datasets(request: Request) -> dict[str, Any]:
    return run_command(store_path(request), ["datasets"])


@router.get("/datasets/{dataset}", tags=["data"])
def describe(request: Request, dataset: str) -> dict[str, Any]:
    """`mmm-agent describe DATASET`: periods, geographies and variables with their inferred roles."""
    return run_command(store_path(request), ["describe", dataset])


@router.post("/datasets/{dataset}/query", tags=["data"])
def query(request: Request, dataset: str, body: QueryRequest) -> dict[str, Any]:
    """`mmm-agent query DATASET SQL`: read-only SQL in the sandbox (row and time limits)."""
    argv = ["query", *options(fit=body.fit, max_rows=body.max_rows, timeout=body.timeout), dataset, "--", body.sql]
    return run_command(store_path(request), argv)


@router.post("/datasets/{dataset}/spec", tags=["specs"])
def draft_spec(request: Request, dataset: str, body: DraftRequest) -> dict[str, Any]:
    """`mmm-agent spec init DATASET`: a draft spec (free to change until it is locked) and notes on its choices."""
    media = ",".join(body.media) if body.media else None
    controls = ",".join(body.controls) if body.controls else None
    argv = ["spec", "init", dataset, *options(kpi=body.kpi, media=media, controls=controls)]
    return run_command(store_path(request), argv)


@router.post("/specs", status_code=201, tags=["specs"])
def lock_spec(request: Request, body: LockRequest) -> dict[str, Any]:
    """`mmm-agent spec lock FILE --rationale TEXT`: hashed, tied to the data, immutable."""
    return with_spec_file(store_path(request), body.spec, ["spec", "lock"], ["--rationale", body.rationale])


@router.get("/specs/{spec_id}", tags=["specs"])
def show_spec(request: Request, spec_id: str) -> dict[str, Any]:
    return run_command(store_path(request), ["spec", "show", spec_id])


@router.post("/specs/{spec_id}/amend", status_code=201, tags=["specs"])
def amend_spec(request: Request, spec_id: str, body: AmendRequest) -> dict[str, Any]:
    """`mmm-agent spec amend SPEC_ID FILE --reason TEXT`: version n+1; refused when it changes nothing, when the
    spec is not the latest version, or when the reason asks for a preferred result."""
    return with_spec_file(store_path(request), body.spec, ["spec", "amend", spec_id], ["--reason", body.reason])


@router.get("/datasets/{dataset}/ledger", tags=["specs"])
def ledger(request: Request, dataset: str) -> dict[str, Any]:
    """`mmm-agent ledger DATASET`: specs, fits and events."""
    return run_command(store_path(request), ["ledger", dataset])
