"""RFC 9457 problem responses: every error the API gives has this JSON shape."""

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import Scope

from gateway.http.route_list import api_routes

log = logging.getLogger(__name__)

MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://ticketing.example/problems/"


class Problem(Exception):
    """Raised anywhere in a request: becomes a problem response with this status."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str = "",
        *,
        kind: str = "",
        headers: dict[str, str] | None = None,
        **extra: Any,
    ):
        super().__init__(detail or title)
        self.status = status
        self.title = title
        self.detail = detail
        self.kind = kind or title.lower().replace(" ", "-")
        # Response headers that go with it (Retry-After on a 429).
        self.headers = headers or {}
        self.extra = extra


def problem_response(
    status: int,
    title: str,
    detail: str = "",
    kind: str = "",
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body = {"type": TYPE_BASE + (kind or title.lower().replace(" ", "-")), "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    return [
        {
            "location": ".".join(str(p) for p in err.get("loc", ())),
            "message": err.get("msg", ""),
            "type": err.get("type", ""),
        }
        for err in exc.errors()
    ]


def allowed_methods(app: Any, scope: Scope) -> list[str]:
    """Every method some route serves at this request's path (HEAD where GET is)."""
    methods: set[str] = set()
    for route in api_routes(app):
        match, _ = route.matches({**scope, "method": "GET"})
        if match != Match.NONE:
            methods |= route.methods or set()
    return sorted(methods | ({"HEAD"} if "GET" in methods else set()))


def install(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def on_problem(request: Request, exc: Problem) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else {}
        headers.update(exc.headers)
        return problem_response(exc.status, exc.title, exc.detail, exc.kind, headers, **exc.extra)

    @app.exception_handler(RequestValidationError)
    async def on_invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = _validation_errors(exc)
        if any(e["type"] == "json_invalid" for e in errors):
            return problem_response(400, "Invalid JSON", "the request body is not valid JSON", errors=errors)
        return problem_response(
            422, "Invalid request", "the request does not match the schema", errors=errors
        )

    @app.exception_handler(StarletteHTTPException)
    async def on_http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        titles = {400: "Bad request", 404: "Not found", 405: "Method not allowed"}
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            # RFC 9110: a 405 names every method the path has; Starlette names only the first route's.
            headers["Allow"] = ", ".join(allowed_methods(request.app, request.scope))
        return problem_response(
            exc.status_code, titles.get(exc.status_code, "Error"), str(exc.detail), headers=headers or None
        )

    @app.exception_handler(Exception)
    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(500, "Internal error", "the server failed; the request may be retried")
