"""GET /v1/metrics/proactive: the proactive messages of a year by kind, channel and outcome, and the
repeat contacts of tickets told of their resolution beside those that were not."""

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from gateway.http.auth import Supervisor
from gateway.http.deps import DepsDep
from services.shared import centre_clock
from services.shared.store import proactive_messages

router = APIRouter(tags=["metrics"])

# The window of a repeat contact: first-contact resolution's (docs/kpis.md), so the two compare.
REPEAT_DAYS = 7


class CountOut(BaseModel):
    kind: str
    channel: str
    # sent, suppressed (the channel holds the kind back) or stale (the ticket moved on first).
    outcome: str
    count: int


class RepeatOut(BaseModel):
    resolved: int
    # Of those, tickets whose customer opened another in the same queue within `window_days`.
    repeated: int
    # repeated / resolved; null with nothing resolved.
    rate: float | None


class ProactiveOut(BaseModel):
    year: int
    # The years are the centre's (CENTRE_TIMEZONE).
    time_zone: str
    counts: list[CountOut]
    window_days: int
    # Resolved in the year and told so by a proactive message, and the rest.
    told: RepeatOut
    not_told: RepeatOut


@router.get(
    "/v1/metrics/proactive",
    response_model=ProactiveOut,
    summary="Proactive messages of a year by kind, channel and outcome, and their effect on repeat contacts",
    description='Counted when decided (docs/channels.md, "Proactive messages"). Repeat contacts: '
    "tickets resolved in the year whose customer opened another in the same queue within 7 days, "
    "for tickets told of their resolution and for the others.",
)
async def proactive_summary(
    credential: Supervisor, deps: DepsDep, year: Annotated[int, Query(ge=1971, le=9998)]
) -> ProactiveOut:
    zone = deps.settings.centre_zone
    since, until = centre_clock.year_start(year, zone), centre_clock.year_start(year + 1, zone)
    async with deps.pool.connection() as conn:
        counts = await proactive_messages.counts(conn, since, until)
        repeats = {
            r.told: r for r in await proactive_messages.repeat_contacts(conn, since, until, REPEAT_DAYS)
        }
    return ProactiveOut(
        year=year,
        time_zone=zone.key,
        counts=[CountOut(kind=c.kind, channel=c.channel, outcome=c.outcome, count=c.count) for c in counts],
        window_days=REPEAT_DAYS,
        told=_repeat(repeats.get(True)),
        not_told=_repeat(repeats.get(False)),
    )


def _repeat(found: proactive_messages.RepeatContacts | None) -> RepeatOut:
    if found is None:
        return RepeatOut(resolved=0, repeated=0, rate=None)
    return RepeatOut(resolved=found.resolved, repeated=found.repeated, rate=found.repeated / found.resolved)
