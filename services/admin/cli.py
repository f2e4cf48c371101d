"""Admin CLI: create queues, agents and tokens (a token's secret is printed once, never stored).

python -m services.admin create-queue billing --description "Bills and payments"
python -m services.admin create-agent "Sara Ali" --email sara@example.com --queues cards,general
python -m services.admin set-agent 1 --skills fraud=4,cards=2 --languages ar,en --capacity chat=4,phone=1
python -m services.admin create-token --role integration --channel phone --name "PBX"
python -m services.admin create-token --role agent --agent-id 1 --name "Sara's console" --expires-in 7d
python -m services.admin create-token --role supervisor --name "Import from the old system" --backfill
python -m services.admin list-tokens
python -m services.admin revoke-token 3
python -m services.admin export-corrections --since 2026-01-01 > corrections.jsonl
python -m services.admin set-escalation-queue cards disputes_fraud
python -m services.admin set-queue-names cards --ar "البطاقات" --en "Cards"
python -m services.admin create-widget-key --name "Main site" --origins https://www.example.gov.ae
python -m services.admin add-supervisor cards --channel email --address lead@bank.example --name "Card lead"
PBX=$(python -m services.admin create-token --role integration --channel phone --name "PBX" --quiet)

The database is DATABASE_URL; without it, that of the stack `make run` runs from this folder (it
writes `.run/env`, or `$STACK_RUN_DIR/env`, while it runs).
"""

import argparse
import json
import os
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
from psycopg import Connection

from services.admin import widget_keys
from services.shared import run_env, tokens
from services.shared.domain import CHANNELS
from services.shared.store import (
    agent_capacity,
    agent_languages,
    agent_skills,
    agents,
    api_credentials,
    classifier_corrections,
    queue_supervisors,
    queues,
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m services.admin",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    q = sub.add_parser("create-queue", help="create a queue (or update its description)")
    q.add_argument("name")
    q.add_argument("--description", default="")
    sub.add_parser("list-queues", help="list queues")
    a = sub.add_parser("create-agent", help="create an agent serving some queues")
    a.add_argument("name")
    a.add_argument("--email")
    a.add_argument("--queues", required=True, help="comma-separated queue names")
    a.add_argument("--quiet", action="store_true", help="print only the new agent's id (for $(...))")
    sub.add_parser("list-agents", help="list agents and their queues")
    g = sub.add_parser("set-agent", help="set an agent's skills, languages and capacity per channel")
    g.add_argument("id", type=int)
    g.add_argument("--skills", type=_pairs, help="skill=proficiency (1-5), comma-separated; replaces all")
    g.add_argument("--languages", help="comma-separated language codes (ar,en); replaces all")
    g.add_argument("--capacity", type=_pairs, help="channel=tickets at once, comma-separated")
    t = sub.add_parser("create-token", help="create a bearer token; prints the secret once")
    t.add_argument("--role", required=True, choices=["integration", "agent", "supervisor"])
    t.add_argument("--name", required=True, help="who or what uses it")
    t.add_argument("--channel", choices=CHANNELS, help="required for integration tokens")
    t.add_argument("--agent-id", type=int, help="required for agent tokens")
    t.add_argument(
        "--expires-in",
        type=_lifetime,
        help="how long it lives: 90d, 12h, 2w, ... (default: integration 365d, agent and supervisor 30d)",
    )
    t.add_argument(
        "--backfill",
        action="store_true",
        help="may date occurred_at anywhere after a ticket's last event (imports, replays, simulation)",
    )
    shown = t.add_mutually_exclusive_group()
    shown.add_argument("--quiet", action="store_true", help="print only the secret (for $(...))")
    shown.add_argument("--json", action="store_true", help="print id, role, expiry and secret as JSON")
    sub.add_parser(
        "list-tokens",
        help="list tokens, never their secrets: id, name, role, channel, agent, created, expires, "
        "last used, backfill, state",
    )
    r = sub.add_parser("revoke-token", help="revoke a token by id: every gateway process refuses it at once")
    r.add_argument("id", type=int)
    e = sub.add_parser(
        "export-corrections",
        help='agents\' queue corrections as JSONL {"text", "queue"} (the final queue of each ticket)',
    )
    e.add_argument("--since", type=_aware, help="only those recorded since (ISO 8601; UTC if no offset)")
    x = sub.add_parser("set-escalation-queue", help="where a queue's tickets go when they breach their SLA")
    x.add_argument("queue")
    x.add_argument("target", help="a queue name, or 'none' to keep breached tickets where they are")
    n = sub.add_parser("set-queue-names", help="a queue's display names on the pages and in the API")
    n.add_argument("queue")
    n.add_argument("--ar", required=True, help="the name in Arabic")
    n.add_argument("--en", required=True, help="the name in English")
    widget_keys.add_parsers(sub, _lifetime)
    s = sub.add_parser("add-supervisor", help="who hears of a queue's SLA warnings, breaches, low scores")
    s.add_argument("queue")
    s.add_argument("--channel", required=True, choices=CHANNELS)
    s.add_argument("--address", required=True, help="phone number, e-mail address, app user id, ...")
    s.add_argument("--name", default="")
    return parser


def _pairs(value: str) -> dict[str, int]:
    pairs = {}
    for item in filter(None, (part.strip() for part in value.split(","))):
        name, _, number = item.partition("=")
        if not number.isdigit():
            raise argparse.ArgumentTypeError(f"{item!r} is not name=number")
        pairs[name.strip()] = int(number)
    return pairs


def _lifetime(value: str) -> timedelta:
    try:
        return tokens.lifetime(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _aware(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _fail(message: str, code: int = 2) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code


def _print_rows(rows: Iterable[Sequence[object]]) -> int:
    for row in rows:
        print("\t".join(map(str, row)))
    return 0


def _create_queue(conn: Connection[Any], args: argparse.Namespace) -> int:
    print(f"queue {args.name} id={queues.create(conn, args.name, args.description)}")
    return 0


def _create_agent(conn: Connection[Any], args: argparse.Namespace) -> int:
    names = [n.strip() for n in args.queues.split(",") if n.strip()]
    try:
        agent_id = agents.create(conn, args.name, args.email, names)
    except LookupError as exc:
        return _fail(str(exc))
    print(agent_id if args.quiet else f"agent {args.name} id={agent_id} queues={','.join(names)}")
    return 0


def _set_agent(conn: Connection[Any], args: argparse.Namespace) -> int:
    try:
        if args.skills is not None:
            agent_skills.set_all_sync(conn, args.id, args.skills)
        if args.languages is not None:
            languages = [lang.strip() for lang in args.languages.split(",") if lang.strip()]
            agent_languages.set_all_sync(conn, args.id, languages)
        if args.capacity is not None:
            agent_capacity.set_sync(conn, args.id, args.capacity)
    except psycopg.errors.IntegrityError as exc:  # unknown agent, channel, or out of range
        return _fail(str(exc.diag.message_primary))
    print(f"agent {args.id} updated")
    return 0


def _create_token(conn: Connection[Any], args: argparse.Namespace) -> int:
    if (args.role == "integration") != (args.channel is not None):
        return _fail("--channel is required for integration tokens and only for them")
    if (args.role == "agent") != (args.agent_id is not None):
        return _fail("--agent-id is required for agent tokens and only for them")
    secret = tokens.new_token()
    expires_at = datetime.now(UTC) + (args.expires_in or tokens.DEFAULT_LIFETIMES[args.role])
    credential_id = api_credentials.create(
        conn,
        name=args.name,
        role=args.role,
        token_hash=tokens.digest(secret),
        expires_at=expires_at,
        channel=args.channel,
        agent_id=args.agent_id,
        backfill=args.backfill,
    )
    flags = " backfill" if args.backfill else ""
    expires = expires_at.isoformat(timespec="seconds")
    if args.json:
        shown = {"id": credential_id, "role": args.role, "backfill": args.backfill}
        print(json.dumps({**shown, "expires_at": expires, "secret": secret}))
        return 0
    if not args.quiet:
        print(
            f"token id={credential_id} role={args.role}{flags} expires={expires}; "
            "the secret is shown only now:"
        )
    print(secret)
    return 0


def _revoke_token(conn: Connection[Any], args: argparse.Namespace) -> int:
    if not api_credentials.revoke(conn, args.id):
        return _fail(f"no active token {args.id}", code=1)
    print(f"token {args.id} revoked")
    return 0


def _set_escalation_queue(conn: Connection[Any], args: argparse.Namespace) -> int:
    target = None if args.target == "none" else args.target
    if not queues.set_escalation_queue(conn, args.queue, target):
        return _fail(f"unknown queue {args.queue!r} or {args.target!r}")
    print(f"queue {args.queue}: breached tickets go to {args.target}")
    return 0


def _set_queue_names(conn: Connection[Any], args: argparse.Namespace) -> int:
    if not queues.set_display_names(conn, args.queue, args.ar, args.en):
        return _fail(f"unknown queue {args.queue!r}")
    print(f"queue {args.queue}: {args.ar} / {args.en}")
    return 0


def _add_supervisor(conn: Connection[Any], args: argparse.Namespace) -> int:
    if not queue_supervisors.add_by_queue_name_sync(conn, args.queue, args.channel, args.address, args.name):
        return _fail(f"unknown queue {args.queue!r}")
    print(f"queue {args.queue}: supervisor {args.address} ({args.channel})")
    return 0


def _export_corrections(conn: Connection[Any], args: argparse.Namespace) -> int:
    for text, queue in classifier_corrections.export_sync(conn, args.since):
        print(json.dumps({"text": text, "queue": queue}, ensure_ascii=False))
    return 0


# Each sub-command's handler: it prints its result and returns the exit status.
COMMANDS: dict[str, Callable[[Connection[Any], argparse.Namespace], int]] = {
    "create-queue": _create_queue,
    "list-queues": lambda conn, _: _print_rows(queues.list_all(conn)),
    "create-agent": _create_agent,
    "list-agents": lambda conn, _: _print_rows(agents.list_all(conn)),
    "set-agent": _set_agent,
    "create-token": _create_token,
    "list-tokens": lambda conn, _: _print_rows(api_credentials.list_all(conn)),
    "revoke-token": _revoke_token,
    "set-escalation-queue": _set_escalation_queue,
    "set-queue-names": _set_queue_names,
    "add-supervisor": _add_supervisor,
    "export-corrections": _export_corrections,
    "create-widget-key": widget_keys.create,
    "list-widget-keys": widget_keys.list_all,
}


def run(argv: list[str], database_url: str) -> int:
    args = _parser().parse_args(argv)
    with psycopg.connect(database_url, autocommit=True) as conn:
        return COMMANDS[args.command](conn, args)


def database_url(environ: Mapping[str, str]) -> str | None:
    """DATABASE_URL, or else the database of the stack `make run` runs from this folder."""
    return environ.get("DATABASE_URL") or run_env.read(run_env.path(environ)).get("DATABASE_URL")


def main() -> int:
    url = database_url(os.environ)
    if not url:
        print(
            f"DATABASE_URL is not set and no stack is running here ({run_env.path(os.environ)} is missing): "
            "start one with `make run`, or set DATABASE_URL",
            file=sys.stderr,
        )
        return 2
    return run(sys.argv[1:], url)


if __name__ == "__main__":
    sys.exit(main())
