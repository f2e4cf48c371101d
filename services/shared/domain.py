"""Names shared by every process: channels, priorities, and their gRPC enum values."""

import enum
from typing import Literal, get_args

from ticketing.v1 import common_pb2

# The one list of channels. The proto enum (protos/ticketing/v1/common.proto) and the SQL CHECKs in the
# migrations repeat it because they cannot import it; tests/unit/shared/test_channels.py ties them.
Channel = Literal["phone", "chat", "email", "mobile", "web"]
CHANNELS: tuple[Channel, ...] = get_args(Channel)

# Each channel's native identity: the one its platform establishes itself (the caller line on the
# phone, the sender the mail connector checked, the app's signed-in user, the portal's account, the
# chat widget's visitor), and the one a message on that channel goes to (SMS, mail, notification...).
CHANNEL_IDENTITY = {
    "phone": "phone",
    "email": "email",
    "mobile": "app_user",
    "web": "web_user",
    "chat": "chat_visitor",
}


def identity_verified(channel: str, kind: str, asserted: bool | None) -> bool:
    """Whether an identity arriving on `channel` is vouched for: as the integration asserts, else only
    the channel's native identity. Only verified identities find a customer and merge records, so a
    phone inquiry carrying someone else's e-mail address never opens that person's record."""
    if asserted is not None:
        return asserted
    return CHANNEL_IDENTITY[channel] == kind


class Priority(enum.IntEnum):
    """Higher is more urgent; the same numbers as the gRPC enum and the tickets.priority column."""

    LOW = 1
    NORMAL = 2
    HIGH = 3
    URGENT = 4


def channel_to_proto(channel: str) -> int:
    return int(common_pb2.Channel.Value(f"CHANNEL_{channel.upper()}"))


def channel_from_proto(value: int) -> str | None:
    """The channel name, or None for CHANNEL_UNSPECIFIED."""
    if value == common_pb2.CHANNEL_UNSPECIFIED:
        return None
    return str(common_pb2.Channel.Name(value)).removeprefix("CHANNEL_").lower()
