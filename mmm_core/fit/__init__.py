"""One fit job: inputs from a locked spec, pre-fit gate, sampling, health review, artifacts, registration."""
