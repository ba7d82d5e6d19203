"""LangChain tools: thin, typed adapters over mmm_core returning compact JSON with ids and provenance."""
