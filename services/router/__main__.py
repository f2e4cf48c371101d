"""`python -m services.router`: offers waiting tickets to agents; run as many copies as you like."""

import asyncio
import logging
import os
import signal
import sys

from services.router import loop
from services.router.settings import RouterSettings
from services.shared.settings import SettingsError


async def _main(settings: RouterSettings) -> None:
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    await loop.run(settings, stop)


def main() -> None:
    try:
        settings = RouterSettings.from_env(os.environ)
    except SettingsError as exc:
        sys.exit(str(exc))
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    asyncio.run(_main(settings))


if __name__ == "__main__":
    main()
