"""One holdout limit (fewer than half of the periods), one message, used by the spec check and the engine."""

from __future__ import annotations

import pytest

from mmm_core.engine.config import HOLDOUT_HINT, EngineConfigError, ModelConfig, holdout_problem, max_holdout


@pytest.mark.parametrize("n, most", [(104, 51), (105, 51), (52, 25), (3, 0), (1, 0)])
def test_fewer_than_half_may_be_held_out(n: int, most: int) -> None:
    assert max_holdout(n) == most
    assert holdout_problem(most, n) is None
    assert f"at most {most} of {n}" in holdout_problem(most + 1, n)
    assert holdout_problem(-1, n) is not None


def test_engine_enforces_the_same_limit_with_the_same_hint() -> None:
    ModelConfig(holdout=51).validate(4, 0, 104)
    with pytest.raises(EngineConfigError) as e:
        ModelConfig(holdout=52).validate(4, 0, 104)
    assert "at most 51 of 104" in e.value.message and e.value.hint == HOLDOUT_HINT
    assert "fewer than half" in HOLDOUT_HINT  # the hint states the limit the check enforces
