"""POST /v1/inquiries (JSON) and /v1/inquiries/multipart (files as parts): the channels' way in."""

import re
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from gateway.actions import intake
from gateway.actions.intake import Outcome
from gateway.documents.attachments import Attachment
from gateway.http import multipart_form
from gateway.http.auth import Integration
from gateway.http.deps import DepsDep
from gateway.http.problems import Problem
from gateway.http.schemas import (
    CONTENT_TYPE,
    MAX_ATTACHMENTS,
    AttachmentIn,
    DocumentSummaryOut,
    InquiryIn,
    IntakeOut,
    file_name,
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
    # Read here rather than by FastAPI's Form(): its parser turns a field that is not UTF-8 into
    # Latin-1 mojibake instead of refusing it. The body limit has already bounded the size.
    try:
        parts = multipart_form.parse(
            request.headers.get("content-type", ""), await request.body(), MAX_ATTACHMENTS + 2
        )
        fields = [p for p in parts if p.name == "inquiry" and p.filename is None]
        if len(fields) != 1:
            raise multipart_form.FormError("send the inquiry as exactly one form field `inquiry`")
        text = fields[0].text()
    except multipart_form.FormError as exc:
        raise Problem(422, "Invalid request", str(exc)) from None
    try:
        parsed = InquiryIn.model_validate_json(text)
    except ValidationError as exc:
        errors = [{**e, "loc": ("body", "inquiry", *e["loc"])} for e in exc.errors()]
        raise RequestValidationError(errors) from None
    if parsed.attachments:
        raise Problem(422, "Invalid request", "send files as `attachments` parts, not inside `inquiry`")
    files = [p for p in parts if p.name == "attachments"]
    if len(files) > MAX_ATTACHMENTS:
        raise Problem(422, "Too many attachments", f"at most {MAX_ATTACHMENTS} attachments, not {len(files)}")
    read = []
    for upload in files:
        try:
            name = file_name(upload.filename or "")
        except ValueError as exc:
            raise Problem(422, "Invalid attachment", str(exc)) from None
        content_type = (upload.content_type or "application/octet-stream").split(";")[0].strip()
        if len(content_type) > 127 or not re.match(CONTENT_TYPE, content_type):
            raise Problem(422, "Invalid attachment", f"{name}: {content_type!r} is not a media type")
        read.append(Attachment(name, content_type, bytes(upload.data)))
    return await _reply(await intake.take(deps, credential, parsed, read))
