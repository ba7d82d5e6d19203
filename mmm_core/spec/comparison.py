"""A comparison set declared in the spec: alternative curve families fitted beside the spec's own model, and the
rule that combines them. Part of the spec (its hash, its lock), so the set is fixed before any result is seen —
a pre-registered comparison, not a search for the model that gives the preferred answer.

Example (YAML)::

    comparison:
      rule: stacking_loo
      members:
        - {name: hill, saturation: hill}
        - {name: delayed, adstock: delayed}

The spec as written is always the first member, named ``spec``; each declared member is the same spec with
its overrides applied to every channel (priors of the new family take their spec defaults).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from mmm_core.spec.media import StrictModel

BASE_MEMBER = "spec"  # the name of the member that is the spec as written


class ComparisonMember(StrictModel):
    """One alternative model: the spec with its curve families replaced on every channel."""

    name: str = Field(
        min_length=1,
        max_length=40,
        pattern=r"^[A-Za-z0-9_\-]+$",
        description="Label of this member in answers (letters, digits, '_' or '-'); 'spec' is reserved for "
        "the spec as written. Required, unique.",
    )
    saturation: Literal["logistic", "hill"] | None = Field(
        None, description="Saturation curve of every channel in this member: 'logistic' or 'hill'. Optional."
    )
    adstock: Literal["geometric", "delayed"] | None = Field(
        None, description="Adstock shape of every channel in this member: 'geometric' or 'delayed'. Optional."
    )

    @model_validator(mode="after")
    def _changes_something(self) -> ComparisonMember:
        if self.name == BASE_MEMBER:
            raise ValueError(f"member name {BASE_MEMBER!r} is reserved for the spec as written; pick another")
        if self.saturation is None and self.adstock is None:
            raise ValueError(f"member {self.name!r} changes nothing: set saturation and/or adstock")
        return self


class Comparison(StrictModel):
    """Models fitted side by side and combined by a rule fixed in advance."""

    rule: Literal["stacking_loo", "pseudo_bma_loo"] = Field(
        "stacking_loo",
        description="How members are combined: 'stacking_loo' (stacking weights from PSIS-LOO of the KPI, "
        "Yao et al. 2018, via ArviZ: the best predictive mixture; between members that predict alike it may put "
        "all weight on one) or 'pseudo_bma_loo' (weights proportional to exp(ELPD-LOO): members that predict alike "
        "share the weight). Default 'stacking_loo'.",
    )
    members: list[ComparisonMember] = Field(
        min_length=1,
        max_length=3,
        description="Alternatives to the spec as written (which is always member 'spec'); 1 to 3, each a full "
        "NUTS fit of the same data. Required.",
    )

    @model_validator(mode="after")
    def _unique_names(self) -> Comparison:
        names = [m.name for m in self.members]
        if len(set(names)) != len(names):
            raise ValueError("comparison member names must be unique")
        object.__setattr__(self, "members", sorted(self.members, key=lambda m: m.name))
        return self


__all__ = ["BASE_MEMBER", "Comparison", "ComparisonMember"]
