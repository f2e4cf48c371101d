"""SLA policies (services/shared/sla.py): loading, lookup by channel and priority, deadlines."""

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from services.shared import sla
from services.shared.domain import Priority

RIYADH = ZoneInfo("Asia/Riyadh")
SHIPPED = sla.load()


def write(tmp_path: Path, document: dict[str, object]) -> Path:
    path = tmp_path / "sla.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return path


def test_the_shipped_policies_load_and_the_most_specific_entry_wins():
    assert SHIPPED.first_response_time("phone", Priority.NORMAL) == timedelta(seconds=60)
    assert SHIPPED.first_response_time("email", Priority.NORMAL) == timedelta(hours=4)
    assert SHIPPED.first_response_time("email", Priority.URGENT) == timedelta(minutes=30)
    assert SHIPPED.targets_for("web", Priority.LOW).resolution == timedelta(days=2)


def test_written_channels_count_office_hours_in_riyadh():
    # An e-mail on Thursday 16:00 Riyadh: 1 h that day, Friday closed, 3 h on Saturday (10:00-13:00).
    start = datetime(2026, 3, 5, 16, 0, tzinfo=RIYADH)
    due = SHIPPED.deadlines("email", Priority.NORMAL, start)
    assert due.first_response_due_at == datetime(2026, 3, 7, 13, 0, tzinfo=RIYADH)
    # The warning comes at 80% of the 4 hours: 3 h 12 min of open time.
    assert due.warn_at == datetime(2026, 3, 7, 12, 12, tzinfo=RIYADH)


def test_live_channels_count_every_moment():
    start = datetime(2026, 3, 6, 23, 0, tzinfo=UTC)
    due = SHIPPED.deadlines("phone", Priority.NORMAL, start)
    assert due.first_response_due_at == start + timedelta(seconds=60)
    assert due.resolution_due_at == start + timedelta(hours=8)


def test_unsure_routings_have_their_own_tighter_rule():
    start = datetime(2026, 3, 6, 23, 0, tzinfo=UTC)
    assert SHIPPED.deadlines("phone", 2, start, "low_confidence").first_response_due_at == start + timedelta(
        seconds=30
    )
    assert SHIPPED.deadlines("phone", 2, start, "matched").first_response_due_at == start + timedelta(
        seconds=60
    )


def test_level_two_comes_the_first_response_time_after_the_breach():
    breach = datetime(2026, 3, 6, 23, 0, tzinfo=UTC)
    assert SHIPPED.level_due(1, "phone", 2, breach, None) == breach
    assert SHIPPED.level_due(2, "phone", 2, breach, None) == breach + timedelta(seconds=60)
    assert SHIPPED.level_due(3, "phone", 2, breach, None) is None


def test_a_paused_clock_moves_the_deadline_by_the_open_time_it_stood_still():
    # Paused Sunday 09:00 with the deadline at 11:00 (2 open hours left); resumed Monday 16:30:
    # half an hour on Monday, 1.5 h on Tuesday morning.
    due = datetime(2026, 3, 1, 11, 0, tzinfo=RIYADH)
    moved = SHIPPED.resumed(
        "email",
        2,
        due,
        paused_at=datetime(2026, 3, 1, 9, 0, tzinfo=RIYADH),
        at=datetime(2026, 3, 2, 16, 30, tzinfo=RIYADH),
    )
    assert moved == datetime(2026, 3, 3, 9, 30, tzinfo=RIYADH)


def test_escalate_after_s_overrides_first_response_for_every_priority_of_a_channel():
    policies = sla.load(overrides="phone=30, chat=90")
    for priority in Priority:
        assert policies.first_response_time("phone", priority) == timedelta(seconds=30)
    assert policies.first_response_time("chat", 2) == timedelta(seconds=90)
    assert policies.targets_for("phone", 2).resolution == timedelta(hours=8)


@pytest.mark.parametrize("spec", ["fax=30", "phone=0", "phone=abc", "phone"])
def test_escalate_after_s_refuses_nonsense(spec: str):
    with pytest.raises(ValueError, match="ESCALATE_AFTER_S"):
        sla.load(overrides=spec)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"policies": {"phone": {"first_response": "1m", "resolution": "1h"}}}, "default entry"),
        ({"policies": {"*": {"first_response": "1m", "resolution": "1h"}, "fax": {}}}, "unknown channel"),
        (
            {"policies": {"*": {"first_response": "1m", "resolution": "1h"}, "phone/vip": {}}},
            "unknown priority",
        ),
        (
            {"policies": {"*": {"first_response": "1m", "resolution": "1h", "calendar": "moon"}}},
            "unknown calendar",
        ),
        ({"policies": {"*": {"first_response": "soon", "resolution": "1h"}}}, "duration"),
        ({"policies": {"*": {"first_response": "0s", "resolution": "1h"}}}, "above zero"),
        ({"policies": {"*": {"resolution": "1h"}}}, "missing"),
        ({"policies": {"*": {"first_response": "1m", "resolution": "1h"}}, "warning_at": 1.5}, "warning_at"),
        ({"calendars": {"x": {"timezone": "Nowhere/Land"}}, "policies": {}}, "calendar 'x'"),
        ({"policy": {}}, "unknown keys"),
    ],
)
def test_a_bad_policies_file_is_refused_with_the_reason(
    tmp_path: Path, document: dict[str, object], message: str
):
    with pytest.raises(ValueError, match=message):
        sla.load(write(tmp_path, document))


def test_escalation_raises_priority():
    assert sla.escalated_priority(Priority.NORMAL, 1) == Priority.HIGH
    assert sla.escalated_priority(Priority.URGENT, 1) == Priority.URGENT
    assert sla.escalated_priority(Priority.LOW, 2) == Priority.URGENT
