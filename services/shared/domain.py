"""Names shared by every process: channels, priorities, and their gRPC enum values."""

import enum

from ticketing.v1 import common_pb2

CHANNELS = ("phone", "chat", "email", "mobile", "web")

# The customer identity a message on each channel goes to: a phone number for phone (SMS), the
# app user for mobile (a notification), and so on.
CHANNEL_IDENTITY = {
    "phone": "phone",
    "email": "email",
    "mobile": "app_user",
    "web": "web_user",
    "chat": "chat_visitor",
}


class Priority(enum.IntEnum):
    """Higher is more urgent; the same numbers as the gRPC enum and the tickets.priority column."""

    LOW = 1
    NORMAL = 2
    HIGH = 3
    URGENT = 4


def channel_to_proto(channel: str) -> int:
    return common_pb2.Channel.Value(f"CHANNEL_{channel.upper()}")


def channel_from_proto(value: int) -> str | None:
    """The channel name, or None for CHANNEL_UNSPECIFIED."""
    if value == common_pb2.CHANNEL_UNSPECIFIED:
        return None
    return common_pb2.Channel.Name(value).removeprefix("CHANNEL_").lower()
