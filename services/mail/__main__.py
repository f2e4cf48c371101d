"""python -m services.mail: the SMTP listener (SMTP_BIND), handing each mail to the gateway."""

import asyncio
import logging
import os
import signal

import httpx
from aiosmtpd.smtp import SMTP

from services.mail.handler import IntakeHandler
from services.mail.handoff import Handoff
from services.mail.settings import ListenerSettings


async def serve(settings: ListenerSettings) -> None:
    email = settings.email
    async with httpx.AsyncClient(timeout=email.intake_timeout_s) as client:
        handoff = Handoff(client, f"{email.gateway_url}/v1/channels/email/inbound", email.intake_token)
        handler = IntakeHandler(email.addresses, handoff)
        loop = asyncio.get_running_loop()
        server = await loop.create_server(
            lambda: SMTP(handler, data_size_limit=email.max_bytes, enable_SMTPUTF8=True, decode_data=False),
            settings.host,
            settings.port,
        )
        stop = asyncio.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        logging.getLogger(__name__).info("SMTP listener on %s:%d", settings.host, settings.port)
        await stop.wait()
        server.close()
        await server.wait_closed()


if __name__ == "__main__":
    listener_settings = ListenerSettings.from_env(os.environ)
    logging.basicConfig(level=listener_settings.log_level, format="%(levelname)s %(name)s %(message)s")
    asyncio.run(serve(listener_settings))
