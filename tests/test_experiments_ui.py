"""UI upload of an experiment file (issue 19, item 5b): the lift-test CSV is recognised by its header and stored for
the session's dataset with the amendment rule stated; data files are not taken for it; a bad row is shown in full."""

from __future__ import annotations

from pathlib import Path

from agent.ui.experiments import is_experiment_file, upload_dataset, upload_text
from mmm_core.data.experiments import list_experiments

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo_national.csv"
HEADER = "Channel,Geography,Start,End,Spend Change,Lift,Lift_SE,Type\n"


def test_only_a_lift_test_header_is_an_experiment_file(tmp_path: Path) -> None:
    good = tmp_path / "tests.csv"
    good.write_text(HEADER + "TV,,2023-03-06,2023-03-27,50000,120000,30000,heavy-up\n")
    assert is_experiment_file(good)
    assert not is_experiment_file(DEMO)  # an MFF data file
    (tmp_path / "tests.parquet").write_bytes(b"PAR1")
    assert not is_experiment_file(tmp_path / "tests.parquet")


def test_upload_stores_the_tests_for_the_session_dataset_and_states_the_rule(store, dataset, tmp_path: Path) -> None:
    path = tmp_path / "tests.csv"
    path.write_text(HEADER + "TV,,2023-03-06,2023-03-27,50000,120000,30000,heavy-up\n")
    assert upload_dataset(store, {"dataset_id": dataset}) == dataset and upload_dataset(store, None) == dataset
    text = upload_text(store, dataset, path, "tests.csv")
    (stored,) = list_experiments(store, dataset)
    assert f"Stored 1 lift test(s) from tests.csv for dataset {dataset}" in text
    assert stored["experiment_id"] in text and "120,000 ± 30,000" in text and "amendment" in text
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "TV,,2023-03-06,2023-03-27,50000,120000,0,\n")
    refused = upload_text(store, dataset, bad, "bad.csv")
    assert "invalid_experiment" in refused and "line 2" in refused and "column Lift_SE" in refused
    assert "no dataset" in upload_text(store, None, path, "tests.csv")
