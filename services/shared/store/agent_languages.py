"""SQL for agent_languages: the languages each agent handles (none recorded: any)."""

from typing import Any

from psycopg import AsyncConnection, Connection

DELETE = "DELETE FROM agent_languages WHERE agent_id = %s"
INSERT = "INSERT INTO agent_languages (agent_id, language) VALUES (%s, %s)"


def set_all_sync(conn: Connection[Any], agent_id: int, languages: list[str]) -> None:
    with conn.transaction():
        conn.execute(DELETE, (agent_id,))
        with conn.cursor() as cur:
            cur.executemany(INSERT, [(agent_id, lang) for lang in dict.fromkeys(languages)])


async def set_all(conn: AsyncConnection[Any], agent_id: int, languages: list[str]) -> None:
    async with conn.transaction():
        await conn.execute(DELETE, (agent_id,))
        async with conn.cursor() as cur:
            await cur.executemany(INSERT, [(agent_id, lang) for lang in dict.fromkeys(languages)])
