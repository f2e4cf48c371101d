"""Runs the classifier gRPC server: `python -m services.classifier`."""

import asyncio
import logging
import os

from services.classifier import faq, keyword_table
from services.classifier.model_file import ModelError
from services.classifier.serve import server, startup
from services.classifier.settings import ClassifierSettings
from services.shared.settings import SettingsError


def main() -> None:
    try:  # a broken table or model file stops the process here, naming the file and the mistake
        settings = ClassifierSettings.from_env(os.environ)
        table = keyword_table.load(settings.routing_table)
        logging.basicConfig(
            level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
        serving = startup.prepare(settings, table)
        matcher = None
        if settings.faq_file is not None:
            matcher = faq.FaqMatcher(faq.load(settings.faq_file), min_confidence=settings.faq_min_confidence)
    except (SettingsError, keyword_table.RoutingTableError, ModelError, faq.FaqError) as error:
        raise SystemExit(f"classifier: {error}") from None
    asyncio.run(server.serve(serving, settings.bind, settings.security, matcher))


if __name__ == "__main__":
    main()
