"""Builds the FastAPI application from settings: routes, problem responses, body limit, lifespan."""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from gateway.http import api_docs, deps, openapi, problems
from gateway.http.body_limit import BodyLimit
from gateway.http.security_headers import SecurityHeaders
from gateway.http.wake_routers import WakeRoutersAfterWrites
from gateway.http.widget_cors import WidgetCors
from gateway.routes import (
    agents,
    console,
    demand,
    email_channel,
    health,
    inquiries,
    live,
    metrics,
    outbound,
    proactive,
    quality,
    routing,
    staffing,
    stream_tickets,
    supervisor_actions,
    survey_page,
    surveys,
    thread,
    tickets,
    twilio_channel,
    web_chat,
    whatsapp_channel,
)
from gateway.settings import GatewaySettings
from services.shared import egress

DESCRIPTION = """Omnichannel ticket routing. Channel integrations post inquiries; agents claim and
handle them; supervisors read KPIs. Authenticate with `Authorization: Bearer <token>` (tokens come
from `python -m services.admin`). Errors are RFC 9457 problem documents."""


def create_app(settings: GatewaySettings, resolve: egress.Resolve = egress.system_resolve) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with deps.built(settings, resolve) as built:
            app.state.deps = built
            yield

    app = FastAPI(
        title="Ticketing gateway",
        version="1",
        description=DESCRIPTION,
        lifespan=lifespan,
        # /docs is served from the package's own copy of Swagger UI (gateway/api_docs.py), not a CDN.
        docs_url=None,
        redoc_url=None,
    )
    problems.install(app)
    for module in (
        health,
        inquiries,
        tickets,
        agents,
        surveys,
        metrics,
        demand,
        outbound,
        live,
        quality,
        thread,
        routing,
        console,
        stream_tickets,
        email_channel,
        twilio_channel,
        whatsapp_channel,
        survey_page,
        supervisor_actions,
        staffing,
        proactive,
        web_chat,
    ):
        app.include_router(module.router)
    # Innermost: signals once the route (and its commit) is done; a request refused outside wrote nothing.
    app.add_middleware(WakeRoutersAfterWrites)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    # Outside the body limit, so its refusals reach the widget's page readable.
    app.add_middleware(WidgetCors)
    # Outermost, so refusals by the body limit carry the headers too.
    app.add_middleware(SecurityHeaders, hsts=settings.public_url.startswith("https://"))
    openapi.install(app)
    api_docs.install(app)
    return app


def app_from_env() -> FastAPI:
    """The factory uvicorn's workers call: each worker process builds its own settings and pools."""
    return create_app(GatewaySettings.from_env(os.environ))
