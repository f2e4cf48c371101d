"""The agent console, the supervisor's live page and the yearly report: pages that sign in with a token,
served in Arabic or English (?lang=ar|en, else the browser's Accept-Language, else Arabic)."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from gateway.pages.localize import page

router = APIRouter(tags=["pages"])


@router.get("/console", response_class=HTMLResponse, summary="The agent console (asks for an agent token)")
async def console(request: Request) -> HTMLResponse:
    return page(request, "console.html")


@router.get(
    "/supervisor",
    response_class=HTMLResponse,
    summary="Every queue and agent, live, with a supervisor's actions (asks for a supervisor token)",
)
async def supervisor(request: Request) -> HTMLResponse:
    return page(request, "supervisor.html")


@router.get(
    "/report",
    response_class=HTMLResponse,
    summary="The yearly report in a browser (asks for a supervisor token, then shows /v1/metrics/report)",
)
async def report(request: Request) -> HTMLResponse:
    return page(request, "report.html")
