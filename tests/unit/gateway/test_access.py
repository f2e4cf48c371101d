"""The object-level access rule as a table: who reaches which ticket, and who may reopen it."""

from dataclasses import replace

import pytest

from gateway.actions.access import Need, Verdict, Viewer, decide, enforce
from gateway.http.problems import Problem
from services.shared.store.tickets import AccessFacts

ME = 7
OTHER = 8
# A ticket held by someone else, in a queue I do not serve, that I never touched.
NOT_MINE = AccessFacts(
    channel="phone",
    status="claimed",
    assigned_agent_id=OTHER,
    reserved_agent_id=None,
    serves_queue=False,
    handled=False,
    offered=False,
    resolved_by=None,
)
AGENT = Viewer("agent", agent_id=ME)
SUPERVISOR = Viewer("supervisor")
PHONE = Viewer("integration", channel="phone")
CHAT = Viewer("integration", channel="chat")

ALLOW, HIDDEN, FORBIDDEN = Verdict.ALLOW, Verdict.HIDDEN, Verdict.FORBIDDEN

# (case, viewer, facts, need, verdict)
TABLE = [
    ("held by another, queue not served", AGENT, NOT_MINE, Need.SEE, HIDDEN),
    ("held by me", AGENT, replace(NOT_MINE, assigned_agent_id=ME), Need.SEE, ALLOW),
    ("handled earlier", AGENT, replace(NOT_MINE, handled=True), Need.SEE, ALLOW),
    ("offered to me", AGENT, replace(NOT_MINE, status="queued", offered=True), Need.SEE, ALLOW),
    ("reserved for me", AGENT, replace(NOT_MINE, status="queued", reserved_agent_id=ME), Need.SEE, ALLOW),
    ("waiting in my queue", AGENT, replace(NOT_MINE, status="queued", serves_queue=True), Need.SEE, ALLOW),
    ("held by another in my queue", AGENT, replace(NOT_MINE, serves_queue=True), Need.SEE, HIDDEN),
    ("resolved in my queue, not by me", AGENT,
     replace(NOT_MINE, status="resolved", serves_queue=True, resolved_by=OTHER), Need.SEE, HIDDEN),
    ("waiting in another queue", AGENT, replace(NOT_MINE, status="queued"), Need.SEE, HIDDEN),
    ("self-served in my queue", AGENT,
     replace(NOT_MINE, status="self_served", serves_queue=True), Need.SEE, HIDDEN),
    ("reopen: resolved by me", AGENT,
     replace(NOT_MINE, status="resolved", handled=True, resolved_by=ME), Need.REOPEN, ALLOW),
    ("reopen: handled, resolved by another", AGENT,
     replace(NOT_MINE, status="resolved", handled=True, resolved_by=OTHER), Need.REOPEN, FORBIDDEN),
    ("reopen: out of reach", AGENT,
     replace(NOT_MINE, status="resolved", resolved_by=OTHER), Need.REOPEN, HIDDEN),
    ("agent credential without agent", Viewer("agent"), replace(NOT_MINE, status="queued", serves_queue=True),
     Need.SEE, HIDDEN),
    ("supervisor sees all", SUPERVISOR, NOT_MINE, Need.SEE, ALLOW),
    ("supervisor reopens any", SUPERVISOR,
     replace(NOT_MINE, status="resolved", resolved_by=OTHER), Need.REOPEN, ALLOW),
    ("integration, own channel", PHONE, NOT_MINE, Need.SEE, ALLOW),
    ("integration, another channel", CHAT, NOT_MINE, Need.SEE, HIDDEN),
    ("integration never reopens", PHONE, NOT_MINE, Need.REOPEN, FORBIDDEN),
    ("integration without channel", Viewer("integration"), NOT_MINE, Need.SEE, HIDDEN),
    ("unknown role", Viewer("robot"), NOT_MINE, Need.SEE, HIDDEN),
    ("no such ticket", SUPERVISOR, None, Need.SEE, HIDDEN),
]  # fmt: skip


@pytest.mark.parametrize(("viewer", "facts", "need", "verdict"), [row[1:] for row in TABLE],
                         ids=[row[0] for row in TABLE])  # fmt: skip
def test_the_rule_table(viewer: Viewer, facts: AccessFacts | None, need: Need, verdict: Verdict) -> None:
    assert decide(viewer, facts, need) is verdict


def test_out_of_reach_is_a_404_like_a_missing_ticket_and_a_refused_reopen_a_403() -> None:
    with pytest.raises(Problem) as hidden:
        enforce(AGENT, NOT_MINE, 5)
    with pytest.raises(Problem) as missing:
        enforce(AGENT, None, 5)
    assert (hidden.value.status, hidden.value.detail) == (missing.value.status, missing.value.detail)
    assert hidden.value.status == 404
    with pytest.raises(Problem) as refused:
        enforce(AGENT, replace(NOT_MINE, handled=True, resolved_by=OTHER), 5, Need.REOPEN)
    assert refused.value.status == 403
    assert enforce(SUPERVISOR, NOT_MINE, 5) is NOT_MINE
