"""MFF data: reading (long and wide), validation, role inference, ingest into the store, queries and the SQL sandbox."""
