"""`fit --engine pymc-marketing` through the fit job, and `compare-engines` between the two engines."""

from __future__ import annotations

import json

import pytest

from agent.cli.main import main
from mmm_core.answers.results import compare_engines, load_posterior, roi
from mmm_core.errors import FitRefusedError
from mmm_core.fit.job import run_fit


@pytest.fixture(scope="module")
def pymc_fit(demo_fit: dict) -> dict:
    return run_fit(demo_fit["store"], demo_fit["spec_id"], engine="pymc-marketing", warmup=200, draws=200)


def test_pymc_marketing_fit_is_a_job_with_stated_differences(demo_fit: dict, pymc_fit: dict) -> None:
    assert pymc_fit["status"] == "succeeded" and pymc_fit["engine"] == "pymc-marketing"
    assert pymc_fit["provenance"]["spec_id"] == demo_fit["spec_id"]
    assert any("pymc-marketing's default media priors" in d for d in pymc_fit["diagnostics"]["differences_from_spec"])
    names = {c["name"] for c in pymc_fit["health"]["checks"]}
    assert {"max_rhat", "divergences", "fit_quality", "implausible_roi"} <= names
    table = roi(demo_fit["store"], pymc_fit["fit_id"], allow_unhealthy=True)
    assert set(table["channels"]) == {"Search", "Social", "Local", "Email"}
    assert table["channels"]["Search"]["mroi"]["mean"] is None  # not available without a predict function


def test_pymc_fit_cannot_drive_curves_or_plans(demo_fit: dict, pymc_fit: dict) -> None:
    with pytest.raises(FitRefusedError) as err:
        load_posterior(demo_fit["store"], pymc_fit["fit_id"])
    assert err.value.code == "engine_cannot_predict"


def test_compare_engines(demo_fit: dict, pymc_fit: dict, capsys: pytest.CaptureFixture[str]) -> None:
    out = compare_engines(demo_fit["store"], demo_fit["fit_id"], pymc_fit["fit_id"])
    assert out["engines"] == {demo_fit["fit_id"]: "numpyro", pymc_fit["fit_id"]: "pymc-marketing"}
    assert set(out["channels"]) == {"Search", "Social", "Local", "Email"}
    assert isinstance(out["agree"], bool) and out["verdict"]
    for row in out["channels"].values():
        assert 0.0 <= row["prob_a_greater"] <= 1.0
    assert (
        main(
            [
                "--store",
                str(demo_fit["store"].path),
                "compare-engines",
                demo_fit["fit_id"],
                pymc_fit["fit_id"],
                "--json",
            ]
        )
        == 0
    )
    assert json.loads(capsys.readouterr().out)["fit_b"] == pymc_fit["fit_id"]
