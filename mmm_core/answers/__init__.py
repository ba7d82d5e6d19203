"""Store-level answers for the CLI, tools and reports: results, mediation, planning (optimize/scenario)."""
