"""The proactive messages' policy without I/O: settings read, language chosen, what goes and what it says."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from services.shared.channels import ChannelSettings
from services.shared.proactive import policy
from services.shared.proactive.settings import KINDS, ProactiveSettings, parse_suppressed
from services.shared.settings import Env, SettingsError

DUBAI = ZoneInfo("Asia/Dubai")


def test_settings_from_the_environment_per_channel_and_suppressed() -> None:
    read = ChannelSettings.from_env(
        {
            "PROACTIVE_WAIT_NOTICE_S": "900",
            "PROACTIVE_WAIT_NOTICE_S_CHAT": "120",
            "PROACTIVE_WAIT_NOTICE_S_EMAIL": "0",
            "PROACTIVE_SUPPRESS": "phone, email:taken",
            "PROACTIVE_RETURNING_DAYS": "30",
        }
    ).proactive
    assert (read.wait_s("chat"), read.wait_s("email"), read.wait_s("web")) == (120, 0, 900)
    assert read.returning_days == 30
    assert not read.allows("phone", "resolved") and not read.allows("phone", "returning")
    assert not read.allows("email", "taken") and read.allows("email", "resolved")
    assert read.allows("chat", "wait")


def test_defaults_send_everything() -> None:
    read = ProactiveSettings.from_env(Env({}))
    assert read == ProactiveSettings()
    assert all(read.allows(channel, kind) for channel in ("phone", "chat", "email") for kind in KINDS)
    assert read.wait_s("mobile") == 600


@pytest.mark.parametrize(
    "environ",
    [
        {"PROACTIVE_SUPPRESS": "fax"},
        {"PROACTIVE_SUPPRESS": "chat:survey"},
        {"PROACTIVE_WAIT_NOTICE_S": "-1"},
        {"PROACTIVE_WAIT_NOTICE_S_CHAT": "soon"},
        {"PROACTIVE_SWEEP_S": "0"},
        {"PROACTIVE_RETURNING_DAYS": "-3"},
    ],
)
def test_a_setting_that_does_not_parse_stops_the_process(environ: dict[str, str]) -> None:
    with pytest.raises(SettingsError, match="PROACTIVE_"):
        ProactiveSettings.from_env(Env(environ))


def test_suppressing_a_channel_means_every_kind_on_it() -> None:
    assert parse_suppressed(" Chat ,") == {("chat", k) for k in KINDS}
    assert parse_suppressed("") == frozenset()


@pytest.mark.parametrize(
    ("ticket", "customer", "chosen"),
    [("ar", "en", "ar"), ("en", "ar", "en"), ("und", "ar-AE", "ar"), ("und", None, "ar"), ("fr", None, "en")],
)
def test_the_language_is_the_tickets_then_the_customers_then_arabic(
    ticket: str, customer: str | None, chosen: str
) -> None:
    assert policy.language(ticket, customer) == chosen


@pytest.mark.parametrize(
    ("kind", "status", "expected"),
    [
        ("wait", "queued", "sent"),
        ("wait", "claimed", "stale"),
        ("taken", "answered", "sent"),
        ("taken", "queued", "sent"),  # taken, then given back: it was taken all the same
        ("taken", "resolved", "stale"),  # the resolution says more
        ("resolved", "resolved", "sent"),
        ("resolved", "queued", "stale"),  # reopened before the sweep came
        ("returning", "queued", "sent"),
        ("returning", "self_served", "sent"),
        ("returning", "claimed", "sent"),  # the sweep after a crash: still news while it is open
        ("returning", "resolved", "stale"),  # by the time the sweep came, it was over
    ],
)
def test_what_goes_by_kind_and_status(kind: str, status: str, expected: str) -> None:
    assert policy.outcome(kind, "chat", status, ProactiveSettings()) == expected


def test_a_suppressed_channel_is_suppressed_but_a_stale_one_stays_stale() -> None:
    off = ProactiveSettings(suppressed=parse_suppressed("chat"))
    assert policy.outcome("taken", "chat", "answered", off) == "suppressed"
    assert policy.outcome("taken", "chat", "resolved", off) == "stale"
    assert policy.outcome("taken", "email", "answered", off) == "sent"


def test_the_resolution_message_carries_the_customer_note_only() -> None:
    plain = policy.body("resolved", "en", ticket_id=7)
    noted = policy.body("resolved", "ar", ticket_id=7, note="  تم إيقاف البطاقة\n وإصدار بديلة ")
    assert plain == "Your request 7 has been resolved."
    assert noted == "تم حل طلبك رقم 7: تم إيقاف البطاقة وإصدار بديلة"
    assert len(policy.body("resolved", "en", ticket_id=7, note="x" * 5000)) < 1100


def test_the_returning_message_names_the_day_in_the_centres_calendar() -> None:
    # 22:30 UTC on 1 March is already 2 March in Dubai.
    late = datetime(2026, 3, 1, 22, 30, tzinfo=UTC)
    english = policy.body("returning", "en", ticket_id=41, resolved_at=late, zone=DUBAI)
    arabic = policy.body("returning", "ar", ticket_id=41, resolved_at=late, zone=DUBAI)
    assert "request 41" in english and "2 March 2026" in english
    assert "41" in arabic and "مارس" in arabic and "2" in arabic
    noted = policy.body(
        "returning", "en", ticket_id=41, note="Your card is on its way.", resolved_at=late, zone=DUBAI
    )
    assert "Your card is on its way." in noted and "March" not in noted


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("language", ["ar", "en"])
def test_every_kind_has_its_words_in_both_languages(kind: str, language: str) -> None:
    text = policy.body(kind, language, ticket_id=3, resolved_at=datetime(2026, 1, 5, tzinfo=UTC), zone=DUBAI)
    assert "3" in text and "{" not in text
