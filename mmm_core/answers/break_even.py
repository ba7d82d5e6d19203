"""Whether each channel pays back at the user's margin ("is Social profitable at a 30% margin?").

A channel makes a profit when its ROI (KPI per unit of spend) times the margin (profit per unit of KPI) exceeds one,
so the break-even ROI is one over the margin. The probability is read draw by draw from the ROI's posterior, beside
the table :func:`mmm_core.answers.results.roi` returns (whole data only: a window's ROI table carries none).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mmm_core.errors import MMMError


def break_even(margin: float) -> float:
    """The ROI at which a channel pays back at ``margin`` (profit per unit of KPI, > 0)."""
    if not margin or margin <= 0:
        raise MMMError(
            f"A margin of {margin} cannot set a break-even.",
            "Give the profit per unit of the KPI as a positive number (e.g. 0.3 for a 30% margin).",
            code="bad_margin",
        )
    return 1.0 / float(margin)


def with_break_even(table: dict[str, Any], roi_draws: np.ndarray, channels: list[str], margin: float) -> dict:
    """``table`` (``{"channels": {name: row}}``) with ``margin``, ``break_even`` and, on each channel's row,
    ``prob_profitable`` (share of ROI draws above the break-even). ``roi_draws``: [S, C] in ``channels`` order."""
    be = break_even(margin)
    draws = np.asarray(roi_draws, dtype=np.float64)
    rows = dict(table.get("channels") or {})
    for j, name in enumerate(channels):
        if name in rows:
            rows[name] = rows[name] | {"prob_profitable": float(np.mean(draws[:, j] > be))}
    return table | {"channels": rows, "margin": float(margin), "break_even": be}
