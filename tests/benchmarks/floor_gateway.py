"""`python -m tests.benchmarks.floor_gateway`: the production gateway with two floor routes added, for
the intake benchmark only (they are never in the product's app).

- `POST /bench/empty`: reads the body and answers 201 `{}`: what uvicorn, the middleware and
  FastAPI's routing cost on their own;
- `POST /bench/insert`: the same, plus one plain INSERT of the body (autocommit, one round trip)
  through the gateway's own pool: "HTTP and one INSERT", the least an intake that stores can cost.

Same process, same workers, same middleware (security headers, body limit), so the floors and the
real intake are measured on one server, minutes apart.
"""

from typing import Any

from fastapi import FastAPI, Request, Response

from gateway import __main__ as gateway_main
from gateway.http.app import app_from_env as product_app

TABLE = """CREATE TABLE IF NOT EXISTS bench_floor (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    body jsonb NOT NULL,
    at timestamptz NOT NULL DEFAULT now()
)"""


def app_from_env() -> FastAPI:
    app = product_app()

    @app.post("/bench/empty", status_code=201, include_in_schema=False)
    async def empty(request: Request) -> Response:
        await request.body()
        return Response(b"{}", status_code=201, media_type="application/json")

    @app.post("/bench/insert", status_code=201, include_in_schema=False)
    async def insert(request: Request) -> Response:
        body = await request.body()
        pool: Any = request.app.state.deps.pool
        async with pool.connection() as conn:
            cur = await conn.execute(
                "INSERT INTO bench_floor (body) VALUES (%s::jsonb) RETURNING id", (body.decode(),)
            )
            (ticket_id,) = await cur.fetchone()
        return Response(b'{"id":%d}' % ticket_id, status_code=201, media_type="application/json")

    return app


if __name__ == "__main__":
    gateway_main.main("tests.benchmarks.floor_gateway:app_from_env")
