"""Issue 18 item 2: response on exposure, ROI on spend (or spend alone, the default)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError
from test_mff_support import HEADER, weeks, write_lines

from mmm_core.data import queries
from mmm_core.data.ingest import ingest
from mmm_core.errors import SpecValidationError
from mmm_core.fit.inputs import model_data
from mmm_core.spec.draft import init_spec_with_notes, validate_against
from mmm_core.spec.schema import MediaChannel
from mmm_core.store import Store

N = 40


def grps(i: int) -> float:
    return 30.0 + 25.0 * (i % 5)  # flighted GRPs, not proportional to spend


def tv_spend(i: int) -> float:
    return 1000.0 + 7.0 * i


def lines() -> list[str]:
    out = [HEADER]
    for i, p in enumerate(weeks(N)):
        out += [
            f"{p},,,,TV,,TV_Spend,{tv_spend(i)}",
            f"{p},,,,TV,,TV_GRPs,{grps(i)}",
            f"{p},,,,Search,,Search_Spend,{200 + 13 * (i % 7)}",
            f"{p},,,,,,Sales,{5000 + 3 * grps(i) + 2 * (i % 7)}",
        ]
    return out


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path / "mmm.duckdb")
    ingest(s, write_lines(tmp_path / "tv.csv", lines()))
    return s


def test_draft_records_the_exposure_and_keeps_spend_as_the_default(store: Store) -> None:
    spec, notes = init_spec_with_notes(store, "tv")
    tv = next(m for m in spec.media if m.name == "TV")
    assert (tv.variable, tv.exposure, tv.response_on) == ("TV_Spend", "TV_GRPs", "spend")
    assert any("TV (TV_GRPs): response is modelled on spend (default)" in n for n in notes)
    data = model_data(store, spec)
    assert data.spend[:, 0, list(data.channels).index("TV")] == pytest.approx([tv_spend(i) for i in range(N)])


def test_response_on_exposure_reads_grps_in_spend_units(store: Store) -> None:
    spec, _ = init_spec_with_notes(store, "tv")
    media = [m.model_copy(update={"response_on": "exposure"}) if m.name == "TV" else m for m in spec.media]
    spec = spec.model_copy(update={"media": media})
    validate_against(spec, queries.describe(store, "tv"))
    driver = model_data(store, spec).spend[:, 0, [m.name for m in spec.media].index("TV")]
    exposure = np.array([grps(i) for i in range(N)])
    assert driver / exposure == pytest.approx(np.full(N, driver[0] / exposure[0]))  # follows the GRPs
    # ... while its total is the spend: contribution / driver total is the ROI on spend
    assert driver.sum() == pytest.approx(sum(tv_spend(i) for i in range(N)))


def test_exposure_must_be_named_and_be_an_exposure_variable(store: Store) -> None:
    with pytest.raises(ValidationError, match="needs the channel's exposure variable"):
        MediaChannel(name="TV", variable="TV_Spend", response_on="exposure")
    spec, _ = init_spec_with_notes(store, "tv")
    media = [m.model_copy(update={"exposure": "Sales"}) if m.name == "TV" else m for m in spec.media]
    with pytest.raises(SpecValidationError, match=r"media\[TV\].exposure 'Sales' must be an exposure variable"):
        validate_against(spec.model_copy(update={"media": media}), queries.describe(store, "tv"))


def test_a_fit_on_exposure_reports_roi_on_spend(store: Store) -> None:
    from mmm_core import ledger
    from mmm_core.answers.results import roi
    from mmm_core.fit.job import run_fit

    spec, _ = init_spec_with_notes(store, "tv")
    spec = spec.model_copy(
        update={"media": [m.model_copy(update={"response_on": "exposure"}) if m.exposure else m for m in spec.media]}
    )
    locked = ledger.lock(store, spec, "Issue 18: response on GRPs, ROI on spend.")
    fit = run_fit(store, locked.spec_id, quick=True)
    answer = roi(store, fit["fit_id"], allow_unhealthy=True)
    tv = answer["channels"]["TV"]
    assert tv["spend"] == pytest.approx(sum(tv_spend(i) for i in range(N)))  # spend, not GRPs
    assert tv["roi"]["mean"] == pytest.approx(tv["contribution"]["mean"] / tv["spend"], rel=0.05)
    assert answer["roi_basis"] == [{"channel": "TV", "spend": "TV_Spend", "response_on": "TV_GRPs", "national": False}]


def test_roi_answers_state_the_basis_on_the_cli_and_in_chat(store: Store, capsys) -> None:
    """'ROI on spend; response modelled on GRPs' in `mmm-agent roi` and in the chat's ROI answer."""
    from agent.cli.main import main
    from agent.models.answers import compose
    from mmm_core import ledger
    from mmm_core.answers.results import roi
    from mmm_core.fit.job import run_fit

    spec, _ = init_spec_with_notes(store, "tv")
    media = [m.model_copy(update={"response_on": "exposure"}) if m.exposure else m for m in spec.media]
    fit = run_fit(store, ledger.lock(store, spec.model_copy(update={"media": media}), "GRPs").spec_id, quick=True)
    sentence = "TV: ROI on spend (TV_Spend); response modelled on TV_GRPs."
    assert main(["--store", str(store.path), "roi", fit["fit_id"], "--allow-unhealthy"]) == 0
    assert sentence in capsys.readouterr().out
    answer = compose("roi", roi(store, fit["fit_id"], allow_unhealthy=True), {"kpi": "Sales"}, [])
    assert sentence in answer and "Search: ROI on" not in answer  # only channels whose basis is not plain spend
