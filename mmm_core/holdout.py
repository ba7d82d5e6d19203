"""The holdout limit: a fit may hold out fewer than half of its periods.

One rule for the two places that check it — the spec check when a draft is validated or locked
(``mmm_core.spec.draft``) and the engine's own configuration check (``ModelConfig.validate``, for direct engine
use). It lives at the root because the engine sits below the spec and importing ``mmm_core.engine`` starts JAX,
which light commands such as ``spec init`` must not pay for.

Why half and not a quarter: the limit is what lets a model be fitted at all (the majority of periods stay in the
likelihood), not a recommendation. Tightening it would make locked specs that passed it unfittable, and a locked
spec cannot be changed without a disclosed amendment. A quarter (about 13 of 52 weeks) is a good *choice*; the
hint says so, the check enforces only the limit.
"""

from __future__ import annotations


def max_holdout(n_periods: int) -> int:
    """The most final periods that may be held out of ``n_periods``: fewer than half."""
    return max(int(n_periods) // 2 - 1, 0)


def holdout_problem(last_n: int, n_periods: int) -> str | None:
    """Why holding out ``last_n`` of ``n_periods`` periods is refused, or None when it is allowed."""
    if 0 <= last_n <= max_holdout(n_periods):
        return None
    return (
        f"holdout {last_n} leaves too little data to fit; at most {max_holdout(n_periods)} of {n_periods} periods "
        "(fewer than half) may be held out"
    )


HOLDOUT_HINT = "Hold out fewer than half of the periods; about a quarter (e.g. 13 of 52 weeks) is usual."
