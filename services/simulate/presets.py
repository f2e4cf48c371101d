"""The centre's years as model parameters, and the figures it published for them (pure data).

Each parameter below says which published figure it produces; docs/simulation.md has the table.
"""

from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Literal

CHANNELS = ("phone", "chat", "email", "mobile", "web")
# The opening hours of the voice and chat desks (services/shared/business_hours.py's calendar
# format), on the centre's clock: weekdays long, Friday split round the midday prayer, a short
# Saturday, Sunday closed. E-mail, the app and the web portal take messages at any hour; they are
# answered when agents are in.
HOURS = {
    "hours": {
        "mon": ["07:00-20:00"],
        "tue": ["07:00-20:00"],
        "wed": ["07:00-20:00"],
        "thu": ["07:00-20:00"],
        "fri": ["07:00-12:00", "14:00-20:00"],
        "sat": ["09:00-17:00"],
    }
}


@dataclass(frozen=True)
class Channel:
    # Contacts opened a year, self-service included (the report's `incoming`).
    volume: int
    # Share answered automatically: the IVR on calls, the FAQ elsewhere (the report's `self_served`).
    self_service: float
    # Share of those who then ask for a person (queued from that moment).
    asks_human: float
    # Handling time (talk and after-contact work), log-normal: mean and the sigma of its logarithm.
    handle_mean_s: float
    handle_sigma: float
    # Mean of the exponential patience of a waiting customer; None: never leaves (written channels).
    patience_mean_s: float | None
    # Contacts an agent carries at once on this channel.
    capacity: int
    # Arrivals only while the desk is open (voice, chat); else at any hour.
    open_hours_only: bool
    # The service-level threshold staffing is chosen for (the report's default T per channel).
    target_s: float


@dataclass(frozen=True)
class Figure:
    name: str  # the report's figure
    value: float
    kind: Literal["rate", "time"]
    # Which part of the report it is compared with: a channel's figures, or the overall ones.
    channel: str | None
    # The model's parameters that produce it (printed beside the comparison).
    produced_by: str


@dataclass(frozen=True)
class Preset:
    name: str
    year: int
    channels: MappingProxyType[str, Channel]
    # Share of customers writing or speaking Arabic (the rest English).
    arabic_share: float
    # Share of agents who also take English contacts (all speak Arabic).
    english_agents: float
    # From an agent's pick-up to the answer (ringing and greeting): log-normal mean and sigma.
    ring_mean_s: float
    ring_sigma: float
    # Staffing: the share answered within each channel's target_s that Erlang C staffs for.
    service_level: float
    # Erlang C's staff is multiplied by this (shrinkage: breaks, training, meetings) before rostering.
    staffing_factor: float
    # Share of handled contacts an agent transfers to another queue (a second handling segment).
    transfer_rate: float
    # Share of resolved contacts whose customer contacts the centre again, same channel and question,
    # within `repeat_within_days` (spoils the first one's first-contact resolution).
    repeat_rate: float
    repeat_within_days: float
    # Surveys: the share of resolved contacts whose customer answers, and the scores 1-5 they give.
    survey_reply_rate: float
    survey_scores: tuple[float, float, float, float, float]
    # Quality: the share of answered contacts a supervisor evaluates, and the scores (normal, 0-100).
    quality_rate: float
    quality_mean: float
    quality_sd: float
    hours: MappingProxyType[str, object] = field(default_factory=lambda: MappingProxyType(HOURS))
    published: tuple[Figure, ...] = ()

    def scaled(self, factor: float) -> "Preset":
        """The same year at `factor` times the volumes (a quick run)."""
        channels = {k: replace(c, volume=max(1, round(c.volume * factor))) for k, c in self.channels.items()}
        return replace(self, channels=MappingProxyType(channels))


# The published figures of 2024 are those of the calls, except FCR, quality and happiness, which the
# centre reports over all its contacts.
CENTRE_2024 = Preset(
    name="centre-2024",
    year=2024,
    channels=MappingProxyType(
        {
            # 34,798 incoming calls; 23,767 answered by agents and 1.85 % abandoned, so 24,215 offered
            # to agents and the IVR served the other 10,583 (30.41 %). Repeats are among the incoming.
            "phone": Channel(34_798, 0.3041, 0.0, 262.0, 0.55, 420.0, 1, True, 20.0),
            "chat": Channel(4_447, 0.10, 0.25, 420.0, 0.6, 240.0, 3, True, 30.0),
            "email": Channel(22_594, 0.0, 0.0, 480.0, 0.7, None, 4, False, 14_400.0),
            "mobile": Channel(3_120, 0.25, 0.2, 360.0, 0.6, None, 4, False, 3_600.0),
            "web": Channel(2_860, 0.30, 0.2, 360.0, 0.6, None, 4, False, 3_600.0),
        }
    ),
    arabic_share=0.78,
    english_agents=0.85,
    ring_mean_s=6.8,
    ring_sigma=0.85,
    service_level=0.80,
    staffing_factor=0.95,
    transfer_rate=0.009,
    repeat_rate=0.02,
    repeat_within_days=6.0,
    survey_reply_rate=0.30,
    survey_scores=(0.011, 0.008, 0.0133, 0.085, 0.8827),
    quality_rate=0.05,
    quality_mean=88.4,
    quality_sd=6.0,
    published=(
        Figure("fcr", 0.9715, "rate", None, "transfer_rate, repeat_rate"),
        Figure("avg_wait_s", 0.0, "time", "phone", "ring_mean_s, staffing (see docs: not reproducible)"),
        Figure("asa_s", 14.0, "time", "phone", "ring_mean_s, staffing_factor, service_level"),
        Figure("aht_s", 261.6, "time", "phone", "phone handle_mean_s, transfer_rate"),
        Figure("quality", 0.884, "rate", None, "quality_mean"),
        Figure("csat", 0.9679, "rate", None, "survey_scores"),
        Figure("service_level", 0.884, "rate", "phone", "service_level, staffing_factor, ring_mean_s"),
        Figure("abandonment_rate", 0.0185, "rate", "phone", "phone patience_mean_s"),
    ),
)

# 2023: the volumes the centre published (30,174 calls, 22,562 answered, 485 chats, 28,454 e-mails;
# mobile and web a little below 2024), FCR 94.43 %, AHT 4.44 min and happiness 94.81 % as published;
# the rest is this model's choice (documented in docs/simulation.md): a thinner roster, so calls
# waited longer and more of them were abandoned.
CENTRE_2023 = replace(
    CENTRE_2024,
    name="centre-2023",
    year=2023,
    channels=MappingProxyType(
        {
            # 22,562 answered, 2.5 % abandoned: 23,140 offered; the IVR served 7,034 (23.31 %).
            "phone": Channel(30_174, 0.2331, 0.0, 266.0, 0.55, 300.0, 1, True, 20.0),
            "chat": Channel(485, 0.05, 0.25, 420.0, 0.6, 240.0, 3, True, 30.0),
            "email": Channel(28_454, 0.0, 0.0, 480.0, 0.7, None, 4, False, 14_400.0),
            "mobile": Channel(2_950, 0.22, 0.2, 360.0, 0.6, None, 4, False, 3_600.0),
            "web": Channel(2_700, 0.28, 0.2, 360.0, 0.6, None, 4, False, 3_600.0),
        }
    ),
    ring_mean_s=8.0,
    staffing_factor=0.9,
    transfer_rate=0.02,
    repeat_rate=0.036,
    survey_scores=(0.02, 0.012, 0.0199, 0.1, 0.8481),
    quality_mean=86.0,
    published=(
        Figure("fcr", 0.9443, "rate", None, "transfer_rate, repeat_rate"),
        Figure("aht_s", 266.4, "time", "phone", "phone handle_mean_s, transfer_rate"),
        Figure("csat", 0.9481, "rate", None, "survey_scores"),
    ),
)

PRESETS = {p.name: p for p in (CENTRE_2024, CENTRE_2023)}
