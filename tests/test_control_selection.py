"""Control classes and selection (issue 22, item 3): the spec's causal rule, its hash, the engine's priors, and the
`controls` answer through the CLI and the agent's tool. Fast; the recovery check is in
``test_control_selection_recovery.py`` (slow)."""

from __future__ import annotations

import json

import jax
import numpy as np
import pytest
from numpyro.infer import Predictive
from scipy.stats import kstest

from mmm_core.answers.controls import KEPT, NOT_JUDGED, SHRUNK, control_rows
from mmm_core.engine import ModelData, scale_data
from mmm_core.engine.config import ControlSelectionConfig, EngineConfigError, ModelConfig
from mmm_core.engine.model import bound_model
from mmm_core.errors import SpecValidationError
from mmm_core.spec.canonical import canonical_json, spec_sha256
from mmm_core.spec.controls import selection_config
from mmm_core.spec.schema import ModelSpec
from mmm_core.synth.controls import SPARSE_TRUE

TRUE_CONTROLS = [name for name, _, _ in SPARSE_TRUE]
BASE = {
    "dataset_id": "ds_1",
    "kpi": "Sales",
    "media": [{"name": "TV", "variable": "TV_Spend"}],
    "controls": [{"name": "Price"}, {"name": "Rain"}, {"name": "Temp"}],
}


def _spec(classes: dict[str, str] | None = None, selection: dict | None = None) -> ModelSpec:
    controls = [
        {**c, **({"class": classes[c["name"]]} if c["name"] in (classes or {}) else {})} for c in BASE["controls"]
    ]
    return ModelSpec.parse({**BASE, "controls": controls, **({"control_selection": selection} if selection else {})})


def test_absent_class_and_selection_leave_the_canonical_json_and_hash_as_before() -> None:
    plain = _spec()
    text = canonical_json(plain)
    assert '"class"' not in text and "control_selection" not in text  # specs locked earlier still verify
    classified = _spec({"Price": "confounder"})
    assert spec_sha256(classified) != spec_sha256(plain)
    assert '"class":"confounder"' in canonical_json(classified)
    selected = _spec({"Price": "confounder", "Rain": "precision", "Temp": "precision"}, {"method": "horseshoe"})
    assert ModelSpec.from_yaml(selected.to_yaml()) == selected
    assert "class: precision" in selected.to_yaml()
    assert spec_sha256(selected) != spec_sha256(classified)


def test_selection_on_a_declared_confounder_is_refused_with_its_name_and_the_reason() -> None:
    with pytest.raises(SpecValidationError) as err:
        _spec({"Price": "confounder", "Rain": "precision"}, {"controls": ["Price", "Rain"]})
    msg = str(err.value)
    assert "'Price'" in msg and "confounder" in msg and "biases every media effect" in msg
    assert "'Rain'" not in msg  # the precision control is not the problem


@pytest.mark.parametrize(
    ("classes", "selection", "expected"),
    [
        ({"Price": "core"}, {"controls": ["Price"]}, "declared a core"),
        ({"Price": "mediator"}, {"controls": ["Price"]}, "declared a mediator"),
        ({}, {"controls": ["Price"]}, "unclassified"),
        ({"Rain": "precision"}, {"controls": ["Snow"]}, "'Snow', which is not a control"),
        ({"Price": "confounder"}, {"method": "lasso"}, "no control to select"),
        ({"Rain": "precision", "Temp": "precision"}, {"method": "horseshoe", "expected_nonzero": 2}, "below the 2"),
        # Before spike_slab became the default this spec meant a horseshoe; its guess must not be dropped silently.
        ({"Rain": "precision", "Temp": "precision"}, {"expected_nonzero": 1}, "applies to the horseshoe only"),
    ],
)
def test_selection_refusals_name_the_problem(classes, selection, expected) -> None:
    with pytest.raises(SpecValidationError, match=expected):
        _spec(classes, selection)


def test_an_unknown_class_names_its_path() -> None:
    with pytest.raises(SpecValidationError, match=r"controls\[Price\]\.class: Input should be 'precision'"):
        _spec({"Price": "nuisance"})


def test_default_selection_is_every_precision_control_with_a_stated_guess() -> None:
    spec = _spec({"Price": "confounder", "Rain": "precision", "Temp": "precision"}, {"method": "spike_slab"})
    cfg = selection_config(spec)
    assert cfg.method == "spike_slab" and cfg.selected == (1, 2)  # Price (index 0) is never selected
    assert cfg.expected_nonzero == 1.0  # min(3, half of 2)
    assert selection_config(_spec({"Price": "confounder"})) is None
    # No method stated: the spike-and-slab, the prior NUTS samples cleanly (measured in spec.controls' comment).
    assert selection_config(_spec({"Rain": "precision"}, {"controls": ["Rain"]})).method == "spike_slab"


def _data(n_controls: int = 20, geos: int = 1) -> ModelData:
    rng = np.random.default_rng(0)
    t = 104
    periods = np.datetime64("2023-01-02") + 7 * np.arange(t)
    spend = rng.gamma(2.0, 100.0, (t, geos, 2))
    return ModelData(
        periods=periods,
        geos=tuple(f"G{g}" for g in range(geos)),
        channels=("TV", "Search"),
        spend=spend,
        kpi=1000.0 + rng.normal(0.0, 50.0, (t, geos)),
        controls=rng.normal(size=(t, geos, n_controls)),
        control_names=tuple(f"c{k}" for k in range(n_controls)),
    )


def _prior(config: ModelConfig, data: ModelData, n: int = 2000) -> dict[str, np.ndarray]:
    draws = Predictive(bound_model(config), num_samples=n)(jax.random.PRNGKey(0), scale_data(data, config), None)
    return {k: np.asarray(v) for k, v in draws.items()}


def test_without_selection_the_model_keeps_its_sites() -> None:
    draws = _prior(ModelConfig(control_sign=(1,) + (0,) * 19), _data(), n=10)
    assert {"gamma_control_free", "gamma_control_pos"} <= set(draws)
    assert "control_inclusion" not in draws and not any(k.startswith("control_") for k in draws)
    assert (draws["gamma_control"][:, 0] >= 0).all()


def test_horseshoe_prior_expects_p0_nonzero_and_spike_slab_its_inclusion() -> None:
    # Piironen & Vehtari's tau0 makes the prior median of m_eff = sum(1 - kappa) the stated guess p0; a wrong
    # scale (missing sqrt(n), or sigma) moves it by a factor of 10 or more.
    sel = ControlSelectionConfig("horseshoe", tuple(range(20)), expected_nonzero=3.0)
    m_eff = _prior(ModelConfig(control_selection=sel), _data())["control_inclusion"].sum(axis=1)
    assert 2.4 <= np.median(m_eff) <= 3.6
    sel = ControlSelectionConfig("spike_slab", tuple(range(20)), prior_inclusion=0.3)
    inc = _prior(ModelConfig(control_selection=sel), _data())["control_inclusion"]
    assert abs(inc.mean() - 0.3) < 0.03  # the mean of P(slab | gamma) under the prior is the prior inclusion


def test_horseshoe_coordinates_keep_its_law_gamma_normal_given_its_scale() -> None:
    # The engine samples w with gamma = s·sqrt(kappa)·w, w ~ N(0, 1/sqrt(kappa)); the prior must still be gamma | s ~
    # N(0, s²), s² = tau² lambda~². s is recovered from kappa = 1 / (1 + n s² / sigma²); draws where float32 cannot
    # resolve 1 - kappa are left out (a selection on s, which leaves gamma | s unchanged).
    sel = ControlSelectionConfig("horseshoe", tuple(range(20)), expected_nonzero=3.0)
    data = _data()
    draws = _prior(ModelConfig(control_selection=sel), data)
    inc = draws["control_inclusion"].astype(float)
    s = np.sqrt(inc / (1.0 - inc) / len(data.periods)) * draws["sigma"].astype(float)[:, :1]
    z = (draws["gamma_control"] / s)[(inc > 1e-4) & (inc < 1 - 1e-4)]
    assert z.size > 20_000 and kstest(z, "norm").pvalue > 0.001, (z.mean(), z.std())
    wrong = (draws["gamma_control"] / (s * np.sqrt(1.0 - inc)))[(inc > 1e-4) & (inc < 1 - 1e-4)]
    assert kstest(wrong, "norm").pvalue < 1e-6  # the test can tell: sqrt(kappa) left out is another law


@pytest.mark.parametrize("method", ["horseshoe", "spike_slab", "lasso"])
def test_selection_on_geo_data_keeps_unselected_controls_and_signs(method: str) -> None:
    sel = ControlSelectionConfig(method, (1, 2, 3), expected_nonzero=1.0)
    draws = _prior(ModelConfig(control_selection=sel, control_sign=(0, -1, 0, 0)), _data(4, geos=3), n=200)
    inc = draws["control_inclusion"]
    assert inc.shape == (200, 4) and (inc[:, 0] == 1.0).all() and ((inc >= 0) & (inc <= 1)).all()
    assert (draws["gamma_control"][:, 1] <= 0).all()  # the sign constraint holds under selection
    assert draws["gamma_control_free"].shape == (200, 1)  # the unselected control keeps the plain prior


def test_engine_refuses_a_selection_it_cannot_honour() -> None:
    with pytest.raises(EngineConfigError, match="distinct control indices"):
        ModelConfig(control_selection=ControlSelectionConfig("horseshoe", (0, 7))).validate(2, 3, 104)
    with pytest.raises(EngineConfigError, match="expected_nonzero 3"):
        ModelConfig(control_selection=ControlSelectionConfig("horseshoe", (0, 1))).validate(2, 3, 104)


def test_verdicts_follow_the_mean_inclusion_and_are_withheld_on_an_approximate_fit() -> None:
    gamma = np.zeros((4, 3))
    inclusion = np.array([[1.0, 0.9, 0.2]] * 2 + [[1.0, 0.3, 0.4]] * 2)  # means: 1, 0.6, 0.3
    args = (gamma, inclusion, ["Price", "Rain", "Temp"], ["confounder", "precision", "precision"], ["Rain", "Temp"])
    rows = control_rows(*args, "horseshoe", 0.9, "equal_tailed")
    assert rows["Rain"]["verdict"] == KEPT and rows["Rain"]["shrinkage"] == pytest.approx(0.4)
    assert rows["Temp"]["verdict"] == SHRUNK and rows["Price"]["verdict"] == "always in (confounder)"
    rows = control_rows(*args, "spike_slab", 0.9, "equal_tailed", approximate=True)
    assert rows["Rain"]["inclusion_probability"] == pytest.approx(0.6) and rows["Rain"]["verdict"] == NOT_JUDGED


@pytest.fixture(scope="module")
def selected_fit(demo_fit) -> dict:
    """The demo data with Price a confounder, Promo and Holiday precision controls under a horseshoe; quick fit."""
    from mmm_core import ledger
    from mmm_core.fit.job import run_fit

    store = demo_fit["store"]
    data = ledger.get_spec(store, demo_fit["spec_id"]).spec.model_dump(mode="json")
    classes = {"Price": "confounder", "Promo": "precision", "Holiday": "precision"}
    data["controls"] = [{**c, "class": classes[c["name"]]} for c in data["controls"]]
    data["control_selection"] = {"method": "horseshoe"}
    locked = ledger.lock(store, ModelSpec.parse(data), "test: control selection on the demo")
    fit = run_fit(store, locked.spec_id, quick=True, seed=0)
    return {"store": store, "fit_id": fit["fit_id"]}


def test_controls_cli_json_gives_class_and_shrinkage(selected_fit, capsys) -> None:
    from agent.cli.main import main

    store = str(selected_fit["store"].path)
    assert main(["--store", store, "controls", selected_fit["fit_id"], "--allow-unhealthy", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    rows = out["controls"]
    assert rows["Price"]["class"] == "confounder" and rows["Price"]["verdict"] == "always in (confounder)"
    assert "shrinkage" not in rows["Price"] and not rows["Price"]["selected"]
    for name in ("Promo", "Holiday"):
        assert rows[name]["class"] == "precision" and 0.0 <= rows[name]["shrinkage"] <= 1.0
        assert rows[name]["verdict"] == NOT_JUDGED  # a quick fit: numbers shown, no verdict
        assert rows[name]["effect"]["lo"] <= rows[name]["effect"]["mean"] <= rows[name]["effect"]["hi"]
    sel = out["selection"]
    assert sel["method"] == "horseshoe" and sel["controls"] == ["Holiday", "Promo"] and sel["expected_nonzero"] == 1
    assert not sel["judged"] and sel["kept"] == sel["shrunk"] == []
    assert out["provenance"]["spec_id"]
    assert main(["--store", store, "controls", selected_fit["fit_id"], "--allow-unhealthy"]) == 0
    assert "kappa" in capsys.readouterr().out


def test_control_tool_answers_which_controls_matter(selected_fit) -> None:
    from mmm_core.ledger.fits import fit_record
    from tools import build_tools

    tool = {t.name: t for t in build_tools(selected_fit["store"])}["control_selection"]
    out = json.loads(tool.invoke({"fit_id": selected_fit["fit_id"]}))
    if fit_record(selected_fit["store"], selected_fit["fit_id"]).unhealthy:  # refused as data, like every tool
        assert out["error"]["code"] == "fit_unhealthy"
    else:
        assert set(out["controls"]) == {"Price", "Promo", "Holiday"} and out["selection"]["method"] == "horseshoe"
        assert out["controls"]["Price"]["verdict"] == "always in (confounder)"


def test_report_has_a_grounded_control_subsection(selected_fit, tmp_path) -> None:
    from mmm_core.report import build_report

    out = build_report(selected_fit["store"], selected_fit["fit_id"], tmp_path / "r.md", fmt="md", allow_unhealthy=True)
    assert "controls" in out["sections"] and out["grounded"], out["ungrounded"]
    text = (tmp_path / "r.md").read_text()
    assert "Control variables" in text and "| Price | confounder |" in text and "kappa" in text


@pytest.mark.parametrize("method", ["horseshoe", "spike_slab", "lasso"])
def test_the_gate_counts_one_coefficient_per_selected_control(method: str) -> None:
    # The prior's scales and auxiliaries are not coefficients: counting them (63 for a horseshoe over 20) blocked
    # the 156-week sparse_controls world as "too little data" when it has 4 observations per coefficient.
    from mmm_core.fit.prior_check import n_parameters

    data, plain = _data(), ModelConfig()
    selected = ModelConfig(control_selection=ControlSelectionConfig(method, tuple(range(20))))
    assert n_parameters(scale_data(data, selected), selected) == n_parameters(scale_data(data, plain), plain)


def test_synthetic_worlds_have_three_controls_that_matter_and_a_real_confounder() -> None:
    from mmm_core.synth import generate
    from mmm_core.synth.controls import CONFOUNDER

    sparse = generate("sparse_controls", 0).truth["controls"]
    assert len(sparse) == 20 and sorted(n for n, c in sparse.items() if c["coef"] != 0) == sorted(TRUE_CONTROLS)
    world = generate("confounded_control", 0).world
    k = world.control_names.index(CONFOUNDER)
    assert world.control_coef[0, k] > 0  # it lifts sales ...
    corr = np.corrcoef(world.spend[0].sum(axis=1), world.controls[0, :, k])[0, 1]
    assert corr > 0.5, corr  # ... and drives spend (0.77 on seed 0): leaving it out biases media
