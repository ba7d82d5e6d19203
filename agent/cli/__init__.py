"""The `mmm-agent` command line (ARCHITECTURE §6)."""

from agent.cli.main import main

__all__ = ["main"]
