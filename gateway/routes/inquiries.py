"""POST /v1/inquiries: the channels' way in."""

from fastapi import APIRouter, Response

from gateway import intake
from gateway.auth import Integration
from gateway.deps import DepsDep
from gateway.schemas import InquiryIn, TicketOut

router = APIRouter(tags=["intake"])


@router.post(
    "/v1/inquiries",
    status_code=201,
    response_model=TicketOut,
    summary="Take in a customer inquiry",
    description="Classified and routed to a queue. Idempotent on (channel, external_id): a retry "
    "answers 200 with the same ticket; the same id with a different inquiry answers 409.",
    responses={200: {"description": "A retry: the ticket made the first time", "model": TicketOut}},
)
async def post_inquiry(
    inquiry: InquiryIn, response: Response, credential: Integration, deps: DepsDep
) -> TicketOut:
    outcome = await intake.take(deps, credential, inquiry)
    response.status_code = 201 if outcome.created else 200
    response.headers["Location"] = f"/v1/tickets/{outcome.ticket.id}"
    return TicketOut.of(outcome.ticket)
