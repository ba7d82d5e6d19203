"""Prompt texts and Jinja templates, shipped as package data and read through ``mmm_core.prompts_loader``."""
