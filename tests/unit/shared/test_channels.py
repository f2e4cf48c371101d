"""The channel list is declared once (services/shared/domain.py); the proto enum and every SQL CHECK agree."""

import re

from ticketing.v1 import common_pb2

from gateway.http.schemas import ChannelName
from services.shared.domain import CHANNELS, channel_from_proto, channel_to_proto
from services.shared.migrations import discover

CHECK = re.compile(r"CHECK\s*\(\s*channel\s+IN\s*\(([^)]*)\)\s*\)", re.IGNORECASE)


def test_the_wire_schema_uses_the_domain_list() -> None:
    assert ChannelName.__args__ == CHANNELS  # type: ignore[attr-defined]


def test_the_proto_enum_names_the_same_channels() -> None:
    names = [v.name for v in common_pb2.Channel.DESCRIPTOR.values if v.number != 0]
    assert sorted(n.removeprefix("CHANNEL_").lower() for n in names) == sorted(CHANNELS)
    assert all(channel_from_proto(channel_to_proto(c)) == c for c in CHANNELS)


def test_every_sql_check_on_channel_lists_the_same_channels() -> None:
    checks = [
        (migration.version, match.group(1))
        for migration in discover()
        for match in CHECK.finditer(migration.sql)
    ]
    assert len(checks) >= 7, "the pattern no longer finds the CHECKs: fix it rather than the count"
    for version, listed in checks:
        names = sorted(re.findall(r"'([^']*)'", listed))
        assert names == sorted(CHANNELS), f"{version}: CHECK (channel IN ({listed}))"


def test_every_line_that_lists_channels_lists_them_all() -> None:
    # A CHECK written another way (NOT IN, = ANY) or a seed row per channel (0005's default
    # capacities) would escape the pattern above: any line naming three channels must name all five.
    for migration in discover():
        for line in migration.sql.splitlines():
            named = set(re.findall(r"'([a-z]+)'", line)) & {"phone", "chat", "email", "mobile", "web"}
            if len(named) >= 3:
                assert named == set(CHANNELS), f"{migration.version}: {line.strip()}"
