-- Bearer tokens expire, record when they were last used and whether they may back-fill; SSE streams
-- and pages get short-lived, single-use stream tickets instead of tokens in URLs.

ALTER TABLE api_credentials
    ADD COLUMN expires_at   timestamptz,
    -- Written at most once a minute per token and gateway process: a day-old value means "unused".
    ADD COLUMN last_used_at timestamptz,
    -- May date occurred_at anywhere after a ticket's last event (imports, replays, simulation).
    ADD COLUMN backfill     boolean NOT NULL DEFAULT false;

-- Tokens made before expiry existed keep working for 90 days from this migration: long enough to
-- rotate every integration's key without an outage, short enough that none lives on forever.
UPDATE api_credentials SET expires_at = now() + interval '90 days' WHERE expires_at IS NULL;
ALTER TABLE api_credentials ALTER COLUMN expires_at SET NOT NULL;

-- A stream ticket is kept as the SHA-256 of its secret, bound to one credential and one path, and
-- deleted when used: the DELETE that consumes it is what makes it single-use across processes.
CREATE TABLE stream_tickets (
    ticket_hash   bytea PRIMARY KEY,
    credential_id integer NOT NULL REFERENCES api_credentials (id) ON DELETE CASCADE,
    path          text NOT NULL,
    expires_at    timestamptz NOT NULL
);
-- Expired, unused tickets are swept by expiry when new ones are issued.
CREATE INDEX stream_tickets_expiry ON stream_tickets (expires_at);
