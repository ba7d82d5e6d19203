"""A fit's posterior rebuilt from its stored draws, its locked spec and the stored data, for the answers that
predict (the optimizer, what-ifs, response curves, mediation, the report)."""

from __future__ import annotations

from mmm_core import ledger
from mmm_core.answers.fit_access import succeeded_fit
from mmm_core.errors import FitRefusedError
from mmm_core.fit import artifacts
from mmm_core.fit.comparison import spec_of_fit
from mmm_core.fit.inputs import model_config, model_data
from mmm_core.fit.pymc import PYMC_LIMITS
from mmm_core.ledger.store import dataset_fingerprint
from mmm_core.store import Store


def load_posterior(store: Store, fit_id: str, outcomes: bool = False):
    """Rebuild a fit's `Posterior` from its stored draws, its locked spec and the stored data (reproducible).

    A fit of several outcomes is a ``MultiPosterior`` (its KPI the spec's weighted sum of outcomes, cross-effects
    included) for callers that read only what it offers (``outcomes=True``: the optimizer, what-ifs, response
    curves); other callers need single-KPI pieces (noise, mediators, lift-test likelihoods) and are refused."""
    from mmm_core.engine import scale_data  # lazy: JAX (~0.7 s) only for answers that rebuild the posterior
    from mmm_core.engine.posterior import Posterior  # lazy: JAX, as above

    fit = succeeded_fit(store, fit_id)
    if fit.engine == "pymc-marketing":
        raise FitRefusedError(
            f"Fit {fit_id} was made with pymc-marketing. {PYMC_LIMITS}",
            "Fit the same spec with the default engine: `mmm-agent fit SPEC_ID`.",
            code="engine_cannot_predict",
        )
    locked = ledger.get_spec(store, fit.spec_id)
    several = getattr(locked.spec, "outcomes", None) is not None
    if several and not outcomes:  # this answer reads a single KPI's noise, mediators or lift tests
        raise FitRefusedError(
            f"Fit {fit_id} models several outcomes; this answer needs a single-KPI posterior (ROI, contributions, "
            "cross-effects, per-outcome effects, the optimizer, what-ifs and response curves on the weighted sum "
            "of outcomes are available).",
            "Ask for ROI (`mmm-agent roi FIT_ID`), `mmm-agent optimize FIT_ID`, or fit one KPI for this answer.",
            code="multi_outcome_unsupported",
        )
    if dataset_fingerprint(store, locked.dataset_id) != locked.data_fingerprint:
        raise FitRefusedError(
            f"The data of fit {fit_id} changed since its spec was locked.",
            "Re-ingest the original file, or lock a new spec on the new data.",
            code="data_changed",
        )
    meta = artifacts.load_meta(artifacts.fit_dir(store, fit_id))
    params = artifacts.load_samples(artifacts.fit_dir(store, fit_id))
    approximate, label = bool(meta.get("approximate")), meta.get("label") or ""
    if several:
        return _multi_posterior(store, locked.spec, params, approximate, label)
    spec = spec_of_fit(locked.spec, fit.settings)  # a comparison member is its own curve family, not the spec's
    data = model_data(store, spec)
    config = model_config(spec, data)
    return Posterior(params, data, scale_data(data, config), config, approximate, label)


def _multi_posterior(store: Store, spec, params: dict, approximate: bool, label: str):
    """The ``MultiPosterior`` of a multi-outcome fit: the fit's own inputs (``fit.multi.multi_inputs``)."""
    from mmm_core.engine.multi_posterior import MultiPosterior  # lazy: JAX, as in load_posterior
    from mmm_core.engine.outcomes import scale_multi  # lazy: JAX
    from mmm_core.fit.multi import multi_inputs  # lazy: pandas panels, only for multi-outcome fits

    inputs = multi_inputs(store, spec)
    scaled = scale_multi(inputs.data, inputs.config)
    return MultiPosterior(params, inputs.data, scaled, inputs.config, approximate, label or MultiPosterior.label)
