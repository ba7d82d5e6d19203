"""Templates (package data); read through ``mmm_core.prompts_loader``."""
