-- Proactive service (docs/channels.md, "Proactive messages"): what the centre tells a customer without
-- being asked — that their ticket still waits, that an agent took it, that it was resolved, and, when
-- they come back about the same thing, how their recent ticket ended.

-- One row per ticket and kind, ever: the state that makes each message go out once whatever the
-- sweeps, their crashes or their redelivered tasks do, and the count the KPIs read (by kind, channel
-- and outcome; a suppressed message is counted too, without a message).
CREATE TABLE proactive_messages (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id       bigint NOT NULL REFERENCES tickets (id),
    kind            text NOT NULL CHECK (kind IN ('returning', 'wait', 'taken', 'resolved')),
    channel         text NOT NULL,
    -- sent: a message went out; suppressed: the channel's setting holds this kind back; stale: the
    -- ticket moved on before the sweep came (taken but already resolved, resolved but reopened).
    outcome         text NOT NULL CHECK (outcome IN ('sent', 'suppressed', 'stale')),
    message_id      bigint REFERENCES outbound_messages (id),
    -- For `returning`: the earlier ticket whose outcome the customer was told.
    about_ticket_id bigint REFERENCES tickets (id),
    decided_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (ticket_id, kind),
    CHECK (outcome = 'sent' OR message_id IS NULL)
);
CREATE INDEX proactive_messages_decided ON proactive_messages (decided_at);

-- Tickets an agent took or resolved whose message the sweep has not decided yet. Written by the
-- trigger below in the transaction of the event itself, whichever path wrote it (an accepted offer,
-- a pulled ticket, a call answered, the API): nothing is lost between a commit and a send, and no
-- path has to remember to ask.
CREATE TABLE proactive_due (
    ticket_id bigint NOT NULL REFERENCES tickets (id),
    kind      text NOT NULL CHECK (kind IN ('taken', 'resolved')),
    due_at    timestamptz NOT NULL,
    PRIMARY KEY (ticket_id, kind)
);
CREATE INDEX proactive_due_order ON proactive_due (due_at, ticket_id);

-- Events replayed by a back-fill token are history, not news: nobody is told about them.
CREATE FUNCTION proactive_due_on_event() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    due_kind text := CASE NEW.type WHEN 'claimed' THEN 'taken' ELSE 'resolved' END;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM proactive_messages WHERE ticket_id = NEW.ticket_id AND kind = due_kind) THEN
        INSERT INTO proactive_due (ticket_id, kind, due_at) VALUES (NEW.ticket_id, due_kind, NEW.occurred_at)
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER ticket_events_proactive AFTER INSERT ON ticket_events
    FOR EACH ROW WHEN (NEW.type IN ('claimed', 'resolved') AND coalesce(NEW.data ->> 'backfill', '') <> 'true')
    EXECUTE FUNCTION proactive_due_on_event();

-- The messages' own kind in the outbox, added to whatever the list is by now (integrations read it).
DO $$
DECLARE
    allowed text[];
BEGIN
    SELECT array_agg(DISTINCT m[1]) INTO allowed
    FROM pg_constraint c, regexp_matches(pg_get_constraintdef(c.oid), '''([a-z_]+)''', 'g') AS m
    WHERE c.conrelid = 'outbound_messages'::regclass AND c.conname = 'outbound_messages_kind_check';
    IF allowed IS NULL THEN
        RETURN;  -- no list to extend: every kind is allowed already
    END IF;
    allowed := allowed || ARRAY['proactive'];
    ALTER TABLE outbound_messages DROP CONSTRAINT outbound_messages_kind_check;
    EXECUTE format('ALTER TABLE outbound_messages ADD CONSTRAINT outbound_messages_kind_check CHECK (kind = ANY (%L::text[]))',
        (SELECT array_agg(DISTINCT k ORDER BY k) FROM unnest(allowed) AS k));
END $$;
