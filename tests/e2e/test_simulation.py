"""The simulator through the whole stack: two days of the seed year at a fifth of its volume, every
event back-dated by back-fill tokens (the survey replies too, to the invitations the workers sent);
the stack's figures equal the model's own, happiness included, and a rebuild from events
(`python -m services.metrics rebuild`) gives the same figures again."""

import asyncio
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from services.simulate import compare, figures, launch, model, provision, texts
from services.simulate.driver import Credentials, Driver
from services.simulate.http_client import Client
from services.simulate.presets import CENTRE_2024
from tests.e2e.stack import running_stack, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.integration, pytest.mark.timeout(600)]

ZONE = "Asia/Dubai"


def _kpis(url: str, credentials: Credentials, period: dict[str, str]) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {credentials.supervisor}"}
    response = httpx.get(f"{url}/v1/metrics/kpis", params=period, headers=headers, timeout=60)
    response.raise_for_status()
    found: dict[str, Any] = response.json()
    return found


def _caught_up(url: str) -> bool:
    return httpx.get(f"{url}/readyz", timeout=5).json()["metrics_follower"]["events_behind"] == 0


def test_two_simulated_days_through_the_stack_count_as_the_model_counts(
    tmp_path: Path, database_url: str, broker_url: str, default_model_path: Path
) -> None:
    year = model.simulate(CENTRE_2024.scaled(0.3), ZoneInfo(ZONE), texts.load(), seed=3, days=2)
    # The sample (this seed) has every kind of contact the stack is asked to play.
    contacts = year.contacts
    assert any(c.self_served and c.human_at is None for c in contacts)
    assert any(c.human_at is not None for c in contacts)
    assert any(c.abandoned_at is not None for c in contacts)
    assert any(c.transfer_at is not None for c in contacts)
    assert any(c.quality_score is not None for c in contacts)
    assert any(c.survey_score is not None for c in contacts)
    asked = sum(1 for c in contacts if c.self_served or c.human_at is not None)
    run_dir = tmp_path / "run"
    extra = {
        **launch.settings(run_dir, ZONE),
        "MODEL_PATH": default_model_path,
        "DATABASE_URL": database_url,
        "BROKER_URL": broker_url,
        "CELERY_QUEUE_PREFIX": f"sim-{uuid.uuid4().hex[:8]}.",
    }
    with running_stack(run_dir, extra) as stack:
        credentials = provision.provision(stack.env, seats=3, tag="e2e")

        async def replay() -> None:
            async with Client(stack.url, connections=16) as client:
                tally = await Driver(client, credentials, year.period, "e2e", concurrency=16).run(
                    year.contacts
                )
            # The stack's classifier decides self-service; now and then it leaves a frequent question
            # to a person, and the simulator plays it so (the model's contact follows).
            assert len(tally.mismatches) <= max(2, asked // 10), tally.mismatches
            assert sum(tally.outcomes.values()) == len(year.contacts)

        asyncio.run(replay())
        wait_for("the metrics service to count every event", lambda: _caught_up(stack.url), 120, stack.log)
        period = {"from": year.period.start.isoformat(), "to": year.period.end.isoformat()}
        followed = _kpis(stack.url, credentials, period)
        own = figures.figures(year.contacts, 0, year.period.seconds(year.period.end))
        # Happiness too: the workers sent the invitations, the driver answered them, dated.
        assert compare.differences(followed, own) == []
        assert followed["offered"] > 0 and followed["abandoned"] > 0 and followed["self_served"] > 0
        assert (followed["survey_replies"], followed["csat"]) == (own["survey_replies"], own["csat"])
        assert followed["survey_replies"] > 0

        rebuilt = subprocess.run(
            [sys.executable, "-m", "services.metrics", "rebuild"],
            # The rebuild serves nothing, but reads the metrics service's settings, which ask for one.
            env={**stack.env, "INTERNAL_GRPC_TOKEN": "0" * 64},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert rebuilt.returncode == 0, rebuilt.stderr
        again = _kpis(stack.url, credentials, period)
    # When the figures were read, not what they are.
    for volatile in ("generated_at", "recorded_through"):
        followed.pop(volatile, None)
        again.pop(volatile, None)
    assert again == followed
