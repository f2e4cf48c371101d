"""The OpenAPI document as the gateway really answers: bearer security per route, problem+json errors."""

from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import get_flat_params
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from gateway.http.problems import MEDIA_TYPE
from gateway.http.route_list import api_routes

SCHEME = "bearer"
PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details.",
    "type": "object",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object"}},
    },
    "additionalProperties": True,
}
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
# What each status means wherever it can happen; a route's own wording for a status wins.
MEANINGS = {
    "400": "The body is not valid JSON",
    "401": "No token, or one that is unknown, expired or revoked",
    "403": "The token's role may not do this",
    "404": "No such object, or not one this token may see",
    "409": "The object is not in a state that allows this",
    "413": "The body is larger than the gateway accepts",
    "422": "The request does not match the schema or the rules",
    "429": "Too many requests for this token; retry after `Retry-After` seconds",
    "503": "A service this answer needs is not reachable; retry later",
}


def roles_of(dependant: Dependant) -> tuple[str, ...]:
    """The roles a route admits, from the `require(...)` dependency anywhere in its tree."""
    for dep in _walk(dependant):
        roles = getattr(dep.call, "roles", None)
        if roles:
            return tuple(roles)
    return ()


def _walk(dependant: Dependant) -> Iterator[Dependant]:
    for dep in dependant.dependencies:
        yield dep
        yield from _walk(dep)


def _problem(description: str) -> dict[str, Any]:
    return {"description": description, "content": {MEDIA_TYPE: {"schema": PROBLEM_REF}}}


def _errors_for(route: APIRoute, method: str, roles: tuple[str, ...]) -> list[str]:
    # A route reading its own body (multipart) declares it in openapi_extra.
    body = route.body_field is not None or "requestBody" in (route.openapi_extra or {})
    takes_input = bool(get_flat_params(route.dependant)) or body
    statuses = ["422"] if takes_input else []
    if roles:
        statuses += ["401", "403", "429"]
    if "{" in route.path_format:
        statuses.append("404")
    if body:
        statuses += ["400", "413"]
    if method == "post" and "{" in route.path_format:
        statuses.append("409")
    return statuses


def document(app: FastAPI) -> dict[str, Any]:
    schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    components = schema.setdefault("components", {})
    components.setdefault("securitySchemes", {})[SCHEME] = {
        "type": "http",
        "scheme": "bearer",
        "description": "A token from `python -m services.admin create-token`.",
    }
    schemas = components.setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    # FastAPI's own validation-error shapes are never sent: every 422 is a problem document.
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    for route in api_routes(app):
        if route.include_in_schema:
            _declare(schema["paths"], route)
    return schema


def _declare(paths: dict[str, Any], route: APIRoute) -> None:
    """One route's security and error answers, as the gateway really gives them."""
    roles = roles_of(route.dependant) or tuple((route.openapi_extra or {}).get("x-roles", ()))
    for method in route.methods or ():
        operation = paths.get(route.path_format, {}).get(method.lower())
        if operation is None:
            continue
        if roles:
            operation["security"] = [{SCHEME: []}]
            operation.setdefault("x-roles", list(roles))
        responses = operation.setdefault("responses", {})
        for status in _errors_for(route, method.lower(), roles):
            own = responses.get(status, {})
            # A page answers its errors as a page: a route declaring text/html keeps it.
            if "text/html" not in own.get("content", {}):
                responses[status] = _problem(own.get("description") or MEANINGS[status])
        # A route's own error statuses (e.g. 503 when a peer is away) are problem documents too.
        for status, response in responses.items():
            if status.startswith(("4", "5")) and "text/html" not in response.get("content", {}):
                responses[status] = _problem(response.get("description") or MEANINGS.get(status, ""))


def install(app: FastAPI) -> None:
    """Builds the document once, on first request, from the routes as registered."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
