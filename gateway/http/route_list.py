"""The application's API routes as one flat list, whichever way FastAPI nests included routers."""

from collections.abc import Iterator
from typing import Any

from fastapi.routing import APIRoute

try:  # FastAPI ≥ 0.165 keeps included routers nested and resolves them lazily.
    from fastapi.routing import iter_route_contexts
except ImportError:  # pragma: no cover - older FastAPI copies routes into the app flat
    iter_route_contexts = None  # type: ignore[assignment]


def api_routes(app: Any) -> Iterator[APIRoute]:
    if iter_route_contexts is None:
        routes: Iterator[Any] = iter(app.routes)
    else:
        routes = (context.original_route for context in iter_route_contexts(app.routes))
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
