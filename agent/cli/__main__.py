"""`python -m agent.cli ...` runs `mmm-agent ...` (how `serve` and `fit-many` start worker processes)."""

import sys

from agent.cli.main import main

sys.exit(main())
