"""`python -m services.metrics` serves and follows events; `... rebuild [--retry-set-aside]` recomputes."""

import asyncio
import logging
import os
import sys

from services.metrics import follower, server
from services.metrics.settings import MetricsSettings
from services.shared.settings import SettingsError


def main(argv: list[str]) -> None:
    if argv not in ([], ["rebuild"], ["rebuild", "--retry-set-aside"]):
        sys.exit("usage: python -m services.metrics [rebuild [--retry-set-aside]]")
    try:
        settings = MetricsSettings.from_env(os.environ)
    except SettingsError as exc:
        sys.exit(str(exc))
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    if argv:
        retry = "--retry-set-aside" in argv
        written = asyncio.run(
            follower.rebuild_database(
                settings.database_url, settings.batch_size, retry_set_aside=retry, zone=settings.centre_zone
            )
        )
        print(f"rebuilt ticket_metrics and the rollups ({settings.centre_zone.key}): {written} tickets")
    else:
        asyncio.run(server.serve(settings))


if __name__ == "__main__":
    main(sys.argv[1:])
