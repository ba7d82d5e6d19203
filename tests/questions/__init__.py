"""The question corpus: generated user questions with their expected behaviour (see ``generate.py``)."""
