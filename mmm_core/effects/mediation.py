"""`MediationDraws`: per-draw direct, indirect (per mediator) and total effects of each channel, by
counterfactual prediction through the whole system (media → mediator → KPI), and their storage.

For channel c, every draw s, summed over the period × geo grid (KPI units)::

    total_c      = mu(spend) - mu(spend with c = 0 on every path)
    direct_c     = mu(spend) - mu(c = 0 in the KPI's direct term only; every mediator sees the real spend)
    indirect_c   = total_c - direct_c
    indirect_c,m = mu(spend) - mu(c = 0 in mediator m's equation only)

Nothing here assumes linearity: in the additive model ``indirect_c = sum_m indirect_c,m`` exactly (tested);
in the multiplicative model the per-mediator parts need not add up (paths interact) and ``indirect_c`` is the
reference. A channel feeding no mediator has ``direct = total`` and ``indirect = 0`` structurally (its b is 0),
so those predictions are skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from mmm_core.effects.draws import draw_chunks, mu_sum_diff, sub_posterior
from mmm_core.effects.intervals import EffectsError

if TYPE_CHECKING:
    from mmm_core.engine.posterior import Posterior

FORMAT_VERSION = 1
_ARRAYS = ("spend_total", "total", "direct", "indirect_by", "feeds")


@dataclass(frozen=True, eq=False)
class MediationDraws:
    """``total``/``direct`` [S,C], ``indirect_by`` [S,M,C] (KPI units over the whole grid), ``spend_total``
    [C], ``feeds`` [M,C] bool. ``indirect`` = total - direct."""

    channels: tuple[str, ...]
    mediators: tuple[str, ...]
    spend_total: np.ndarray
    total: np.ndarray
    direct: np.ndarray
    indirect_by: np.ndarray
    feeds: np.ndarray
    approximate: bool = False
    label: str = "NUTS (full Bayesian posterior)"

    @property
    def indirect(self) -> np.ndarray:
        return self.total - self.direct

    @property
    def n_draws(self) -> int:
        return int(self.total.shape[0])


def _cut(spend: np.ndarray, c: int) -> np.ndarray:
    out = spend.copy()
    out[..., c] = 0.0
    return out


def _chunk(sub: "Posterior", spend: np.ndarray, feeds: np.ndarray) -> dict[str, np.ndarray]:
    """Direct / total / per-mediator indirect sums for one chunk of draws (1 + per channel 2 + M predictions)."""
    n_m, n_c = feeds.shape
    observed = np.broadcast_to(spend, (n_m,) + spend.shape)
    mu = sub.predict(spend, mediator_spend=observed)["mu"]
    s = mu.shape[0]
    total, direct, ind = np.zeros((s, n_c)), np.zeros((s, n_c)), np.zeros((s, n_m, n_c))
    for c in range(n_c):
        cut = _cut(spend, c)
        total[:, c] = mu_sum_diff(mu, sub.predict(cut, mediator_spend=np.broadcast_to(cut, observed.shape))["mu"])
        if not feeds[:, c].any():
            direct[:, c] = total[:, c]
            continue
        direct[:, c] = mu_sum_diff(mu, sub.predict(cut, mediator_spend=observed)["mu"])
        for m in np.flatnonzero(feeds[:, c]):
            med = observed.copy()
            med[m] = cut
            ind[:, m, c] = mu_sum_diff(mu, sub.predict(spend, mediator_spend=med)["mu"])
    return {"total": total, "direct": direct, "indirect_by": ind}


def compute_mediation(post: "Posterior", max_draws: int | None = None) -> MediationDraws:
    """Counterfactual direct / indirect / total effects of every channel for every draw of ``post``
    (vectorised over draws in chunks; Python loops over channels and mediators only)."""
    from mmm_core.engine.mediation import feeds as feed_matrix  # lazy: JAX (~1.5 s), as in effects.curves

    config = post.config
    if not getattr(config, "mediators", ()):
        raise EffectsError(
            "This model has no mediators.", hint="Mediation needs a spec with mediators.", code="no_mediators"
        )
    if max_draws is not None:
        post = post.thin(max_draws)
    spend = np.asarray(post.data.spend, np.float64)
    n_t, n_g, n_c = spend.shape
    feeds = feed_matrix(config, n_c)
    size = draw_chunks(post.n_draws, n_t * n_g * (n_c + 2))
    parts = []
    for start in range(0, post.n_draws, size):
        sub, real = sub_posterior(post, start, size)
        parts.append({k: v[:real] for k, v in _chunk(sub, spend, feeds).items()})
    merged = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    return MediationDraws(
        channels=tuple(post.data.channels),
        mediators=tuple(m.name for m in config.mediators),
        spend_total=spend.sum(axis=(0, 1)),
        feeds=feeds,
        approximate=bool(post.approximate),
        label=str(post.label),
        **merged,
    )


def save_mediation(draws: MediationDraws, path: str | Path) -> Path:
    """Compressed ``.npz`` (no pickle), written to a temporary name and renamed (readers never see half)."""
    path = Path(path)
    tmp = path.with_suffix(".tmp")
    arrays = {k: np.asarray(getattr(draws, k)) for k in _ARRAYS}
    arrays.update(
        channels=np.array(draws.channels, dtype=str),
        mediators=np.array(draws.mediators, dtype=str),
        approximate=np.array(draws.approximate),
        label=np.array(draws.label),
        format_version=np.array(FORMAT_VERSION),
    )
    with open(tmp, "wb") as fh:
        np.savez_compressed(fh, **arrays)
    tmp.replace(path)
    return path


def load_mediation(path: str | Path) -> MediationDraws | None:
    """What :func:`save_mediation` wrote, or None when absent or of another format version (recompute)."""
    path = Path(path)
    if not path.exists():
        return None
    with np.load(path, allow_pickle=False) as z:
        if int(z["format_version"]) != FORMAT_VERSION:
            return None
        return MediationDraws(
            channels=tuple(z["channels"].tolist()),
            mediators=tuple(z["mediators"].tolist()),
            approximate=bool(z["approximate"]),
            label=str(z["label"]),
            **{k: z[k] for k in _ARRAYS},
        )
