-- The customer's web chat widget and contact form (and, at the end, a count of robot mail dropped).
-- A widget key is public (it sits in the operator's page); it names the chat or web integration
-- credential the widget acts as and the page origins that may use it, so revoking that credential
-- stops the widget too. A chat session is one customer's hold on one ticket: its secret is kept only
-- as a SHA-256 digest and expires.
CREATE TABLE widget_keys (
    id              bigserial PRIMARY KEY,
    public_key      text NOT NULL UNIQUE,
    credential_id   bigint NOT NULL REFERENCES api_credentials (id),
    allowed_origins text[] NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE chat_sessions (
    id            bigserial PRIMARY KEY,
    secret_hash   bytea NOT NULL UNIQUE,
    widget_key_id bigint NOT NULL REFERENCES widget_keys (id),
    ticket_id     bigint NOT NULL REFERENCES tickets (id),
    -- The visitor id the session gave the customer: the channel's own identity of them.
    visitor       text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    -- Set when the customer leaves: the secret works no more.
    ended_at      timestamptz
);
CREATE INDEX chat_sessions_by_ticket ON chat_sessions (ticket_id);
CREATE INDEX outbound_messages_by_ticket ON outbound_messages (ticket_id, id) WHERE ticket_id IS NOT NULL;

-- Mail dropped as written by no person (auto-replies, bounces, list mail, loops), counted per reason
-- for Prometheus (ticketing_mail_dropped_total): a jump is a loop or a bounce storm to look at.
CREATE TABLE mail_dropped (
    reason  text PRIMARY KEY,
    total   bigint NOT NULL DEFAULT 0,
    last_at timestamptz NOT NULL DEFAULT now()
);
