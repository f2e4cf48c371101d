"""SQL for tickets, by concern; every name is here too, so callers use `tickets.<name>`.

record: the Ticket and the queries that read whole tickets; arrival: intake and thread joins;
queueing: waiting tickets, places and loads; changes: state changes; access: who may reach a ticket.
"""

from services.shared.store.tickets.access import (
    ACCESS_FACTS,
    LOCKED_WITH_FACTS,
    AccessFacts,
    access_facts,
    locked_with_facts,
)
from services.shared.store.tickets.arrival import (
    INTAKE,
    JOIN_THREAD,
    Intake,
    NewTicket,
    intake,
    join_thread,
)
from services.shared.store.tickets.changes import OVERFLOW, apply_change, claim_next_routed, overflow, touch
from services.shared.store.tickets.queueing import (
    FIRST_PAGE,
    WAITING,
    Position,
    QueueLoad,
    QueueNow,
    arrivals_by_queue,
    position,
    queue_load,
    queues_now,
    waiting,
    waiting_one,
)
from services.shared.store.tickets.record import (
    COLUMNS,
    FaqAnswer,
    Ticket,
    by_external_id,
    for_customer,
    get,
    held_by,
    reply_address,
)

__all__ = [
    "ACCESS_FACTS",
    "COLUMNS",
    "FIRST_PAGE",
    "INTAKE",
    "JOIN_THREAD",
    "LOCKED_WITH_FACTS",
    "OVERFLOW",
    "WAITING",
    "AccessFacts",
    "FaqAnswer",
    "Intake",
    "NewTicket",
    "Position",
    "QueueLoad",
    "QueueNow",
    "Ticket",
    "access_facts",
    "apply_change",
    "arrivals_by_queue",
    "by_external_id",
    "claim_next_routed",
    "for_customer",
    "get",
    "held_by",
    "intake",
    "join_thread",
    "locked_with_facts",
    "overflow",
    "position",
    "queue_load",
    "queues_now",
    "reply_address",
    "touch",
    "waiting",
    "waiting_one",
]
