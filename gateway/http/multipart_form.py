"""multipart/form-data read strictly: names and text fields must be UTF-8.

Starlette's form parser decodes a field that is not valid UTF-8 as Latin-1, so bytes that JSON would
refuse reach the ticket as mojibake; this reader keeps each part's bytes and refuses such a field.
"""

from dataclasses import dataclass, field

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header


class FormError(ValueError):
    """The body is not a well-formed multipart/form-data body this reader accepts."""


@dataclass
class Part:
    name: str
    filename: str | None
    content_type: str
    data: bytearray = field(default_factory=bytearray)

    def text(self) -> str:
        try:
            return self.data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise FormError(f"the field `{self.name}` is not valid UTF-8 (byte {exc.start})") from None


def _utf8(raw: bytes, what: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise FormError(f"the {what} is not valid UTF-8") from None


def parse(content_type: str, body: bytes, max_parts: int) -> list[Part]:
    """The parts of `body` in order; at most `max_parts` of them."""
    kind, params = parse_options_header(content_type)
    if kind != b"multipart/form-data" or not params.get(b"boundary"):
        raise FormError("send multipart/form-data with a boundary")
    parts: list[Part] = []
    headers: dict[bytes, bytes] = {}
    name = bytearray()
    value = bytearray()

    def on_header_field(data: bytes, start: int, end: int) -> None:
        name.extend(data[start:end])

    def on_header_value(data: bytes, start: int, end: int) -> None:
        value.extend(data[start:end])

    def on_header_end() -> None:
        headers[bytes(name).lower()] = bytes(value)
        name.clear()
        value.clear()

    def on_headers_finished() -> None:
        _, options = parse_options_header(headers.get(b"content-disposition", b""))
        if b"name" not in options:
            raise FormError("each part needs a Content-Disposition with a name")
        if len(parts) >= max_parts:
            raise FormError(f"at most {max_parts} parts")
        filename = options.get(b"filename")
        kind = _utf8(headers.get(b"content-type", b""), "Content-Type of a part")
        parts.append(
            Part(
                name=_utf8(options[b"name"], "name of a part"),
                filename=None if filename is None else _utf8(filename, "file name"),
                content_type=kind,
            )
        )
        headers.clear()

    def on_part_data(data: bytes, start: int, end: int) -> None:
        parts[-1].data.extend(data[start:end])

    parser = MultipartParser(
        params[b"boundary"],
        {
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
            "on_headers_finished": on_headers_finished,
            "on_part_data": on_part_data,
        },
    )
    try:
        parser.write(body)
        parser.finalize()
    except MultipartParseError as exc:
        raise FormError(f"the multipart body is malformed: {exc}") from None
    return parts
