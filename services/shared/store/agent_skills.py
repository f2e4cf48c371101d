"""SQL for agent_skills: what each agent knows, with a proficiency from 1 to 5."""

from typing import Any

from psycopg import AsyncConnection, Connection


def set_all_sync(conn: Connection[Any], agent_id: int, skills: dict[str, int]) -> None:
    """Replaces the agent's skills."""
    with conn.transaction():
        conn.execute("DELETE FROM agent_skills WHERE agent_id = %s", (agent_id,))
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO agent_skills (agent_id, skill, proficiency) VALUES (%s, %s, %s)",
                [(agent_id, skill, level) for skill, level in skills.items()],
            )


async def set_all(conn: AsyncConnection[Any], agent_id: int, skills: dict[str, int]) -> None:
    async with conn.transaction():
        await conn.execute("DELETE FROM agent_skills WHERE agent_id = %s", (agent_id,))
        async with conn.cursor() as cur:
            await cur.executemany(
                "INSERT INTO agent_skills (agent_id, skill, proficiency) VALUES (%s, %s, %s)",
                [(agent_id, skill, level) for skill, level in skills.items()],
            )
