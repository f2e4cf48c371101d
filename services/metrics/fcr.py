"""First-contact resolution of one ticket (pure), per docs/kpis.md.

A resolved ticket was resolved at first contact when it had exactly one handling segment, was never
transferred while handled (a waiting ticket moved by overflow is not), escalated (waiting or handled)
or reopened, and its customer opened no other ticket in
the same queue within FCR_WINDOW after the resolution: a ticket whose first queue (where it was
opened) is the resolved ticket's queue, created in (resolved_at, resolved_at + FCR_WINDOW].

Whether a later contact exists is read from ticket_metrics (services/metrics/store.py); the follower
sets the flag again for a customer's earlier tickets whenever one of their tickets changes.
"""

from datetime import timedelta

from services.metrics.rollup import TicketFigures

# Part of the formula (FORMULA_VERSION names it): changing it needs a rebuild and a new version.
FCR_WINDOW = timedelta(days=7)


def eligible(t: TicketFigures) -> bool:
    """Resolved once, by one agent's one segment, with no transfer, escalation or reopening."""
    return (
        t.resolved_at is not None
        and t.segments == 1
        and t.transfers == 0
        and t.escalations == 0
        and t.reopens == 0
    )


def first_contact_resolved(t: TicketFigures, later_contact: bool) -> bool | None:
    """None for a ticket that is not resolved (it is not in the figure at all)."""
    if t.resolved_at is None:
        return None
    return eligible(t) and not later_contact
