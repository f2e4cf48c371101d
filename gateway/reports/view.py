"""The yearly report as the API shows it (pure): each KPI against its target and last year, volumes.

Built from the metrics service's GetReport answer; the same dictionary is served as JSON and
rendered as CSV and HTML (gateway/reports/render.py).
"""

from collections.abc import Mapping
from typing import Any

from ticketing.v1 import metrics_pb2

from services.shared.i18n import catalogue, intent_names
from services.shared.kpi_targets import Target, TargetTable

# The report's KPIs in the order a contact centre's yearly figures list them, with labels and units.
KPIS: dict[str, tuple[str, str]] = {
    "fcr": ("First-contact resolution", "rate"),
    "asa_s": ("Average speed of answer", "seconds"),
    "avg_wait_s": ("Average wait", "seconds"),
    "aht_s": ("Average handling time", "seconds"),
    "service_level": ("Service level", "rate"),
    "abandonment_rate": ("Abandonment rate", "rate"),
    "csat": ("Customer satisfaction", "rate"),
    "quality": ("Quality", "rate"),
    "containment_rate": ("Self-service containment", "rate"),
}
VOLUMES: dict[str, str] = {
    "incoming": "Incoming",
    "answered": "Answered",
    "abandoned": "Abandoned",
    "self_served": "Self-served",
}
# What each figure is, for the reader of the report (docs/kpis.md has the full definitions).
FORMULAS: dict[str, str] = {
    "fcr": "resolved with one handling segment, no transfer, escalation or reopening, and no new ticket "
    "from the customer in the same queue within 7 days, / resolved (by resolution time)",
    "asa_s": "mean wait from queueing to the first answer, over answered (by queueing time)",
    "avg_wait_s": "mean wait over answered and abandoned (by queueing time)",
    "aht_s": "mean sum of handling segments over resolved tickets (by resolution time)",
    "service_level": "answered within the channel's threshold / (answered + abandoned) (by queueing time)",
    "abandonment_rate": "abandoned / (answered + abandoned) (by queueing time)",
    "csat": "survey replies scoring 4 or 5 of 5 / survey replies (by reply time)",
    "quality": "mean quality-evaluation score / 100 (by evaluation time)",
    "containment_rate": "self-served / answered automatically, human never asked for (by creation time)",
    "incoming": "tickets opened (by creation time)",
    "answered": "tickets queued for a human and answered (by queueing time)",
    "abandoned": "tickets queued for a human, abandoned before an answer (by queueing time)",
    "self_served": "tickets closed by an automatic answer, no human involved (by creation time)",
}
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def figures_to_dict(figures: metrics_pb2.KpiFigures) -> dict[str, Any]:
    """Every field by name; an optional figure with nothing to average is null."""
    out: dict[str, Any] = {}
    for field in figures.DESCRIPTOR.fields:
        present = not field.has_presence or figures.HasField(field.name)
        out[field.name] = getattr(figures, field.name) if present else None
    return out


def change(value: float | None, last: float | None) -> tuple[float | None, float | None]:
    """(absolute, percent) change on last year; percent is None when last year was 0 or unknown."""
    if value is None or last is None:
        return None, None
    percent = None if last == 0 else (value - last) / abs(last) * 100
    return value - last, percent


def compared(value: float | None, last: float | None, target: Target | None = None) -> dict[str, Any]:
    absolute, percent = change(value, last)
    row: dict[str, Any] = {"value": value, "last_year": last, "change": absolute, "change_pct": percent}
    if target is not None:
        row.update(target=target.value, direction=target.direction, met=target.met(value))
    return row


def section(
    now: Mapping[str, Any], before: Mapping[str, Any], targets: Mapping[str, Target]
) -> dict[str, Any]:
    return {
        "kpis": {name: compared(now[name], before[name], targets.get(name)) for name in KPIS},
        "volumes": {name: compared(now[name], before[name]) for name in VOLUMES},
    }


def _intent_names(intent: str, queue_names: Mapping[str, dict[str, str]]) -> dict[str, str]:
    if not intent:
        return {language: catalogue.text(language, "report.demand_other") for language in catalogue.LANGUAGES}
    return intent_names.names(intent, queue_names)


def build(
    reply: metrics_pb2.GetReportResponse,
    targets: TargetTable,
    queue_names: Mapping[str, dict[str, str]] | None = None,
    proactive: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The report; each channel's and queue's section has its display `names` (Arabic, English).
    `proactive` is gateway/actions/proactive_figures.for_year's answer for the year, when known."""
    shown = queue_names or {}
    current, previous = reply.current, reply.previous
    months_now = [figures_to_dict(m) for m in current.months]
    months_before = [figures_to_dict(m) for m in previous.months]
    return {
        "year": current.year,
        "previous_year": previous.year,
        "formula_version": reply.formula_version,
        # The centre's clock whose years and months the figures were cut into.
        "time_zone": reply.time_zone or "UTC",
        "generated_at": reply.generated_at.ToDatetime().isoformat() + "Z",
        "recorded_through": reply.recorded_through.ToDatetime().isoformat() + "Z"
        if reply.HasField("recorded_through")
        else None,
        "sl_threshold_s": dict(sorted(reply.sl_threshold_s.items())),
        "formulas": FORMULAS,
        "overall": section(
            figures_to_dict(current.overall), figures_to_dict(previous.overall), targets.overall
        ),
        "by_channel": {
            channel: section(
                figures_to_dict(current.by_channel[channel]),
                figures_to_dict(previous.by_channel[channel]),
                targets.for_channel(channel),
            )
            | {"names": catalogue.names("channel", channel)}
            for channel in sorted(current.by_channel)
        },
        "by_queue": {
            queue: section(
                figures_to_dict(current.by_queue[queue]),
                figures_to_dict(previous.by_queue[queue])
                if queue in previous.by_queue
                else figures_to_dict(metrics_pb2.KpiFigures()),
                targets.overall,
            )
            | {"names": shown.get(queue, {"ar": queue, "en": queue})}
            for queue in sorted(current.by_queue)
        },
        "months": [
            {
                "month": n + 1,
                "name": MONTHS[n],
                **{v: now[v] for v in VOLUMES},
                **{k: now[k] for k in KPIS},
                "last_year": {v: before[v] for v in VOLUMES},
            }
            for n, (now, before) in enumerate(zip(months_now, months_before, strict=True))
        ],
        "channel_months": {
            channel: [figures_to_dict(m)["incoming"] for m in current.channel_months[channel].months]
            for channel in sorted(current.channel_months)
        },
        # Tickets per ISO week of the year for its busiest intents, with their display names; "" sums
        # the others.
        "demand_weeks": [
            {"intent": d.intent, "names": _intent_names(d.intent, shown), "weeks": list(d.weeks)}
            for d in reply.demand
        ],
        # Proactive messages by kind, channel and outcome; repeat contacts of the told and the rest.
        "proactive": {k: proactive[k] for k in ("counts", "window_days", "told", "not_told")}
        if proactive
        else None,
    }
