-- The e-mail channel's conversations: every Message-ID taken in or sent, with its ticket. A reply's
-- In-Reply-To / References finds its ticket here, and an outbound mail keeps the Message-ID it was
-- first sent with, so a resend after a crash is the same mail to the customer's client.
CREATE TABLE mail_messages (
    message_id          text PRIMARY KEY,
    ticket_id           bigint REFERENCES tickets (id),
    direction           text NOT NULL CHECK (direction IN ('in', 'out')),
    outbound_message_id bigint UNIQUE REFERENCES outbound_messages (id),
    created_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX mail_messages_by_ticket ON mail_messages (ticket_id, created_at, message_id);
