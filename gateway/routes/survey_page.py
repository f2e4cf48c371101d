"""GET /survey/{token}: the page the survey invitation links to (the token is the credential)."""

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import HTMLResponse

from gateway.actions import survey_page
from gateway.http.deps import DepsDep
from services.shared.store import surveys

router = APIRouter(tags=["surveys"])


@router.get(
    "/survey/{token}",
    response_class=HTMLResponse,
    summary="The survey page a customer opens",
    description="The 1-5 question and a comment box in the survey's language (Arabic right to left), "
    "answered once through `POST /v1/surveys/{token}`; an answered or expired survey's page says so.",
    responses={
        404: {"description": "No survey has this token (a page saying so)", "content": {"text/html": {}}}
    },
)
async def survey(
    token: Annotated[str, Path(min_length=16, max_length=128, pattern=r"^[A-Za-z0-9_-]+$")], deps: DepsDep
) -> HTMLResponse:
    async with deps.pool.connection() as conn:
        found = await surveys.state(conn, token)
    # Never cached: the same link shows the question, then "already answered".
    headers = {"Cache-Control": "no-store"}
    if found is None:
        return HTMLResponse(survey_page.render("en", "missing", token, None), 404, headers)
    state = survey_page.page_state(found.expires_at, found.answered_at, datetime.now(UTC))
    return HTMLResponse(survey_page.render(found.language, state, token, found.ticket_id), headers=headers)
