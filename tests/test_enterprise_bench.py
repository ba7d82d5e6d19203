"""The enterprise benchmark's diagnostics (``bench/enterprise.py``): E-BFMI, and the share of latent scalars past
each R-hat threshold with the worst one by name, so a single stuck scalar and a tenth of the model read differently."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from enterprise import energy_bfmi, rhat_profile  # noqa: E402


def test_rhat_profile_counts_scalars_past_each_threshold_and_names_the_worst() -> None:
    rng = np.random.default_rng(7)
    a = rng.standard_normal((2, 500, 3, 4))  # 12 well-mixed scalars: R-hat of iid draws is ~1.00
    b = rng.standard_normal((2, 500))
    b[1] += 3.0  # chains that disagree by 3 sd: R-hat far above 1.1
    out = rhat_profile({"alpha": a, "beta": b})
    assert out.n_scalars == 13
    assert np.isclose(out.share_above_1_1, 1 / 13) and np.isclose(out.share_above_1_01, 1 / 13)
    assert out.worst.startswith("beta ")


def test_rhat_profile_names_the_index_of_a_multi_dimensional_site() -> None:
    rng = np.random.default_rng(8)
    a = rng.standard_normal((2, 500, 2, 3))
    a[0, :, 1, 2] += 2.0  # named by its index in the site, as the health review names scalars
    assert rhat_profile({"alpha": a}).worst.startswith("alpha[1,2] ")


def test_energy_bfmi_is_near_two_for_independent_energies_and_small_for_a_random_walk() -> None:
    rng = np.random.default_rng(9)
    independent = rng.standard_normal((1, 4000))  # E[(e_t - e_t-1)^2] / Var(e) = 2 for independent draws
    walk = np.cumsum(rng.standard_normal((1, 4000)), axis=1)  # energy that barely moves between draws
    assert abs(energy_bfmi(independent)[0] - 2.0) < 0.15
    assert energy_bfmi(walk)[0] < 0.05
