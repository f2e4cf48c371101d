"""The agent console, the supervisor's live page and the yearly report: static pages that sign in with a
token."""

from importlib import resources

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

router = APIRouter(tags=["pages"])


def _page(name: str) -> HTMLResponse:
    page = resources.files("gateway").joinpath(f"pages/{name}").read_text(encoding="utf-8")
    return HTMLResponse(page, headers={"Cache-Control": "no-cache"})


@router.get("/console", response_class=HTMLResponse, summary="The agent console (asks for an agent token)")
async def console() -> HTMLResponse:
    return _page("console.html")


@router.get(
    "/supervisor",
    response_class=HTMLResponse,
    summary="Every queue and agent, live (asks for a supervisor token)",
)
async def supervisor() -> HTMLResponse:
    return _page("supervisor.html")


@router.get(
    "/report",
    response_class=HTMLResponse,
    summary="The yearly report in a browser (asks for a supervisor token, then shows /v1/metrics/report)",
)
async def report() -> HTMLResponse:
    return _page("report.html")
