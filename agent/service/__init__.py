"""The service layer: the REST API (``app``), the queue worker (``worker``) and the batch of many fits (``fleet``)."""
