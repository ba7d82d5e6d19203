"""The Chainlit chat UI: ``app`` is the Chainlit entry point; the other modules are plain helpers it uses."""
