"""Callback delivery test helpers: a receiver on loopback that records what it got (headers, body, TLS
name) and answers with scripted statuses or through a function (redirects, oversized bodies); the
settings that let callbacks reach it; messages to deliver."""

import ssl
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import psycopg

from services.shared.egress import EgressPolicy
from services.shared.settings import Env
from services.shared.store import outbound_messages
from services.workers.settings import WorkerSettings
from tests.fixtures.gateway import Gateway, unused_port

# Receivers are plain http on loopback, which the egress policy refuses unless told otherwise.
LOOPBACK_CALLBACKS = {"CALLBACK_ALLOW_HTTP": "1", "CALLBACK_ALLOWED_NETWORKS": "127.0.0.0/8"}
LOOPBACK_POLICY = EgressPolicy.from_env(Env(LOOPBACK_CALLBACKS))


def worker_settings(
    database_url: str, callbacks: dict[str, str] = LOOPBACK_CALLBACKS, **extra: str
) -> WorkerSettings:
    environ = {"DATABASE_URL": database_url, "BROKER_URL": "amqp://unused//"} | callbacks
    return WorkerSettings.from_env(environ | extra)


def start_alone(start_gateway: Callable[..., Gateway], **overrides: Any) -> Gateway:
    """A gateway with its gRPC peers away (callbacks need neither); `overrides` as start_gateway's."""
    return start_gateway(
        classifier_addr=f"127.0.0.1:{unused_port()}", metrics_addr=f"127.0.0.1:{unused_port()}", **overrides
    )


def add_messages(database_url: str, channel: str, count: int) -> list[int]:
    with psycopg.connect(database_url, autocommit=True) as conn:
        return [
            outbound_messages.insert_sync(
                conn,
                outbound_messages.NewMessage(channel=channel, kind="reply", body=f"m{i}", recipient="+9665"),
            )
            for i in range(count)
        ]


# (handler, status) -> writes the whole answer; the default sends the status and an empty body.
Answer = Callable[[BaseHTTPRequestHandler, int], None]


def empty(handler: BaseHTTPRequestHandler, status: int) -> None:
    handler.send_response(status)
    handler.send_header("Content-Length", "0")
    handler.end_headers()


class Receiver:
    """Serves POSTs on 127.0.0.1 (plain http, or TLS with `tls` as the server context)."""

    def __init__(self, statuses: list[int], *, answer: Answer = empty, tls: ssl.SSLContext | None = None):
        self.statuses = statuses
        self.received: list[tuple[dict[str, str], bytes]] = []
        # The server names TLS clients asked for (SNI), in order.
        self.sni: list[str | None] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers), body))
                answer(self, receiver.statuses.pop(0) if receiver.statuses else 200)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = int(self.server.server_address[1])
        scheme = "http"
        if tls is not None:
            tls.sni_callback = lambda sock, name, ctx: self.sni.append(name)
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
            scheme = "https"
        self.url = f"{scheme}://127.0.0.1:{self.port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url_for(self, host: str) -> str:
        """The receiver's URL under another host name (which a test's resolver maps to 127.0.0.1)."""
        return self.url.replace("127.0.0.1", host, 1)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
