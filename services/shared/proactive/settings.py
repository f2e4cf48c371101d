"""The proactive messages' settings, read once per process from the environment (docs/channels.md)."""

from collections.abc import Mapping
from dataclasses import dataclass, field

from services.shared.domain import CHANNELS
from services.shared.settings import Env, SettingsError

# returning: at intake, the outcome of the customer's recent ticket on the same intent; wait: the
# ticket still waits after its channel's stated wait; taken: an agent took it; resolved: it was
# resolved (with the agent's note for the customer, if any). In the order a customer meets them.
KINDS = ("returning", "wait", "taken", "resolved")


@dataclass(frozen=True)
class ProactiveSettings:
    # The stated wait, seconds (PROACTIVE_WAIT_NOTICE_S; 0 sends no wait notice): a ticket still
    # waiting this long after it was queued is told so, once. Shorter reassures sooner; longer spares
    # customers whose ticket would be taken a moment later anyway.
    wait_notice_s: float = 600.0
    # Per channel (PROACTIVE_WAIT_NOTICE_S_CHAT, ..._EMAIL, ...): a chat customer expects minutes, an
    # e-mail customer hours. A channel not named here uses wait_notice_s.
    wait_notice_by_channel: Mapping[str, float] = field(default_factory=dict)
    # (channel, kind) pairs never sent (PROACTIVE_SUPPRESS: `phone` for every kind on the phone,
    # `phone:taken` for one kind). Still counted, as suppressed.
    suppressed: frozenset[tuple[str, str]] = frozenset()
    # A returning customer is told about a ticket on the same intent resolved within this many days
    # (PROACTIVE_RETURNING_DAYS; 0: never). Longer reaches more repeat contacts; shorter keeps the
    # earlier answer likely to still hold.
    returning_days: int = 14
    # How often beat starts the proactive sweep (PROACTIVE_SWEEP_S): the delay between an agent
    # taking or resolving a ticket and the customer hearing of it. Each tick is two indexed queries.
    sweep_s: float = 5.0

    def wait_s(self, channel: str) -> float:
        """The channel's stated wait; 0 when it gets no wait notice."""
        return self.wait_notice_by_channel.get(channel, self.wait_notice_s)

    def allows(self, channel: str, kind: str) -> bool:
        return (channel, kind) not in self.suppressed

    @classmethod
    def from_env(cls, env: Env) -> "ProactiveSettings":
        by_channel: dict[str, float] = {}
        for channel in CHANNELS:
            raw = env.optional(f"PROACTIVE_WAIT_NOTICE_S_{channel.upper()}")
            if raw is not None:
                by_channel[channel] = env.float(f"PROACTIVE_WAIT_NOTICE_S_{channel.upper()}", 0.0)
        settings = cls(
            wait_notice_s=env.float("PROACTIVE_WAIT_NOTICE_S", cls.wait_notice_s),
            wait_notice_by_channel=by_channel,
            suppressed=parse_suppressed(env.optional("PROACTIVE_SUPPRESS") or ""),
            returning_days=env.int("PROACTIVE_RETURNING_DAYS", cls.returning_days),
            sweep_s=env.float("PROACTIVE_SWEEP_S", cls.sweep_s),
        )
        waits = {"PROACTIVE_WAIT_NOTICE_S": settings.wait_notice_s} | {
            f"PROACTIVE_WAIT_NOTICE_S_{c.upper()}": s for c, s in by_channel.items()
        }
        for name, value in (*waits.items(), ("PROACTIVE_RETURNING_DAYS", settings.returning_days)):
            if value < 0:
                raise SettingsError(f"{name} must be 0 (off) or more, not {value}")
        if settings.sweep_s <= 0:
            raise SettingsError(f"PROACTIVE_SWEEP_S must be above 0, not {settings.sweep_s}")
        return settings


def parse_suppressed(text: str) -> frozenset[tuple[str, str]]:
    """`phone, email:wait` -> every kind on the phone, and the wait notice on e-mail."""
    pairs: set[tuple[str, str]] = set()
    for item in text.split(","):
        item = item.strip().lower()
        if not item:
            continue
        channel, _, kind = item.partition(":")
        if channel not in CHANNELS or (kind and kind not in KINDS):
            raise SettingsError(
                f"PROACTIVE_SUPPRESS: {item!r} is not a channel ({', '.join(CHANNELS)}) "
                f"optionally followed by :kind ({', '.join(KINDS)})"
            )
        pairs |= {(channel, kind)} if kind else {(channel, k) for k in KINDS}
    return frozenset(pairs)
