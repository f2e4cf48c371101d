"""A multipart/form-data request of one JSON field plus files, as the inquiry and the contact form
post it: the JSON validated by its model, the files checked as attachments (422 problems otherwise).

Read here rather than by FastAPI's Form(): its parser turns a field that is not UTF-8 into Latin-1
mojibake instead of refusing it. The body limit has already bounded the size.
"""

import re
from typing import TypeVar

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

from gateway.documents.attachments import Attachment
from gateway.http import multipart_form
from gateway.http.problems import Problem
from gateway.http.schemas import CONTENT_TYPE, MAX_ATTACHMENTS, file_name

M = TypeVar("M", bound=BaseModel)


async def read(request: Request, field: str, model: type[M]) -> tuple[M, list[multipart_form.Part]]:
    """The JSON form field `field` as `model`, and the parts named `attachments`."""
    try:
        parts = multipart_form.parse(
            request.headers.get("content-type", ""), await request.body(), MAX_ATTACHMENTS + 2
        )
        fields = [p for p in parts if p.name == field and p.filename is None]
        if len(fields) != 1:
            raise multipart_form.FormError(f"send the form as exactly one form field `{field}`")
        text = fields[0].text()
    except multipart_form.FormError as exc:
        raise Problem(422, "Invalid request", str(exc)) from None
    try:
        parsed = model.model_validate_json(text)
    except ValidationError as exc:
        errors = [{**e, "loc": ("body", field, *e["loc"])} for e in exc.errors()]
        raise RequestValidationError(errors) from None
    return parsed, [p for p in parts if p.name == "attachments"]


def attachments(files: list[multipart_form.Part]) -> list[Attachment]:
    """The file parts as attachments: at most MAX_ATTACHMENTS, each with a safe name and a media type."""
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
    return read
