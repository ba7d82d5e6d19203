"""Synthetic MFF datasets with known ground truth (presets, generating processes, truth files)."""

from mmm_core.synth.make import (  # the public API of this package
    MFF_COLUMNS,
    PRESETS,
    SynthData,
    counterfactual,
    describe_presets,
    generate,
    mediator_latent,
    to_frame,
    write,
)

__all__ = [
    "MFF_COLUMNS",
    "PRESETS",
    "SynthData",
    "counterfactual",
    "describe_presets",
    "generate",
    "mediator_latent",
    "to_frame",
    "write",
]
