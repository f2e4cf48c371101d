"""The stack's side of a run: seats (agents serving every queue) and back-fill tokens, made with the
admin CLI (`python -m services.admin`, the operator's own tool), saved as JSON for `--tokens`."""

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from services.simulate.driver import Credentials
from services.simulate.presets import CHANNELS

# Tickets a seat may hold at once per channel: seats stand for the whole centre, so they never run out.
SEAT_CAPACITY = 500
# Admin commands run side by side (each is a short process).
PARALLEL = 4


def admin(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "services.admin", *args], env=env, capture_output=True, text=True, timeout=120
    )
    if done.returncode != 0:
        raise RuntimeError(f"services.admin {' '.join(args[:2])}: {done.stderr.strip()}")
    return done.stdout.strip()


def provision(env: dict[str, str], seats: int, tag: str) -> Credentials:
    queues = [line.split("\t")[1] for line in admin(env, "list-queues").splitlines() if "\t" in line]
    capacity = ",".join(f"{c}={SEAT_CAPACITY}" for c in CHANNELS)

    def seat(n: int) -> str:
        name = f"Seat {n} ({tag})"
        agent_id = admin(env, "create-agent", name, "--queues", ",".join(queues), "--quiet").splitlines()[-1]
        admin(env, "set-agent", agent_id, "--languages", "ar,en", "--capacity", capacity)
        return token(env, "--role", "agent", "--agent-id", agent_id, "--name", name)

    with ThreadPoolExecutor(PARALLEL) as pool:
        agents = tuple(pool.map(seat, range(1, seats + 1)))
        keys = dict(
            zip(
                CHANNELS,
                pool.map(
                    lambda c: token(env, "--role", "integration", "--channel", c, "--name", f"simulator {c}"),
                    CHANNELS,
                ),
                strict=True,
            )
        )
    supervisor = token(env, "--role", "supervisor", "--name", f"simulator ({tag})")
    return Credentials(keys, agents, supervisor)


def token(env: dict[str, str], *args: str) -> str:
    return admin(env, "create-token", *args, "--backfill", "--quiet").splitlines()[-1]


def save(credentials: Credentials, path: Path) -> None:
    path.write_text(
        json.dumps(
            {
                "integrations": credentials.integrations,
                "agents": list(credentials.agents),
                "supervisor": credentials.supervisor,
            },
            indent=2,
        ),
        encoding="utf-8",
    )
    path.chmod(0o600)


def load(path: Path) -> Credentials:
    raw = json.loads(path.read_text(encoding="utf-8"))
    return Credentials(dict(raw["integrations"]), tuple(raw["agents"]), str(raw["supervisor"]))
