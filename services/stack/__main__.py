"""`python -m services.stack` (what `make run` runs): the whole stack in the foreground; Ctrl-C stops it."""

import logging
import os
import sys

from services.shared.settings import SettingsError
from services.stack.embedded import EmbeddedUnavailable
from services.stack.run import run
from services.stack.settings import StackSettings


def main() -> int:
    try:
        settings = StackSettings.from_env(os.environ)
    except SettingsError as error:
        print(f"stack: {error}", file=sys.stderr)
        return 2
    logging.basicConfig(level=settings.log_level, format="%(levelname)s %(name)s %(message)s")
    try:
        return run(settings, os.environ, sys.stdout)
    except EmbeddedUnavailable as error:
        print(f"stack: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
