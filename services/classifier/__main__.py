"""Runs the classifier gRPC server: `python -m services.classifier`."""

import asyncio
import logging
import os

from services.classifier import keyword_table, server
from services.classifier.settings import ClassifierSettings
from services.shared.settings import SettingsError


def main() -> None:
    try:  # a broken table stops the process here, naming the file and the place of the mistake
        settings = ClassifierSettings.from_env(os.environ)
        table = keyword_table.load(settings.routing_table)
    except (SettingsError, keyword_table.RoutingTableError) as error:
        raise SystemExit(f"classifier: {error}") from None
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    asyncio.run(server.serve(table, settings.bind))


if __name__ == "__main__":
    main()
