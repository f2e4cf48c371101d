"""`python -m services.admin set-agent`: skills, languages and capacity as the router reads them."""

import asyncio

import psycopg
import pytest

from services.admin import cli as admin
from services.shared.routing.eligibility import AgentView
from services.shared.store import agents


def test_set_agent_records_what_the_router_reads(
    database_url: str, db, capsys: pytest.CaptureFixture[str]
) -> None:
    assert admin.run(["create-agent", "Sara", "--queues", "cards"], database_url) == 0
    (agent_id,) = db.execute("SELECT id FROM agents").fetchone()
    argv = [
        "set-agent",
        str(agent_id),
        "--skills",
        "fraud=4,cards=2",
        "--languages",
        "ar,en",
        "--capacity",
        "chat=4",
    ]
    assert admin.run(argv, database_url) == 0

    async def view() -> AgentView:
        async with await psycopg.AsyncConnection.connect(database_url) as conn:
            (found,) = await agents.routing_views(conn, agent_id=agent_id)
            return found

    found = asyncio.run(view())
    assert found.skills == {"fraud": 4, "cards": 2} and found.languages == {"ar", "en"}
    assert found.capacity == {"chat": 4, "email": 5, "mobile": 5, "phone": 1, "web": 5}
    assert found.presence == "offline"  # a new agent is signed out until they sign in
    capsys.readouterr()
    assert admin.run(["set-agent", str(agent_id), "--skills", "fraud=9"], database_url) == 2
    assert "proficiency" in capsys.readouterr().err
    assert admin.run(["set-agent", "999", "--languages", "ar"], database_url) == 2
