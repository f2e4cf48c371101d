"""The e-mail channel's pure parts: reading mail, dropping robots' mail, threading, composing replies."""

import pytest

from services.shared import contact_points
from services.shared.channels import ChannelSettings, SmtpRelay
from services.shared.mail import html_text, ignored, inbound, outbound, quotes, threads
from services.shared.settings import SettingsError
from tests.fixtures import mails

LIMIT = 1024 * 1024
DOMAIN = "centre.example"


def why(raw: bytes, envelope_from: str | None = None) -> str | None:
    mail = inbound.parse(raw, LIMIT)
    return ignored.reason(
        mail.message, envelope_from=envelope_from, our_addresses=frozenset({mails.CENTRE}), our_domain=DOMAIN
    )


@pytest.mark.parametrize("charset", ["iso-8859-6", "windows-1256"])
def test_arabic_in_legacy_charsets_is_read(charset: str) -> None:
    mail = inbound.parse(mails.legacy_charset("m1@example.com", "بطاقتي محجوبة منذ أمس", charset), LIMIT)
    assert mail.text == "بطاقتي محجوبة منذ أمس"
    assert mail.subject == "استفسار"
    assert (mail.sender, mail.sender_name, mail.message_id) == (
        "sara@example.com",
        "Sara Ahmed",
        "m1@example.com",
    )


def test_the_plain_part_of_an_alternative_is_taken_and_html_only_is_turned_into_text() -> None:
    both = inbound.parse(mails.alternative("m2@x", "plain words", "<p>html words</p>"), LIMIT)
    assert both.text == "plain words"
    html = "<html><head><style>p {color: red}</style><script>x()</script></head><body><p>Hello <b>you</b>"
    html += (
        "</p><ul><li>one</li><li>two</li></ul><div class='gmail_quote'>On Mon wrote: old</div></body></html>"
    )
    assert inbound.parse(mails.html_only("m3@x", html), LIMIT).text == "Hello you\n\none\n\ntwo"


def test_html_entities_and_blank_space_collapse() -> None:
    assert html_text.to_text("<div>a&amp;b&nbsp;c</div>\n\n\n<div>  d  </div>") == "a&b\xa0c\n\nd".replace(
        "\xa0", " "
    )


@pytest.mark.parametrize(
    "history",
    [
        "On Mon, 2 Mar 2026 at 10:00, Help Desk <help@centre.example> wrote:\n> old",
        "On Mon, 2 Mar 2026 at 10:00, Help Desk\n<help@centre.example> wrote:\n> old",
        "-----Original Message-----\nFrom: Help\nSent: Monday\nold",
        "________________________________\nFrom: Help Desk\nSent: Monday\nSubject: x\nold",
        "في الاثنين، ٢ مارس ٢٠٢٦، كتب مكتب المساعدة <help@centre.example>:\n> قديم",
        "بتاريخ 2 مارس 2026 كتب Help:\nقديم",
        "> just quoted lines\n> more",
    ],
)
def test_quoted_history_is_cut(history: str) -> None:
    assert quotes.strip_quoted(f"New words here.\n\n{history}") == "New words here."


def test_a_from_line_in_the_customers_own_words_is_kept() -> None:
    assert (
        quotes.strip_quoted("From: my bank\nthey charged me twice") == "From: my bank\nthey charged me twice"
    )


def test_a_pdf_attachment_is_found() -> None:
    mail = inbound.parse(mails.with_pdf("m4@x", "see attached", "Balance 100"), LIMIT)
    assert [(a.filename, a.content_type) for a in mail.attachments] == [("statement.pdf", "application/pdf")]
    assert mail.attachments[0].data.startswith(b"%PDF")


def test_robots_mail_is_dropped_with_its_reason() -> None:
    assert why(mails.bounce("b1@mx", "ticketing.1.2.x@centre.example")) == "bounce"
    assert why(mails.out_of_office("o1@x", "ticketing.1.2.x@centre.example", "Card")) == "auto_submitted"
    assert why(mails.plain("p1@x", "hi", Precedence="bulk")) == "bulk"
    assert why(mails.plain("p2@x", "hi", X_Autoreply="yes")) == "autoreply"
    assert why(mails.plain("ticketing.4.9.ab@centre.example", "our own")) == "loop"
    assert why(mails.plain("p3@x", "hi", X_Loop=mails.CENTRE)) == "loop"
    assert why(mails.plain("p4@x", "hi"), envelope_from="<>") == "bounce"
    assert why(mails.plain("p5@x", "hi", Auto_Submitted="no")) is None


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "empty"),
        (b"From: a@b.example\r\nContent-Type: multipart/mixed\r\n\r\nno boundary", "MIME structure"),
        (b"To: a@b.example\r\nSubject: nobody sent it\r\n\r\nhello", "sender"),
        (b"From: a@b.example, c@d.example\r\nSubject: two\r\n\r\nhello", "sender"),
        (b"From: a@b.example\r\n" + b"x" * 2000, "over the limit"),
    ],
)
def test_malformed_or_oversized_mail_is_refused(raw: bytes, reason: str) -> None:
    with pytest.raises(inbound.MalformedMail, match=reason):
        inbound.parse(raw, 1000)


def test_nul_characters_are_left_out() -> None:
    mail = inbound.parse(mails.plain("n1@x", "card\x00 blocked", subject="a\x00b"), LIMIT)
    assert (mail.text, mail.subject) == ("card blocked", "ab")


def test_a_mail_without_message_id_is_known_by_its_bytes() -> None:
    raw = b"From: a@b.example\r\nSubject: s\r\n\r\nhello\r\n"
    assert inbound.parse(raw, LIMIT).message_id == inbound.parse(raw, LIMIT).message_id
    assert inbound.parse(raw, LIMIT).message_id.startswith("sha256:")


def test_threading_headers_and_ticket_references() -> None:
    mail = inbound.parse(
        mails.reply("r1@x", "ok", "c@x", "Re: Card [#12]", references="<a@x> <b@x> <c@x>"), LIMIT
    )
    assert mail.replies_to == ["c@x", "b@x", "a@x"]
    assert threads.ticket_ref("Re: Re: Card [#12] [#13]") == 13
    assert threads.ticket_ref("no reference #12") is None
    assert threads.with_ticket_ref("Card\r\nBcc: x@y [#12]", 12) == "Re: Card Bcc: x@y [#12]"
    ours = threads.new_message_id(DOMAIN, 7, 9)
    assert threads.is_ours(ours, DOMAIN) and not threads.is_ours(ours, "elsewhere.example")
    assert threads.references([str(n) for n in range(30)])[:2] == ["0", "11"]


def test_an_outbound_reply_names_its_thread_and_marks_automatic_mail() -> None:
    mail = outbound.compose(
        sender=mails.CENTRE,
        recipient="sara@example.com",
        subject="Card blocked",
        body="Unblocked.",
        message_id="ticketing.5.1.aa@centre.example",
        thread=["c1@example.com"],
        ticket_id=5,
        kind="survey",
    )
    assert mail["Subject"] == "Re: Card blocked [#5]"
    assert mail["In-Reply-To"] == "<c1@example.com>" and mail["References"] == "<c1@example.com>"
    assert mail["Auto-Submitted"] == "auto-generated"


@pytest.mark.parametrize("field", ["recipient", "sender"])
def test_header_injection_in_outbound_mail_is_refused(field: str) -> None:
    values = {"sender": mails.CENTRE, "recipient": "sara@example.com"}
    values[field] += "\r\nBcc: victim@example.net"
    with pytest.raises(ValueError, match="linefeed or carriage return"):
        outbound.compose(
            **values, subject="s", body="b", message_id="m@x", thread=[], ticket_id=1, kind="reply"
        )


def test_addresses_are_lower_cased_whole() -> None:
    assert contact_points.email_address("  Sara.Ahmed@Example.COM ") == "sara.ahmed@example.com"
    for bad in ("no-at-sign", "a@", "@b", "a b@c.d"):
        with pytest.raises(ValueError):
            contact_points.email_address(bad)


def test_channel_settings_read_the_relay_and_addresses() -> None:
    settings = ChannelSettings.from_env(
        {
            "MAIL_ADDRESSES": "Help@Centre.example, billing@centre.example",
            "SMTP_RELAY_URL": "smtp+starttls://bot%40centre:p%3Ass@mail.centre.example",
        }
    ).email
    assert settings.addresses == {"help@centre.example", "billing@centre.example"}
    assert settings.sender == "help@centre.example" and settings.domain == "centre.example"
    assert settings.relay == SmtpRelay("mail.centre.example", 587, "starttls", "bot@centre", "p:ss")
    assert "p:ss" not in repr(settings)
    with pytest.raises(SettingsError, match="SMTP_RELAY_URL"):
        ChannelSettings.from_env({"SMTP_RELAY_URL": "http://x", "MAIL_FROM": "a@b.c"})
    with pytest.raises(SettingsError, match="MAIL_FROM"):
        ChannelSettings.from_env({"SMTP_RELAY_URL": "smtp://x"})


def test_a_message_id_with_control_characters_is_no_message_id() -> None:
    assert threads.message_ids("<a\x00b@x> <ok@x>") == ["ok@x"]
