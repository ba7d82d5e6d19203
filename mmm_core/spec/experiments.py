"""Experiments a spec uses: copies of stored lift tests (``mmm_core.data.experiments``), locked with the spec.

The spec holds each test in full, not a reference, so a locked spec means the same thing whatever is later added
to the store; the ``id`` ties it back to the stored test (its content hash). Adding or removing one after results
is an amendment of the spec like any other, disclosed (post hoc) by the ledger.

Two routes (``use``): ``likelihood`` (default) puts the test in the likelihood as the model's own counterfactual of
it (window, carry-over, cell, saturation at the test's spend); ``roi_prior`` (the Meridian-style route) turns it into
the channel's ROI prior instead — log-normal with median the test's ROI (lift / spend change) and log-sd its
relative standard error (lift SE / |lift|, the delta method); several such tests of one channel are combined by
precision on the log scale. The ROI-prior route has no consistency check: the test *is* the prior.

Example (YAML)::

    experiments:
      - {experiment_id: exp_3f9a1c2b0d, channel: TV, geography: North, start: '2024-03-04', end: '2024-03-25',
         spend_change: 50000, lift: 120000, lift_se: 30000}
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Literal

from pydantic import Field, model_serializer, model_validator

from mmm_core.spec.media import StrictModel


class SpecExperiment(StrictModel):
    """One lift test the model is calibrated on (its measured lift enters the likelihood)."""

    experiment_id: str = Field(
        min_length=1, description="Id of the stored experiment (`mmm-agent experiments list`). Required."
    )
    channel: str = Field(min_length=1, description="Media channel tested (a media[].name of this spec). Required.")
    geography: str = Field("all", min_length=1, description="Geography of the test cell, or 'all'. Default 'all'.")
    start: dt.date = Field(description="First period whose spend changed. Required.")
    end: dt.date = Field(description="Last period whose spend changed (inclusive). Required.")
    spend_change: float = Field(description="Total extra spend in the cell over the window (negative: go-dark).")
    lift: float = Field(description="Measured incremental KPI. Required.")
    lift_se: float = Field(gt=0, description="Standard error of the measured lift (> 0). Required.")
    measured_until: dt.date | None = Field(
        None,
        description="Last period the lift was measured over; absent = the lift includes all carry-over (the model "
        "counts every period the spend change reaches).",
    )
    type: Literal["lift", "geo holdout", "go-dark", "heavy-up"] = Field("lift", description="Kind of test.")
    source: str = Field("", description="Free-text source note (agency, study id).")
    use: Literal["likelihood", "roi_prior"] = Field(
        "likelihood",
        description="How the test calibrates the model: 'likelihood' (default; the model's own counterfactual of "
        "the test) or 'roi_prior' (the channel's ROI prior becomes log-normal at the test's ROI with its SE).",
    )

    @model_serializer(mode="wrap")
    def _omit_default_use(self, handler):
        # The default route is the field's absence: specs locked before ``use`` existed keep their hash.
        data = handler(self)
        if self.use == "likelihood" and isinstance(data, dict):
            data.pop("use", None)
        return data

    @model_validator(mode="after")
    def _window(self) -> SpecExperiment:
        if self.end < self.start:
            raise ValueError(f"experiment {self.experiment_id}: end {self.end} is before start {self.start}")
        if self.measured_until is not None and self.measured_until < self.end:
            raise ValueError(
                f"experiment {self.experiment_id}: measured_until {self.measured_until} is before end {self.end}"
            )
        if self.spend_change == 0:
            raise ValueError(f"experiment {self.experiment_id}: spend_change is 0; a test changes spend")
        if self.use == "roi_prior" and self.lift / self.spend_change <= 0:
            raise ValueError(
                f"experiment {self.experiment_id}: use roi_prior needs a positive ROI (lift / spend_change = "
                f"{self.lift / self.spend_change:.3g}); a log-normal prior cannot centre on it — use likelihood"
            )
        return self

    def roi_prior(self) -> tuple[float, float]:
        """``(median, log_sd)`` of the log-normal ROI prior this test gives (``use: roi_prior``)."""
        return self.lift / self.spend_change, self.lift_se / abs(self.lift)


def experiments_problems(experiments: list[SpecExperiment], channels: set[str]) -> list[str]:
    """Cross-field problems the schema can state: a test on a channel the spec does not model."""
    return [
        f"experiment {e.experiment_id} tests channel {e.channel!r}, which is not among media {sorted(channels)}"
        for e in experiments
        if e.channel not in channels
    ]


def roi_priors(experiments: list[SpecExperiment]) -> dict[str, tuple[float, float]]:
    """Channel → ``(median, log_sd)`` of the ROI prior its ``use: roi_prior`` tests give, several combined by
    precision on the log scale (independent measurements of one log ROI)."""
    out = {}
    for channel in sorted({e.channel for e in experiments if e.use == "roi_prior"}):
        priors = [e.roi_prior() for e in experiments if e.use == "roi_prior" and e.channel == channel]
        precision = sum(1.0 / sd**2 for _, sd in priors)
        log_median = sum(math.log(m) / sd**2 for m, sd in priors) / precision
        out[channel] = (math.exp(log_median), 1.0 / math.sqrt(precision))
    return out


def experiments_used(spec) -> dict[str, list[dict[str, object]]]:
    """``{"experiments": [...]}`` naming the tests a spec is calibrated on (``use`` shown for the ROI-prior route);
    ``{}`` for an uncalibrated spec (so answers without experiments keep their exact shape)."""
    keys = ("experiment_id", "channel", "geography", "lift", "lift_se", "use")
    tests = [{k: v for k, v in e.model_dump(mode="json").items() if k in keys} for e in spec.experiments]
    return {"experiments": tests} if tests else {}


def stored_for_draft(store, dataset_id: str, channels: set[str]) -> tuple[list[SpecExperiment], list[str]]:
    """Every lift test stored for the dataset at draft time, for the draft's ``experiments`` (the user may remove
    any before locking), and notes: a test on a channel the draft does not model is left out and named."""
    from mmm_core.data.experiments import list_experiments  # lazy: only drafting reads the experiments table

    stored = list_experiments(store, dataset_id)
    fields = set(SpecExperiment.model_fields)
    used = [SpecExperiment(**{k: v for k, v in e.items() if k in fields}) for e in stored if e["channel"] in channels]
    notes = [
        f"Experiment {e['experiment_id']} ({e['channel']}) is left out: its channel is not among the draft's media."
        for e in stored
        if e["channel"] not in channels
    ]
    if used:
        notes.append(
            f"{len(used)} stored lift test(s) calibrate this model (experiments:); remove any you do not want "
            "before locking — after results, a change is a disclosed amendment."
        )
    return used, notes


__all__ = ["SpecExperiment", "experiments_problems", "experiments_used", "roi_priors", "stored_for_draft"]
