"""Runs the simulator: `python -m services.simulate [--preset centre-2024 --stack ...]` (see cli.py)."""

import sys

from services.simulate.cli import main

sys.exit(main())
