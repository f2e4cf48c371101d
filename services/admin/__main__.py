"""Runs the admin CLI: `python -m services.admin <command> ...` (DATABASE_URL from the environment)."""

import sys

from services.admin.cli import main

sys.exit(main())
