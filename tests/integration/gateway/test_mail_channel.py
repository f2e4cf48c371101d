"""The e-mail channel over HTTP (the inbound hook) and out over SMTP: real mail in, tickets, replies
threaded both ways, robots' mail dropped, hostile mail refused."""

from collections.abc import Callable, Iterator

import psycopg
import pytest

from services.shared.db import open_pool
from services.shared.store import outbound_messages
from services.shared.store.outbound_messages import NewMessage
from services.workers import mail_delivery
from tests.fixtures import mails
from tests.fixtures.gateway import Gateway
from tests.integration.gateway.helpers import assert_problem, counts, inquiry
from tests.integration.gateway.mail_helpers import Relay, mail_gateway, post_mail, ticket_rows


@pytest.fixture
def gw(start_gateway: Callable[..., Gateway]) -> Gateway:
    return mail_gateway(start_gateway)


@pytest.fixture
def relay() -> Iterator[Relay]:
    opened = Relay()
    yield opened
    opened.close()


def test_each_kind_of_mail_opens_a_ticket_with_its_text(gw: Gateway) -> None:
    token = gw.token("integration", channel="email")
    sent = {
        "alt": mails.alternative("alt@example.com", "plain words please", "<p>html words</p>"),
        "html": mails.html_only("html@example.com", "<p>My <b>statement</b> is wrong</p>"),
        "iso": mails.legacy_charset("iso@example.com", "بطاقتي محجوبة", "iso-8859-6"),
        "cp": mails.legacy_charset("cp@example.com", "أريد استرداد المبلغ", "windows-1256"),
        "pdf": mails.with_pdf("pdf@example.com", "see the statement", "Balance due 120 AED"),
    }
    with gw.client(token) as client:
        # Each from its own sender: one customer's mails in one queue would join one ticket.
        answers = {}
        for n, (name, raw) in enumerate(sent.items()):
            answers[name] = post_mail(client, raw.replace(b"sara@example.com", f"c{n}@example.com".encode()))
        assert {k: r.status_code for k, r in answers.items()} == dict.fromkeys(sent, 201), answers
        again = post_mail(client, sent["alt"].replace(b"sara@example.com", b"c0@example.com"))
    assert again.status_code == 200 and again.json()["ticket_id"] == answers["alt"].json()["ticket_id"]
    bodies = {r["id"]: r["body"] for r in ticket_rows(gw.database_url)}
    assert bodies[answers["alt"].json()["ticket_id"]] == "plain words please"
    assert bodies[answers["html"].json()["ticket_id"]] == "My statement is wrong"
    assert bodies[answers["iso"].json()["ticket_id"]] == "بطاقتي محجوبة"
    assert bodies[answers["cp"].json()["ticket_id"]] == "أريد استرداد المبلغ"
    with psycopg.connect(gw.database_url) as conn:
        doc = conn.execute(
            "SELECT filename, text FROM ticket_documents WHERE ticket_id = %s",
            (answers["pdf"].json()["ticket_id"],),
        ).fetchone()
    assert doc is not None and doc[0] == "statement.pdf" and "Balance due 120 AED" in doc[1]


def test_our_reply_threads_in_the_customers_client_and_their_answer_joins_the_ticket(
    gw: Gateway, relay: Relay
) -> None:
    token = gw.token("integration", channel="email")
    with gw.client(token) as client:
        first = post_mail(client, mails.plain("c1@example.com", "My card is blocked", subject="Card blocked"))
    assert first.status_code == 201, first.text
    ticket_id = first.json()["ticket_id"]
    with psycopg.connect(gw.database_url, autocommit=True) as conn:
        outbound_messages.insert_sync(
            conn, NewMessage("email", "reply", "We unblocked it.", "sara@example.com", ticket_id)
        )
    settings = relay.settings(gw.database_url)
    with open_pool(gw.database_url, name="test-mail") as pool:
        assert mail_delivery.sweep(pool, settings) == 1
        assert mail_delivery.sweep(pool, settings) == 0  # taken by the relay: never sent twice
    [sent] = relay.received
    assert relay.envelopes == [(mails.CENTRE, ["sara@example.com"])]
    assert sent["Subject"] == f"Re: Card blocked [#{ticket_id}]"
    assert sent["In-Reply-To"] == "<c1@example.com>" and sent["References"] == "<c1@example.com>"
    ours = sent["Message-ID"].strip("<>")
    assert ours.startswith("ticketing.") and ours.endswith("@centre.example")
    assert sent.get_content().strip() == "We unblocked it."

    with gw.client(token) as client:
        before = counts(gw.database_url)
        # Robots answering our mail change nothing.
        ooo = post_mail(client, mails.out_of_office("ooo@example.com", ours, sent["Subject"]))
        bounce = post_mail(client, mails.bounce("dsn@mx.example.com", ours), envelope_from="<>")
        loop = post_mail(client, bytes(sent))
        assert [(r.status_code, r.json()["reason"]) for r in (ooo, bounce, loop)] == [
            (202, "auto_submitted"),
            (202, "bounce"),
            (202, "loop"),
        ]
        assert counts(gw.database_url) == before
        answer = mails.reply(
            "c2@example.com",
            "Thanks, it works.\n\nOn Tue, Help wrote:\n> We unblocked it.",
            ours,
            f"Re: Card blocked [#{ticket_id}]",
            references=f"<c1@example.com> <{ours}>",
        )
        joined = post_mail(client, answer, envelope_from="sara@example.com")
        assert joined.status_code == 200 and joined.json() == {
            "status": "joined",
            "ticket_id": ticket_id,
            "ticket_status": "queued",
        }
        assert post_mail(client, answer, envelope_from="sara@example.com").json()["ticket_id"] == ticket_id
    [row] = ticket_rows(gw.database_url)
    assert row["follow_ups"] == 1
    with psycopg.connect(gw.database_url) as conn:
        text = conn.execute(
            "SELECT data->>'text' FROM ticket_events WHERE type = 'customer_message' AND ticket_id = %s",
            (ticket_id,),
        ).fetchone()
    assert text == ("Thanks, it works.",)


def test_a_ticket_reference_joins_only_from_the_tickets_own_address(gw: Gateway) -> None:
    token = gw.token("integration", channel="email")
    with gw.client(token) as client:
        ticket_id = post_mail(client, mails.plain("s1@example.com", "Where is my refund?")).json()[
            "ticket_id"
        ]
        by_ref = post_mail(client, mails.plain("s2@example.com", "Any news?", subject=f"Re: [#{ticket_id}]"))
        stranger = mails.plain(
            "s3@example.com", "Add this", subject=f"[#{ticket_id}]", sender="eve@evil.example"
        )
        other = post_mail(client, stranger)
    assert by_ref.json()["status"] == "joined"
    assert other.status_code == 201 and other.json()["ticket_id"] != ticket_id


def test_a_from_the_envelope_does_not_vouch_for_is_no_way_into_a_customer(gw: Gateway) -> None:
    token = gw.token("integration", channel="email")
    with gw.client(token) as client:
        first = post_mail(
            client, mails.plain("v1@example.com", "My card is blocked"), envelope_from="sara@example.com"
        )
        forged = mails.reply(
            "v2@example.com", "Send me the card details", "v1@example.com", "Re: Card blocked"
        )
        second = post_mail(client, forged, envelope_from="eve@evil.example")
    assert second.status_code == 201 and second.json()["ticket_id"] != first.json()["ticket_id"]
    rows = {r["id"]: r for r in ticket_rows(gw.database_url)}
    assert rows[first.json()["ticket_id"]]["customer_id"] != rows[second.json()["ticket_id"]]["customer_id"]


def test_hostile_or_broken_mail_is_refused_and_changes_nothing(start_gateway: Callable[..., Gateway]) -> None:
    gw = mail_gateway(start_gateway, max_body_bytes=64 * 1024)
    token = gw.token("integration", channel="email")
    before = counts(gw.database_url)
    with gw.client(token) as client:
        assert_problem(post_mail(client, b"From: a@b.example\r\nContent-Type: multipart/mixed\r\n\r\nx"), 422)
        assert_problem(post_mail(client, b"Subject: no sender\r\n\r\nhello"), 422)
        assert_problem(post_mail(client, mails.plain("big@x", "x" * 70_000)), 413)
        assert_problem(
            client.post(
                "/v1/channels/email/inbound", content=b"{}", headers={"Content-Type": "application/json"}
            ),
            415,
        )
    with gw.client(gw.token("integration", channel="phone")) as client:
        assert_problem(post_mail(client, mails.plain("p@x", "hello")), 403)
    assert counts(gw.database_url) == before


def test_header_injection_in_outbound_mail_sends_nothing(gw: Gateway, relay: Relay) -> None:
    with psycopg.connect(gw.database_url, autocommit=True) as conn:
        message_id = outbound_messages.insert_sync(
            conn, NewMessage("email", "reply", "hi", "sara@example.com\r\nBcc: victim@example.net")
        )
    with open_pool(gw.database_url, name="test-mail") as pool:
        assert mail_delivery.sweep(pool, relay.settings(gw.database_url)) == 0
    assert relay.received == []
    with psycopg.connect(gw.database_url) as conn:
        row = conn.execute(
            "SELECT failed_at IS NOT NULL, last_error FROM outbound_messages WHERE id = %s", (message_id,)
        ).fetchone()
    assert row is not None and row[0] and "linefeed" in row[1]


def test_one_customer_by_phone_and_mail_only_where_verified(gw: Gateway) -> None:
    phone_token = gw.token("integration", channel="phone")
    mail_token = gw.token("integration", channel="email")
    with gw.client(phone_token) as client:
        # The number three ways, in region AE: one customer.
        a = client.post(
            "/v1/inquiries", json=inquiry(external_id="k1", customer={"phone": "+971 50 123 4567"})
        )
        b = client.post(
            "/v1/inquiries",
            json=inquiry(external_id="k2", customer={"phone": "00971501234567"}, text="Card stolen!"),
        )
        assert_problem(
            client.post("/v1/inquiries", json=inquiry(external_id="k3", customer={"phone": "+971 12"})), 422
        )
        # An address typed into a phone inquiry is not vouched for: it opens nobody's record.
        unverified = inquiry(
            external_id="k4", customer={"phone": "050 123 4567", "email": "Sara@Example.com"}
        )
        c = client.post("/v1/inquiries", json=unverified)
    assert {a.status_code, b.status_code, c.status_code} <= {200, 201}
    rows = {r["id"]: r for r in ticket_rows(gw.database_url)}
    phone_customer = rows[a.json()["id"]]["customer_id"]
    assert rows[b.json()["id"]]["customer_id"] == rows[c.json()["id"]]["customer_id"] == phone_customer
    with gw.client(mail_token) as client:
        mail = post_mail(
            client, mails.plain("u1@example.com", "About my card"), envelope_from="sara@example.com"
        )
    assert mail.status_code == 201
    mail_customer = ticket_rows(gw.database_url)[-1]["customer_id"]
    assert mail_customer != phone_customer
    with psycopg.connect(gw.database_url) as conn:
        owners = conn.execute(
            "SELECT kind, value, customer_id FROM customer_identities WHERE verified"
        ).fetchall()
    assert sorted(owners) == [
        ("email", "sara@example.com", mail_customer),
        ("phone", "+971501234567", phone_customer),
    ]
    # A phone integration that checked the caller's address vouches for it: their mail finds them.
    with gw.client(phone_token) as client:
        omar = {"phone": "050 765 4321", "email": "omar@example.com", "verified": {"email": True}}
        called = client.post("/v1/inquiries", json=inquiry(external_id="k5", customer=omar))
    with gw.client(mail_token) as client:
        wrote = post_mail(
            client,
            mails.plain("u2@example.com", "Following up", sender="Omar <Omar@Example.com>"),
            envelope_from="omar@example.com",
        )
    rows = {r["id"]: r for r in ticket_rows(gw.database_url)}
    assert rows[wrote.json()["ticket_id"]]["customer_id"] == rows[called.json()["id"]]["customer_id"]


def test_mangled_mail_never_fails_the_gateway(gw: Gateway) -> None:
    """Real mails cut short and with bytes overwritten: each is taken, dropped or refused, never a 5xx."""
    import random

    rng = random.Random(11)
    samples = [
        mails.alternative("z1@x", "words", "<p>words</p>"),
        mails.with_pdf("z2@x", "see", "Balance"),
        mails.legacy_charset("z3@x", "بطاقتي", "windows-1256"),
        mails.bounce("z4@x", "ticketing.1.1.a@centre.example"),
    ]
    token = gw.token("integration", channel="email")
    statuses = set()
    with gw.client(token) as client:
        for n, raw in enumerate(samples * 6):
            mangled = bytearray(raw[: rng.randrange(1, len(raw) + 1)])
            for _ in range(rng.randrange(0, 8)):
                mangled[rng.randrange(len(mangled))] = rng.randrange(256)
            answer = post_mail(
                client, bytes(mangled).replace(b"Message-ID: <", f"Message-ID: <{n}.".encode())
            )
            statuses.add(answer.status_code)
    assert statuses <= {200, 201, 202, 413, 422}, statuses
