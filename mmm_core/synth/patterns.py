"""Shapes of synthetic spend and control series (after the PyMC Labs recovery presets, see anchors.md).

Every function takes the numpy ``Generator`` explicitly so a preset and seed fix every number. Spend shapes
return a series with mean 1 over the whole period range (including off weeks), so a channel's ``mean_spend``
is exactly its average weekly national spend.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

WEEKS_PER_YEAR = 365.25 / 7.0
START = date(2021, 1, 4)  # a Monday: weekly MFF periods are week starts


def week_starts(n_weeks: int, start: date = START) -> list[str]:
    """ISO dates of ``n_weeks`` consecutive Mondays."""
    return [(start + timedelta(weeks=i)).isoformat() for i in range(n_weeks)]


def first_week_of_month(periods: list[str]) -> np.ndarray:
    """Mask of the first week start of each calendar month (a monthly survey in weekly data)."""
    return np.array([int(p[8:10]) <= 7 for p in periods])


def spend_shape(pattern: str, n: int, rng: np.random.Generator, start_week: int = 0) -> np.ndarray:
    """A non-negative weekly spend shape with mean 1.

    Patterns: ``trend`` (grows from 0.5x to 1.5x), ``seasonal`` (yearly sinusoid), ``onoff`` (flights of 3–8
    weeks separated by 2–6 dark weeks), ``late`` (dark until ``start_week``, then steady), ``steady``.
    Multiplicative lognormal noise (sd 0.15) keeps weeks from being identical.
    """
    t = np.arange(n, dtype=float)
    if pattern == "trend":
        base = np.linspace(0.5, 1.5, n)
    elif pattern == "seasonal":
        base = 1.0 + 0.6 * np.sin(2 * np.pi * t / WEEKS_PER_YEAR + rng.uniform(0, 2 * np.pi))
    elif pattern == "onoff":
        base = _flights(n, rng)
    elif pattern == "late":
        base = (t >= start_week).astype(float)
    elif pattern == "steady":
        base = np.ones(n)
    else:  # a programming error in a preset table, not a user input
        raise ValueError(f"unknown spend pattern {pattern!r}")
    shape = base * rng.lognormal(0.0, 0.15, n)
    return shape / shape.mean()


def _flights(n: int, rng: np.random.Generator) -> np.ndarray:
    """On/off bursts: alternate 3–8 weeks on with 2–6 weeks off, starting on."""
    out = np.zeros(n)
    t, on = 0, True
    while t < n:
        length = int(rng.integers(3, 9) if on else rng.integers(2, 7))
        if on:
            out[t : t + length] = 1.0
        t, on = t + length, not on
    return out


def control_series(kind: str, n: int, rng: np.random.Generator, periods: list[str]) -> np.ndarray:
    """A control variable's weekly values.

    ``price`` (around 10 with slow drift and occasional 10–20% discounts), ``event`` (0/1, ~8% of weeks),
    ``holiday`` (0/1 on the weeks of late November and the last two weeks of December), ``index`` (a
    mean-reverting AR(1) around 100), ``trend`` (a slow drift from 60 to 80), ``weather`` (a yearly cycle plus
    noise around 15).
    """
    t = np.arange(n, dtype=float)
    if kind == "price":
        drift = np.cumsum(rng.normal(0.0, 0.05, n))
        discount = np.where(rng.random(n) < 0.1, rng.uniform(0.8, 0.9, n), 1.0)
        return np.round((10.0 + drift - drift.mean()) * discount, 2)
    if kind == "event":
        return (rng.random(n) < 0.08).astype(float)
    if kind == "holiday":
        return np.array([_is_holiday_week(p) for p in periods], dtype=float)
    if kind == "index":
        return np.round(100.0 + ar1(n, 0.8, 3.0, rng), 2)
    if kind == "trend":
        return np.round(np.linspace(60.0, 80.0, n) + rng.normal(0.0, 1.0, n), 2)
    if kind == "weather":
        return np.round(15.0 - 10.0 * np.cos(2 * np.pi * t / WEEKS_PER_YEAR) + rng.normal(0, 2.0, n), 2)
    raise ValueError(f"unknown control kind {kind!r}")


def _is_holiday_week(period: str) -> bool:
    month, day = int(period[5:7]), int(period[8:10])
    return (month == 11 and day >= 22) or (month == 12 and day >= 18)


def ar1(n: int, rho: float, sd: float, rng: np.random.Generator) -> np.ndarray:
    """Stationary AR(1) with innovation sd ``sd``: ``u_t = rho u_{t-1} + e_t``, started from its stationary law."""
    e = rng.normal(0.0, sd, n)
    u = np.empty(n)
    u[0] = e[0] / np.sqrt(1.0 - rho**2)
    for i in range(1, n):
        u[i] = rho * u[i - 1] + e[i]
    return u
