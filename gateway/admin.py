"""Admin CLI: create queues, agents and tokens (a token's secret is printed once, never stored).

python -m gateway.admin create-queue billing --description "Bills and payments"
python -m gateway.admin create-agent "Sara Ali" --email sara@example.com --queues cards,general
python -m gateway.admin set-agent 1 --skills fraud=4,cards=2 --languages ar,en --capacity chat=4,phone=1
python -m gateway.admin create-token --role integration --channel phone --name "PBX"
PBX=$(python -m gateway.admin create-token --role integration --channel phone --name "PBX" --quiet)
python -m gateway.admin create-token --role agent --agent-id 1 --name "Sara's console" --expires-in 7d
python -m gateway.admin create-token --role supervisor --name "Import from the old system" --backfill
python -m gateway.admin list-tokens
python -m gateway.admin revoke-token 3
python -m gateway.admin export-corrections --since 2026-01-01 > corrections.jsonl
python -m gateway.admin set-escalation-queue cards disputes_fraud
python -m gateway.admin add-supervisor cards --channel email --address lead@bank.example --name "Card lead"

The database is DATABASE_URL; without it, that of the stack `make run` runs from this folder (it
writes `.run/env`, or `$STACK_RUN_DIR/env`, while it runs).
"""

import argparse
import json
import os
import sys
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

import psycopg

from gateway import tokens
from services.shared import run_env
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
        prog="python -m gateway.admin",
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


def run(argv: list[str], database_url: str) -> int:
    args = _parser().parse_args(argv)
    with psycopg.connect(database_url, autocommit=True) as conn:
        if args.command == "create-queue":
            print(f"queue {args.name} id={queues.create(conn, args.name, args.description)}")
        elif args.command == "list-queues":
            for row in queues.list_all(conn):
                print("\t".join(map(str, row)))
        elif args.command == "create-agent":
            names = [n.strip() for n in args.queues.split(",") if n.strip()]
            try:
                agent_id = agents.create(conn, args.name, args.email, names)
            except LookupError as exc:
                print(f"error: {exc}", file=sys.stderr)
                return 2
            print(agent_id if args.quiet else f"agent {args.name} id={agent_id} queues={','.join(names)}")
        elif args.command == "list-agents":
            for row in agents.list_all(conn):
                print("\t".join(map(str, row)))
        elif args.command == "set-agent":
            try:
                if args.skills is not None:
                    agent_skills.set_all_sync(conn, args.id, args.skills)
                if args.languages is not None:
                    languages = [lang.strip() for lang in args.languages.split(",") if lang.strip()]
                    agent_languages.set_all_sync(conn, args.id, languages)
                if args.capacity is not None:
                    agent_capacity.set_sync(conn, args.id, args.capacity)
            except psycopg.errors.IntegrityError as exc:  # unknown agent, channel, or out of range
                print(f"error: {exc.diag.message_primary}", file=sys.stderr)
                return 2
            print(f"agent {args.id} updated")
        elif args.command == "create-token":
            if (args.role == "integration") != (args.channel is not None):
                print(
                    "error: --channel is required for integration tokens and only for them", file=sys.stderr
                )
                return 2
            if (args.role == "agent") != (args.agent_id is not None):
                print("error: --agent-id is required for agent tokens and only for them", file=sys.stderr)
                return 2
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
        elif args.command == "list-tokens":
            for row in api_credentials.list_all(conn):
                print("\t".join(map(str, row)))
        elif args.command == "revoke-token":
            if not api_credentials.revoke(conn, args.id):
                print(f"error: no active token {args.id}", file=sys.stderr)
                return 1
            print(f"token {args.id} revoked")
        elif args.command == "set-escalation-queue":
            target = None if args.target == "none" else args.target
            if not queues.set_escalation_queue(conn, args.queue, target):
                print(f"error: unknown queue {args.queue!r} or {args.target!r}", file=sys.stderr)
                return 2
            print(f"queue {args.queue}: breached tickets go to {args.target}")
        elif args.command == "add-supervisor":
            if not queue_supervisors.add_by_queue_name_sync(
                conn, args.queue, args.channel, args.address, args.name
            ):
                print(f"error: unknown queue {args.queue!r}", file=sys.stderr)
                return 2
            print(f"queue {args.queue}: supervisor {args.address} ({args.channel})")
        elif args.command == "export-corrections":
            for text, queue in classifier_corrections.export_sync(conn, args.since):
                print(json.dumps({"text": text, "queue": queue}, ensure_ascii=False))
    return 0


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
