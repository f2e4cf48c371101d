"""POST /v1/inquiries (JSON) and /v1/inquiries/multipart (files as parts): the channels' way in."""

from typing import Any

from fastapi import APIRouter, Request, Response

from gateway.actions import intake
from gateway.actions.intake import Outcome
from gateway.documents.attachments import Attachment
from gateway.http import form_with_files
from gateway.http.auth import Integration
from gateway.http.deps import DepsDep
from gateway.http.problems import Problem
from gateway.http.schemas import (
    MAX_ATTACHMENTS,
    AttachmentIn,
    DocumentSummaryOut,
    InquiryIn,
    IntakeOut,
)

router = APIRouter(tags=["intake"])

DESCRIPTION = (
    "Classified and routed to a queue, or answered at once when it is a frequent question (status "
    "`self_served`, the answer in `answer` and sent to the customer on the channel; `POST "
    "/v1/tickets/{id}/human` then queues it for a person). Idempotent on (channel, external_id): a "
    "retry answers 200 with the same ticket; the same id with a different inquiry answers 409. "
    f"Up to {MAX_ATTACHMENTS} PDF attachments: their text informs routing and is kept for the agent; "
    "one that cannot be read (encrypted, damaged, not a PDF, too large or slow) is kept with a note."
)
RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "A retry: the ticket made the first time", "model": IntakeOut}
}


async def _reply(outcome: Outcome) -> Response:
    documents = [DocumentSummaryOut.of(d) for d in outcome.documents]
    update: dict[str, Any] = {"documents": documents, "joined": outcome.joined}
    found = outcome.wait
    if found is not None:
        update.update(position=found.position, queue_depth=found.queue_depth, estimated_wait_s=found.wait_s)
    body = IntakeOut.model_validate(outcome.ticket).model_copy(update=update)
    # Serialised here, once: returning the model would have FastAPI validate it again on the
    # intake's hot path (the response model still documents the shape).
    return Response(
        body.model_dump_json(),
        status_code=201 if outcome.created else 200,
        media_type="application/json",
        headers={"Location": f"/v1/tickets/{outcome.ticket.id}"},
    )


def _attachment(item: AttachmentIn) -> Attachment:
    return Attachment(item.filename, item.content_type, item.data)


@router.post(
    "/v1/inquiries",
    status_code=201,
    response_model=IntakeOut,
    summary="Take in a customer inquiry",
    description=DESCRIPTION + " Attachments are base64 in `attachments`.",
    responses=RESPONSES,
)
async def post_inquiry(inquiry: InquiryIn, credential: Integration, deps: DepsDep) -> Response:
    attachments = [_attachment(item) for item in inquiry.attachments]
    return await _reply(await intake.take(deps, credential, inquiry, attachments))


MULTIPART_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["inquiry"],
                "properties": {
                    "inquiry": {
                        "type": "string",
                        "description": "The inquiry as JSON, as for POST /v1/inquiries",
                    },
                    "attachments": {
                        "type": "array",
                        "items": {"type": "string", "format": "binary"},
                        "description": "PDF documents",
                    },
                },
            }
        }
    },
}


@router.post(
    "/v1/inquiries/multipart",
    status_code=201,
    response_model=IntakeOut,
    summary="Take in a customer inquiry with files (multipart/form-data)",
    description=DESCRIPTION + " The inquiry is the JSON of `POST /v1/inquiries` (without "
    "`attachments`) in the form field `inquiry`, in UTF-8; each file is a part named `attachments`.",
    responses=RESPONSES,
    openapi_extra={"requestBody": MULTIPART_BODY},
)
async def post_inquiry_multipart(request: Request, credential: Integration, deps: DepsDep) -> Response:
    parsed, files = await form_with_files.read(request, "inquiry", InquiryIn)
    if parsed.attachments:
        raise Problem(422, "Invalid request", "send files as `attachments` parts, not inside `inquiry`")
    read = form_with_files.attachments(files)
    return await _reply(await intake.take(deps, credential, parsed, read))
