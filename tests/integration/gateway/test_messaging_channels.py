"""The telephony and messaging webhooks as the platforms post them: Twilio's signed forms (voice and
SMS / WhatsApp) and Meta's signed WhatsApp Cloud JSON; forged, stale and replayed requests change
nothing; one caller who also writes is one customer; replies go out through an injected sender."""

import json
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx
import psycopg
import pytest

from gateway.http.provider_signatures import meta_signature, twilio_signature
from services.shared.channels import ChannelSettings, TwilioChannel, WhatsAppChannel
from services.shared.db import open_pool
from services.shared.store import outbound_messages
from services.shared.store.outbound_messages import NewMessage
from services.workers import messaging_delivery
from services.workers.messaging_senders import OutgoingText, SendFailed
from services.workers.settings import WorkerSettings
from tests.fixtures.gateway import Gateway, unused_port

pytestmark = pytest.mark.integration

PUBLIC = "https://centre.example"  # what Twilio called; the gateway itself listens on 127.0.0.1
ACCOUNT = "AC" + "1" * 32
AUTH_TOKEN = "test-auth-token"
CENTRE = "+97145550100"
CALLER = "+971501234567"
APP_SECRET = "test-app-secret"
VERIFY = "verify-me"
PHONE_ID = "1098765"
CHANNELS = ChannelSettings(
    twilio=TwilioChannel(account_sid=ACCOUNT, auth_token=AUTH_TOKEN, numbers=frozenset({CENTRE})),
    whatsapp=WhatsAppChannel(verify_token=VERIFY, app_secret=APP_SECRET, phone_number_id=PHONE_ID),
)


@pytest.fixture
def gw(start_gateway: Callable[..., Gateway]) -> Gateway:
    return start_gateway(
        classifier_addr=f"127.0.0.1:{unused_port()}",
        metrics_addr=f"127.0.0.1:{unused_port()}",
        channels=CHANNELS,
        public_url=PUBLIC,
    )


def twilio_post(
    gw: Gateway, path: str, form: dict[str, str], token: str = AUTH_TOKEN, sign: bool = True
) -> httpx.Response:
    headers = {"X-Twilio-Signature": twilio_signature(token, PUBLIC + path, form)} if sign else {}
    with httpx.Client(base_url=gw.url, timeout=10) as client:
        return client.post(path, data=form, headers=headers)


def call(sid: str, status: str, at: datetime | None = None, **extra: str) -> dict[str, str]:
    return {
        "AccountSid": ACCOUNT,
        "CallSid": sid,
        "CallStatus": status,
        "From": "050 123 4567",  # as a local switch may write it: region AE
        "To": CENTRE,
        "Timestamp": format_datetime(at or datetime.now(UTC)),
        **extra,
    }


def sms(sid: str, body: str, sender: str = "+971 50 123 4567") -> dict[str, str]:
    return {
        "AccountSid": ACCOUNT,
        "MessageSid": sid,
        "From": sender,
        "To": CENTRE,
        "Body": body,
        "NumMedia": "0",
    }


def rows(gw: Gateway, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with psycopg.connect(gw.database_url) as conn:
        return conn.execute(sql, params).fetchall()


def sid(prefix: str) -> str:
    return prefix + uuid.uuid4().hex


def test_a_call_opens_the_phone_ticket_and_its_abandonment_is_dated_by_the_switch(gw: Gateway) -> None:
    call_sid = sid("CA")
    offered = datetime.now(UTC) - timedelta(minutes=5)
    hung_up = offered + timedelta(seconds=95)
    first = twilio_post(gw, "/v1/channels/twilio/voice", call(call_sid, "queued", offered, Digits="2"))
    assert first.status_code == 201, first.text
    ticket = first.json()["ticket_id"]
    again = twilio_post(gw, "/v1/channels/twilio/voice", call(call_sid, "queued", offered, Digits="2"))
    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    ended = twilio_post(gw, "/v1/channels/twilio/voice", call(call_sid, "no-answer", hung_up))
    assert ended.json() == {"status": "abandoned", "ticket_id": ticket, "ticket_status": "abandoned"}
    replay = twilio_post(gw, "/v1/channels/twilio/voice", call(call_sid, "no-answer", hung_up))
    assert replay.status_code == 200 and replay.json()["status"] == "duplicate"
    ((body, external, channel),) = rows(
        gw, "SELECT body, external_id, channel FROM tickets WHERE id = %s", ticket
    )
    assert (body, external, channel) == ("IVR choice: 2", call_sid, "phone")
    events = rows(gw, "SELECT type, occurred_at FROM ticket_events WHERE ticket_id = %s ORDER BY id", ticket)
    assert [e for e, _ in events].count("abandoned") == 1
    assert dict(events)["abandoned"] == hung_up.replace(microsecond=0)
    assert dict(events)["created"] == offered.replace(microsecond=0)


def test_an_agent_who_claimed_the_call_answers_it_at_the_switchs_time(gw: Gateway) -> None:
    call_sid = sid("CA")
    assert twilio_post(gw, "/v1/channels/twilio/voice", call(call_sid, "ringing")).status_code == 201
    _, agent_token = gw.agent(["triage"], "Agent")
    with gw.client(agent_token) as client:
        assert client.post("/v1/agent/claim", json={}).status_code == 200
    connected = datetime.now(UTC)  # sent to the second: may read as just before the claim
    answered = twilio_post(gw, "/v1/channels/twilio/voice", call(call_sid, "in-progress", connected))
    assert answered.json()["status"] == "answered", answered.text
    done = twilio_post(gw, "/v1/channels/twilio/voice", call(call_sid, "completed", CallDuration="60"))
    assert done.json()["status"] == "noted" and done.json()["ticket_status"] == "answered"


@pytest.mark.parametrize("how", ["wrong token", "unsigned", "another account", "tampered", "stale"])
def test_a_forged_or_stale_callback_changes_nothing(gw: Gateway, how: str) -> None:
    form = call(sid("CA"), "queued")
    path = "/v1/channels/twilio/voice"
    if how == "wrong token":
        answer = twilio_post(gw, path, form, token="not-the-token")
    elif how == "unsigned":
        answer = twilio_post(gw, path, form, sign=False)
    elif how == "another account":
        answer = twilio_post(gw, path, {**form, "AccountSid": "AC" + "2" * 32})
    elif how == "tampered":
        headers = {"X-Twilio-Signature": twilio_signature(AUTH_TOKEN, PUBLIC + path, form)}
        with httpx.Client(base_url=gw.url, timeout=10) as client:
            answer = client.post(path, data={**form, "From": "+971509999999"}, headers=headers)
    else:
        answer = twilio_post(gw, path, call(form["CallSid"], "queued", datetime.now(UTC) - timedelta(days=2)))
    assert answer.status_code == (422 if how == "stale" else 403), answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert rows(gw, "SELECT count(*) FROM tickets") == [(0,)]


def test_a_caller_who_then_writes_is_one_customer_and_a_follow_up_joins_the_open_ticket(gw: Gateway) -> None:
    assert twilio_post(gw, "/v1/channels/twilio/voice", call(sid("CA"), "queued")).status_code == 201
    first = twilio_post(gw, "/v1/channels/twilio/messages", sms(sid("SM"), "My card is blocked"))
    assert first.status_code == 200 and first.headers["content-type"].startswith("text/xml"), first.text
    assert first.headers["X-Intake-Status"] == "created"
    message_sid = sid("SM")
    follow = twilio_post(
        gw, "/v1/channels/twilio/messages", sms(message_sid, "still blocked", "00971501234567")
    )
    assert follow.headers["X-Intake-Status"] == "joined"
    assert follow.headers["X-Ticket-Id"] == first.headers["X-Ticket-Id"]
    replay = twilio_post(
        gw, "/v1/channels/twilio/messages", sms(message_sid, "still blocked", "00971501234567")
    )
    assert replay.headers["X-Intake-Status"] == "duplicate"
    tickets = rows(gw, "SELECT channel, customer_id FROM tickets ORDER BY id")
    assert [c for c, _ in tickets] == ["phone", "chat"]
    assert len({customer for _, customer in tickets}) == 1
    assert rows(gw, "SELECT kind, value, verified FROM customer_identities") == [("phone", CALLER, True)]
    joined = rows(
        gw,
        "SELECT count(*) FROM ticket_events WHERE ticket_id = %s AND type = 'customer_message'",
        int(first.headers["X-Ticket-Id"]),
    )
    assert joined == [(1,)]


def test_a_whatsapp_message_via_twilio_is_its_own_conversation(gw: Gateway) -> None:
    by_sms = twilio_post(gw, "/v1/channels/twilio/messages", sms(sid("SM"), "hello"))
    by_wa = twilio_post(
        gw,
        "/v1/channels/twilio/messages",
        sms(sid("SM"), "hello again", f"whatsapp:{CALLER}") | {"To": f"whatsapp:{CENTRE}"},
    )
    assert by_wa.headers["X-Intake-Status"] in ("created", "joined")
    threads = rows(gw, "SELECT transport FROM messaging_threads ORDER BY ticket_id")
    assert by_sms.headers["X-Intake-Status"] == "created"
    assert "sms" in [t for (t,) in threads]


def cloud_event(message_id: str, text: str, at: datetime | None = None, wa_id: str = "971501234567") -> bytes:
    moment = int((at or datetime.now(UTC)).timestamp())
    payload = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "WABA",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {"display_phone_number": "97145550100", "phone_number_id": PHONE_ID},
                            "contacts": [{"profile": {"name": "Sara"}, "wa_id": wa_id}],
                            "messages": [
                                {
                                    "from": wa_id,
                                    "id": message_id,
                                    "timestamp": str(moment),
                                    "type": "text",
                                    "text": {"body": text},
                                }
                            ],
                        },
                    }
                ],
            }
        ],
    }
    return json.dumps(payload).encode()


def cloud_post(gw: Gateway, body: bytes, signature: str | None) -> httpx.Response:
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["X-Hub-Signature-256"] = signature
    with httpx.Client(base_url=gw.url, timeout=10) as client:
        return client.post("/v1/channels/whatsapp", content=body, headers=headers)


def test_the_whatsapp_handshake_answers_the_challenge_only_for_the_right_token(gw: Gateway) -> None:
    with httpx.Client(base_url=gw.url, timeout=10) as client:
        good = client.get(
            "/v1/channels/whatsapp",
            params={"hub.mode": "subscribe", "hub.verify_token": VERIFY, "hub.challenge": "1158201444"},
        )
        bad = client.get(
            "/v1/channels/whatsapp",
            params={"hub.mode": "subscribe", "hub.verify_token": "nope", "hub.challenge": "1"},
        )
    assert (good.status_code, good.text) == (200, "1158201444")
    assert bad.status_code == 403


def test_whatsapp_cloud_events_signed_forged_stale_and_replayed(gw: Gateway) -> None:
    body = cloud_event("wamid." + uuid.uuid4().hex, "بطاقتي محجوبة")
    forged = cloud_post(gw, body, meta_signature("someone-else", body))
    missing = cloud_post(gw, body, None)
    assert (forged.status_code, missing.status_code) == (403, 403)
    assert rows(gw, "SELECT count(*) FROM tickets") == [(0,)]
    taken = cloud_post(gw, body, meta_signature(APP_SECRET, body))
    assert taken.status_code == 200 and taken.json()["messages"][0]["status"] == "created", taken.text
    again = cloud_post(gw, body, meta_signature(APP_SECRET, body))
    assert again.json()["messages"][0]["status"] == "duplicate"
    stale = cloud_event("wamid." + uuid.uuid4().hex, "old", datetime.now(UTC) - timedelta(days=3))
    refused = cloud_post(gw, stale, meta_signature(APP_SECRET, stale))
    assert refused.json()["messages"][0] == {
        "id": json.loads(stale)["entry"][0]["changes"][0]["value"]["messages"][0]["id"],
        "status": "refused",
        "reason": "stale",
    }
    assert rows(gw, "SELECT channel, body FROM tickets") == [("chat", "بطاقتي محجوبة")]
    assert rows(gw, "SELECT transport, customer, centre FROM messaging_threads") == [
        ("whatsapp_cloud", CALLER, PHONE_ID)
    ]


class FakeSender:
    def __init__(self, fail: SendFailed | None = None) -> None:
        self.sent: list[OutgoingText] = []
        self.fail = fail

    def send(self, text: OutgoingText) -> str:
        if self.fail is not None:
            raise self.fail
        self.sent.append(text)
        return "SM-out"


def test_replies_go_back_the_way_the_customer_wrote_through_the_sender(gw: Gateway) -> None:
    first = twilio_post(gw, "/v1/channels/twilio/messages", sms(sid("SM"), "need help"))
    # Another customer: the same one's open chat ticket would take this message in as well.
    body = cloud_event("wamid." + uuid.uuid4().hex, "مرحبا", wa_id="971507654321")
    cloud = cloud_post(gw, body, meta_signature(APP_SECRET, body)).json()["messages"][0]["ticket_id"]
    by_sms = int(first.headers["X-Ticket-Id"])
    settings = replace(
        WorkerSettings.from_env({"DATABASE_URL": gw.database_url, "BROKER_URL": "amqp://unused//"}),
        channels=CHANNELS,
    )
    with open_pool(gw.database_url, min_size=1, max_size=2, name="test") as pool:
        with pool.connection() as conn:
            for ticket in (by_sms, cloud):
                outbound_messages.insert_sync(
                    conn, NewMessage("chat", "reply", f"reply {ticket}", ticket_id=ticket)
                )
            # A chat ticket of the widget (no conversation of a provider) is not the sweep's.
            outbound_messages.insert_sync(conn, NewMessage("chat", "reply", "not mine"))
        failing = FakeSender(SendFailed("Twilio 400: not a mobile number", permanent=True))
        assert messaging_delivery.sweep(pool, settings, failing) == 0
        assert rows(gw, "SELECT count(*) FROM outbound_messages WHERE failed_at IS NOT NULL") == [(2,)]
        with pool.connection() as conn:
            conn.execute("UPDATE outbound_messages SET failed_at = NULL, next_attempt_at = NULL")
        sender = FakeSender()
        assert messaging_delivery.sweep(pool, settings, sender) == 2
        assert messaging_delivery.sweep(pool, settings, sender) == 0
    assert sorted(sender.sent, key=lambda t: t.transport) == [
        OutgoingText("sms", CALLER, CENTRE, f"reply {by_sms}"),
        OutgoingText("whatsapp_cloud", "+971507654321", PHONE_ID, f"reply {cloud}"),
    ]
