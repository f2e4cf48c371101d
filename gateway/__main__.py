"""Runs the gateway: `python -m gateway` (settings from the environment)."""

import logging
import os

import uvicorn

from gateway.settings import GatewaySettings

APP = "gateway.http.app:app_from_env"


def main(app: str = APP) -> None:
    """Serves `app` (an import string of a factory taking no arguments: uvicorn's workers import it);
    the benchmarks pass one with floor routes added (tests/benchmarks/floor_gateway.py)."""
    settings = GatewaySettings.from_env(os.environ)  # fail at start, naming a bad variable
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    print(f"gateway listening on http://{settings.host}:{settings.port} (OpenAPI at /docs)", flush=True)
    uvicorn.run(
        app,
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        access_log=settings.access_log,
        log_level=settings.log_level,
        timeout_graceful_shutdown=10,
        # uvicorn kills a worker that does not answer its supervisor's ping within this, starting
        # included: its 5 s default put workers importing the app on a busy 2-core machine into a
        # kill-and-restart loop (seen under the benchmarks' load).
        timeout_worker_healthcheck=30,
    )


if __name__ == "__main__":
    main()
