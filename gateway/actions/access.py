"""Who may see and act on which ticket: the object-level rule, as one pure function of the caller and
the ticket's facts (services/shared/store/tickets/access.py `access_facts` fetches them in one query).

The role check (may this role call this route at all) comes first, in gateway/http/auth.py. This rule
then decides for the one ticket the route names:

- a supervisor reaches every ticket;
- an integration reaches the tickets of its own channel only;
- an agent reaches a ticket they hold now, one they handled (an event of theirs on it other than an
  offer made to them or missed by them), one under a pending offer to them or reserved for them,
  and one waiting (`queued`) in a queue they serve, which they could claim next.

A ticket out of reach answers 404, exactly as one that does not exist, so ids cannot be probed. A
ticket in reach may still refuse the action: reopening belongs to the agent who resolved it, or to a
supervisor (403 for anyone else who reaches it); the other actions are the state machine's to refuse.
"""

import enum
from dataclasses import dataclass

from gateway.http.problems import Problem
from services.shared.store.api_credentials import Credential
from services.shared.store.tickets import AccessFacts


class Need(enum.Enum):
    # Read the ticket (its text, documents, events, its customer's history) or act on it as the
    # state machine allows.
    SEE = "see"
    # Reopen a resolved ticket, which changes the resolver's first-contact resolution.
    REOPEN = "reopen"


class Verdict(enum.Enum):
    ALLOW = "allow"
    HIDDEN = "hidden"  # answered 404: the caller may not even learn that the ticket exists
    FORBIDDEN = "forbidden"  # answered 403: the caller sees the ticket but may not do this


@dataclass(frozen=True)
class Viewer:
    role: str
    agent_id: int | None = None
    channel: str | None = None

    @classmethod
    def of(cls, credential: Credential) -> "Viewer":
        return cls(credential.role, credential.agent_id, credential.channel)


def agent_reaches(agent_id: int | None, facts: AccessFacts) -> bool:
    """The agent's own work: held, handled, offered or reserved to them, or waiting for them to claim."""
    if agent_id is None:
        return False
    return (
        facts.assigned_agent_id == agent_id
        or facts.reserved_agent_id == agent_id
        or facts.handled
        or facts.offered
        or (facts.status == "queued" and facts.serves_queue)
    )


def decide(viewer: Viewer, facts: AccessFacts | None, need: Need = Need.SEE) -> Verdict:
    if facts is None:
        return Verdict.HIDDEN
    if viewer.role == "supervisor":
        return Verdict.ALLOW
    if viewer.role == "integration":
        if viewer.channel is None or facts.channel != viewer.channel:
            return Verdict.HIDDEN
        # Customers do not reopen: a new message opens a new ticket or joins the open one.
        return Verdict.ALLOW if need is Need.SEE else Verdict.FORBIDDEN
    if viewer.role == "agent":
        if not agent_reaches(viewer.agent_id, facts):
            return Verdict.HIDDEN
        if need is Need.REOPEN and facts.resolved_by != viewer.agent_id:
            return Verdict.FORBIDDEN
        return Verdict.ALLOW
    return Verdict.HIDDEN


def enforce(viewer: Viewer, facts: AccessFacts | None, ticket_id: int, need: Need = Need.SEE) -> AccessFacts:
    """The facts when the rule allows; otherwise the problem the rule's verdict answers with."""
    verdict = decide(viewer, facts, need)
    if verdict is Verdict.HIDDEN or facts is None:
        raise Problem(404, "Not found", f"no ticket {ticket_id}")
    if verdict is Verdict.FORBIDDEN:
        raise Problem(
            403, "Forbidden", f"only the agent who resolved ticket {ticket_id} or a supervisor may reopen it"
        )
    return facts
