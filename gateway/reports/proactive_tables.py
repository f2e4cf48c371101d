"""The yearly report's proactive messages (pure): messages sent by kind and channel, with those held
back and those gone stale, and the repeat contacts of tickets told of their resolution beside the rest
(gateway/actions/proactive_figures.py; docs/channels.md, "Proactive messages")."""

from html import escape
from typing import Any

from services.shared.domain import CHANNELS
from services.shared.i18n import catalogue, formats
from services.shared.i18n.catalogue import text

# In the order a ticket meets them.
KINDS = {
    "returning": "report.proactive_returning",
    "wait": "report.proactive_wait",
    "taken": "report.proactive_taken",
    "resolved": "report.proactive_resolved",
}
# Columns after the channels' (which count the messages sent): every channel together, per outcome.
OUTCOMES = {
    "sent": "report.proactive_sent",
    "suppressed": "report.proactive_suppressed",
    "stale": "report.proactive_stale",
}
GROUPS = {"told": "report.proactive_told", "not_told": "report.proactive_not_told"}


def _n(language: str, value: int) -> str:
    return formats.number(language, value)


def _counts(counts: list[dict[str, Any]], language: str) -> str:
    by: dict[tuple[str, str, str], int] = {
        (c["kind"], c["channel"], c["outcome"]): c["count"] for c in counts
    }
    seen = {c["channel"] for c in counts}
    channels = [c for c in CHANNELS if c in seen] + sorted(seen - set(CHANNELS))
    kinds = [k for k in KINDS if any(key[0] == k for key in by)]
    head = "".join(f"<th>{escape(catalogue.name(language, 'channel', c))}</th>" for c in channels)
    head += "".join(f"<th>{escape(text(language, key))}</th>" for key in OUTCOMES.values())
    rows = []
    for kind in kinds:
        cells = "".join(
            f'<td data-channel="{escape(c)}">{_n(language, by.get((kind, c, "sent"), 0))}</td>'
            for c in channels
        )
        cells += "".join(
            f'<td data-outcome="{o}">{_n(language, sum(by.get((kind, c, o), 0) for c in channels))}</td>'
            for o in OUTCOMES
        )
        rows.append(f'<tr data-kind="{kind}"><th>{escape(text(language, KINDS[kind]))}</th>{cells}</tr>')
    return (
        f'<table class="proactive-counts"><thead><tr><th>{escape(text(language, "report.proactive_kind"))}'
        f"</th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _repeats(figures: dict[str, Any], language: str) -> str:
    days = _n(language, figures["window_days"])
    head = "".join(
        f"<th>{escape(text(language, key, days=days))}</th>"
        for key in ("report.proactive_resolved_tickets", "report.proactive_repeated", "report.proactive_rate")
    )
    rows = []
    for group, key in GROUPS.items():
        row = figures[group]
        rate = "–" if row["rate"] is None else formats.percent(language, row["rate"])
        rows.append(
            f'<tr data-group="{group}"><th>{escape(text(language, key))}</th>'
            f"<td>{_n(language, row['resolved'])}</td><td>{_n(language, row['repeated'])}</td>"
            f'<td class="rate">{rate}</td></tr>'
        )
    return (
        f'<table class="proactive-repeats"><thead><tr><th></th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def section(figures: dict[str, Any] | None, language: str) -> str:
    """The section's HTML; nothing when the figures are not known (or the year is 9999)."""
    if not figures:
        return ""
    counts = (
        _counts(figures["counts"], language)
        if figures["counts"]
        else f'<p class="note">{escape(text(language, "report.proactive_none"))}</p>'
    )
    days = _n(language, figures["window_days"])
    return (
        f'<section id="proactive"><h2>{escape(text(language, "report.proactive_heading"))}</h2>'
        f'<p class="note">{escape(text(language, "report.proactive_note"))}</p>{counts}'
        f"<h3>{escape(text(language, 'report.proactive_repeat_heading', days=days))}</h3>"
        f'<p class="note">{escape(text(language, "report.proactive_repeat_note", days=days))}</p>'
        f"{_repeats(figures, language)}</section>"
    )
