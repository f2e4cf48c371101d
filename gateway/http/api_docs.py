"""The interactive API docs (/docs): Swagger UI's files from the `fastapi-offline` package, served here.

No CDN: the page and its files come from the gateway, so the docs work on a closed network and the
page's Content-Security-Policy admits this origin only.
"""

from importlib import resources

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

# The package's copy of Swagger UI (a version that reads OpenAPI 3.1, which FastAPI writes).
STATIC = resources.files("fastapi_offline") / "static"

ASSETS = "/docs/assets"


def install(app: FastAPI, openapi_url: str = "/openapi.json") -> None:
    """Adds /docs and its files; the app must be built with docs_url=None and redoc_url=None."""

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title}: API docs",
            swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS}/favicon.png",
        )

    app.mount(ASSETS, StaticFiles(directory=str(STATIC)), name="docs-assets")
