"""The ticket state machine: which action may happen in which state, and where it leads."""

from dataclasses import dataclass


class IllegalTransition(Exception):
    def __init__(self, action: str, status: str):
        super().__init__(f"cannot {action} a ticket that is {status}")
        self.action = action
        self.status = status


@dataclass(frozen=True)
class Transition:
    action: str
    event: str
    sources: frozenset[str]
    target: str


def _t(action: str, event: str, sources: str, target: str) -> Transition:
    return Transition(action, event, frozenset(sources.split()), target)


# claim: an agent takes the ticket; answer: the agent first answers (the ASA clock stops);
# release: the agent gives an unanswered ticket back; transfer: back to a queue (maybe another);
# abandon: the customer leaves before an answer; request_human: a self-served customer asks for one.
# A ticket under offer stays `queued`: the offer is a ticket_offers row, so every reader of the
# waiting queue keeps counting it as waiting until it is accepted.
TRANSITIONS = {
    t.action: t
    for t in (
        _t("claim", "claimed", "queued", "claimed"),
        _t("answer", "answered", "claimed", "answered"),
        _t("release", "released", "claimed", "queued"),
        _t("transfer", "transferred", "claimed answered", "queued"),
        _t("resolve", "resolved", "answered", "resolved"),
        _t("abandon", "abandoned", "queued claimed", "abandoned"),
        _t("reopen", "reopened", "resolved", "queued"),
        _t("request_human", "human_requested", "self_served", "queued"),
        # await_customer: the agent needs the customer's answer; the SLA clock pauses until they write.
        _t("await_customer", "awaiting_customer", "answered", "answered"),
        # escalate: the agent holding it hands it up a tier (the queue's escalation queue, or its own
        # queue at a higher priority); it waits for an agent there.
        _t("escalate", "escalated", "claimed answered", "queued"),
        # overflow: the router moves a ticket that waited too long to its queue's overflow queue.
        _t("overflow", "transferred", "queued", "queued"),
        # move: a supervisor puts a waiting or held ticket into another queue (taking it from its agent).
        _t("move", "transferred", "queued claimed answered", "queued"),
    )
}

# States in which the ticket waits in a queue for an agent and may be escalated.
WAITING = frozenset({"queued"})
FINAL = frozenset({"resolved", "abandoned"})


def transition(action: str, status: str) -> Transition:
    """The transition for `action` from `status`; raises IllegalTransition when it is not allowed."""
    found = TRANSITIONS.get(action)
    if found is None:
        raise ValueError(f"unknown action {action!r}")
    if status not in found.sources:
        raise IllegalTransition(action, status)
    return found
