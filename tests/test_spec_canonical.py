"""Canonical identity: formatting, key order and number spelling never change the hash; meaning always does."""

from __future__ import annotations

import json
import random

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mmm_core.spec import ModelSpec, canonical_json, spec_sha256
from mmm_core.spec.canonical import normalise

names = st.sampled_from(["TV", "Search", "Social", "Radio", "Print", "OOH"])
pos = st.floats(min_value=0.01, max_value=50, allow_nan=False, allow_infinity=False)


@st.composite
def channels(draw):
    chosen = draw(st.lists(names, min_size=1, max_size=4, unique=True))
    out = []
    for name in chosen:
        ch = {
            "name": name,
            "variable": f"{name}_Spend",
            "adstock": {
                "type": draw(st.sampled_from(["geometric", "delayed"])),
                "l_max": draw(st.integers(1, 20)),
                "half_life": {"median": draw(pos), "sigma": draw(pos)},
            },
            "saturation": {"type": draw(st.sampled_from(["logistic", "hill"]))},
            "effect_prior": {"type": "roi", "median": draw(pos), "sigma": draw(pos)},
        }
        out.append(ch)
    return out


@st.composite
def spec_dicts(draw):
    media = draw(channels())
    data = {
        "dataset_id": "ds_x",
        "kpi": "Sales",
        "media": media,
        "controls": [
            {"name": c, "sign": draw(st.sampled_from(["positive", "negative", "none"]))}
            for c in draw(st.lists(st.sampled_from(["Price", "Temp", "Promo"]), unique=True))
        ],
        "likelihood": draw(st.sampled_from(["additive", "multiplicative"])),
        "sampler": {"chains": draw(st.integers(1, 8)), "seed": draw(st.integers(0, 10**6))},
        "seasonality": {"fourier_order": draw(st.integers(0, 4))},
        "interval": {"level": draw(st.floats(0.5, 0.99))},
    }
    if draw(st.booleans()):
        data["mediators"] = [
            {"name": "Awareness", "type": "sparse", "channels": draw(st.permutations([m["name"] for m in media]))}
        ]
    return data


def _shuffle(value, rng):
    """Same meaning, different spelling: shuffled keys and list order of named items, ints written as floats."""
    if isinstance(value, dict):
        items = list(value.items())
        rng.shuffle(items)
        return {k: _shuffle(v, rng) for k, v in items}
    if isinstance(value, list):
        out = [_shuffle(v, rng) for v in value]
        if all(isinstance(v, dict) and "name" in v for v in value) or all(isinstance(v, str) for v in value):
            rng.shuffle(out)
        return out
    if isinstance(value, float) and value.is_integer() and rng.random() < 0.5:
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool) and rng.random() < 0.3:
        return float(value)  # l_max: 8.0 is the same spec as l_max: 8
    return value


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec_dicts(), st.integers(0, 10**6), st.sampled_from([None, True, False]), st.integers(2, 6))
def test_formatting_never_changes_the_hash(data, seed, flow, indent):
    spec = ModelSpec.parse(data)
    # Sparse input (defaults omitted) and the full dump (defaults explicit) are the same spec.
    respelled = _shuffle(spec.model_dump(mode="json"), random.Random(seed))
    text = yaml.safe_dump(respelled, default_flow_style=flow, indent=indent, sort_keys=False)
    again = ModelSpec.from_yaml(text)
    assert canonical_json(again) == canonical_json(spec)
    assert spec_sha256(again) == spec_sha256(spec)


MUTATIONS = [
    lambda d: d["media"][0]["adstock"].__setitem__("l_max", d["media"][0]["adstock"]["l_max"] % 20 + 1),
    lambda d: d["media"][0]["effect_prior"].__setitem__("median", d["media"][0]["effect_prior"]["median"] * 1.001),
    lambda d: d["sampler"].__setitem__("seed", d["sampler"]["seed"] + 1),
    lambda d: d.__setitem__("likelihood", "additive" if d["likelihood"] != "additive" else "multiplicative"),
    lambda d: d["media"][0]["adstock"]["half_life"].__setitem__(
        "sigma", d["media"][0]["adstock"]["half_life"]["sigma"] + 0.1
    ),
    lambda d: d["controls"].append({"name": "Weather", "sign": "none"}),
    lambda d: d["interval"].__setitem__("method", "hdi"),
    lambda d: d.__setitem__("kpi", "Revenue"),
    lambda d: d["media"][0].__setitem__("variable", d["media"][0]["variable"] + "2"),
]


@settings(max_examples=60, deadline=None)
@given(spec_dicts(), st.sampled_from(range(len(MUTATIONS))))
def test_any_semantic_change_changes_the_hash(data, which):
    spec = ModelSpec.parse(data)
    changed = spec.model_dump(mode="json")
    MUTATIONS[which](changed)
    assert spec_sha256(ModelSpec.parse(changed)) != spec_sha256(spec)


def test_canonical_json_is_compact_sorted_and_normalised():
    text = canonical_json(ModelSpec.parse({"dataset_id": "d", "kpi": "K", "media": [{"name": "A", "variable": "a"}]}))
    assert " " not in text and "\n" not in text
    data = json.loads(text)
    assert list(data) == sorted(data)
    assert '"median":1,' in text  # 1.0 is written as 1
    assert normalise(-0.0) == 0 and normalise(2.0) == 2 and normalise(0.1) == 0.1 and normalise(True) is True
