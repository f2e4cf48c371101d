"""Each query's output columns and the record its rows are decoded into agree, name by name.

Rows are decoded by name (`class_row`, `kwargs_row`, a dict row): a column renamed, dropped or
added on one side and not the other would fail at run time only, on the first row read. These read
the statements' select (or RETURNING) lists, so the two are held together without a database.
"""

import dataclasses
import re

import pytest

from services.shared.routing.eligibility import AgentView, TicketView
from services.shared.store import (
    agents,
    outbound_messages,
    quality_evaluations,
    survey_follow_ups,
    ticket_offers,
    tickets,
)
from services.shared.store.tickets import arrival, queueing


def _top_level(sql: str) -> str:
    """`sql` with everything inside parentheses or quotes blanked, so keywords found are its own."""
    out, depth, quote = [], 0, ""
    for ch in sql:
        if quote:
            out.append(" ")
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
            out.append(" ")
        elif ch == "(":
            depth += 1
            out.append(" ")
        elif ch == ")":
            depth -= 1
            out.append(" ")
        else:
            out.append(ch if depth == 0 else " ")
    return "".join(out)


def output_names(sql: str) -> list[str]:
    """The names of the columns the statement returns: its last top-level SELECT or RETURNING list."""
    flat = _top_level(sql)
    starts = list(re.finditer(r"\b(SELECT|RETURNING)\b", flat, re.IGNORECASE))
    assert starts, "no SELECT or RETURNING list"
    begin = starts[-1].end()
    end = re.compile(r"\b(FROM|WHERE|ORDER|LIMIT|GROUP)\b", re.IGNORECASE).search(flat, begin)
    stop = end.start() if end else len(sql)
    names, start = [], begin
    for comma in [m.start() for m in re.finditer(",", flat[begin:stop])] + [stop - begin]:
        item = sql[start : begin + comma].strip()
        start = begin + comma + 1
        alias = re.search(r"\bAS\s+(\w+)$", item, re.IGNORECASE)
        names.append(alias.group(1) if alias else item.rsplit(".", 1)[-1])
    return names


def fields(record: type) -> list[str]:
    return [f.name for f in dataclasses.fields(record)]


# (statement, the record its rows become) for every query decoded into a whole record.
DECODED = {
    "tickets.COLUMNS": (f"SELECT {tickets.COLUMNS} FROM tickets t", tickets.Ticket),
    "tickets.WAITING": (tickets.WAITING, TicketView),
    "tickets.ACCESS_FACTS": (tickets.ACCESS_FACTS, tickets.AccessFacts),
    "agents.ROUTING_VIEW": (agents.ROUTING_VIEW, AgentView),
    "ticket_offers.COLUMNS": (f"SELECT {ticket_offers.COLUMNS} FROM ticket_offers", ticket_offers.Offer),
    "outbound_messages.LEASE_FOR_POLL": (outbound_messages.LEASE_FOR_POLL, outbound_messages.Leased),
    "outbound_messages.LEASE_FOR_CALLBACK": (
        outbound_messages.LEASE_FOR_CALLBACK,
        outbound_messages.CallbackDelivery,
    ),
    "survey_follow_ups.SELECT": (survey_follow_ups.SELECT, survey_follow_ups.FollowUp),
    "quality_evaluations.RECORD": (quality_evaluations.RECORD, quality_evaluations.Evaluation),
    "queueing.WAITING_COLUMNS": (f"SELECT {queueing.WAITING_COLUMNS} FROM t", TicketView),
    "queueing.POSITION": (queueing.POSITION, tickets.Position),
    "queueing.QUEUE_LOAD": (queueing.QUEUE_LOAD, tickets.QueueLoad),
    "queueing.QUEUES_NOW": (queueing.QUEUES_NOW, tickets.QueueNow),
}


@pytest.mark.parametrize("name", DECODED)
def test_columns_and_fields_agree(name: str) -> None:
    statement, record = DECODED[name]
    assert sorted(output_names(statement)) == sorted(fields(record))


def test_the_intake_returns_a_whole_ticket_and_what_it_did() -> None:
    names = output_names(arrival.INTAKE)
    assert len(names) == len(set(names)), "a name twice: one would hide the other"
    assert set(names) == {
        *fields(tickets.Ticket),
        "new_customer",
        "verified_added",
        "position",
        "behind",
        "join_id",
    }


def test_the_reader_sees_through_subqueries_and_aliases() -> None:
    # The helper itself: a comma or FROM inside a subquery is not the list's own.
    sql = "SELECT a.x, (SELECT count(*), 1 FROM y) AS n, coalesce(b, 'FROM, x') AS c FROM z"
    assert output_names(sql) == ["x", "n", "c"]
    assert output_names("UPDATE t SET a = 1 RETURNING t.id, t.b") == ["id", "b"]
