-- SLA deadlines on tickets, escalation targets and supervisors of queues, survey reminders, expiry and
-- follow-ups, and outbound delivery (leases for polling integrations, callbacks with retries).

-- The SLA clocks of a ticket, computed from services/shared/sla_policies.yaml when it is queued and
-- moved on when a paused clock resumes. escalate_at (0001) stays the sweep's pointer: the next
-- moment any SLA step (warning, level, resolution breach) can fall due.
ALTER TABLE tickets
    ADD COLUMN first_response_due_at timestamptz,
    ADD COLUMN resolution_due_at timestamptz,
    -- The pending first-response warning; NULL once sent.
    ADD COLUMN sla_warn_at timestamptz,
    -- Set while the ticket waits for the customer: no deadline runs.
    ADD COLUMN sla_paused_at timestamptz,
    -- When the customer wrote again on a paused ticket; the sweep moves the deadlines on from it.
    ADD COLUMN sla_resumed_at timestamptz,
    ADD COLUMN resolution_breached_at timestamptz;

-- Where a ticket of this queue goes when it breaches its first-response deadline (NULL: it stays).
ALTER TABLE queues ADD COLUMN escalation_queue_id integer REFERENCES queues (id);

-- Who is told about a queue's warnings, breaches and low survey scores, and on which channel.
-- A queue with nobody listed notifies `supervisors:<queue>` on the web console.
CREATE TABLE queue_supervisors (
    id         integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    queue_id   integer NOT NULL REFERENCES queues (id),
    name       text NOT NULL DEFAULT '',
    channel    text NOT NULL CHECK (channel IN ('phone', 'chat', 'email', 'mobile', 'web')),
    address    text NOT NULL CHECK (address <> ''),
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (queue_id, channel, address)
);

-- New event types, added to whatever the list is by now (other migrations extend it too).
DO $$
DECLARE
    allowed text[];
BEGIN
    SELECT array_agg(DISTINCT m[1]) INTO allowed
    FROM pg_constraint c, regexp_matches(pg_get_constraintdef(c.oid), '''([a-z_]+)''', 'g') AS m
    WHERE c.conrelid = 'ticket_events'::regclass AND c.conname = 'ticket_events_type_check';
    IF allowed IS NULL THEN
        RETURN;  -- no list to extend: every type is allowed already
    END IF;
    allowed := allowed || ARRAY['sla_warning', 'sla_breached', 'awaiting_customer', 'customer_message',
        'survey_suppressed', 'survey_reminded', 'survey_expired', 'follow_up_opened'];
    ALTER TABLE ticket_events DROP CONSTRAINT ticket_events_type_check;
    EXECUTE format('ALTER TABLE ticket_events ADD CONSTRAINT ticket_events_type_check CHECK (type = ANY (%L::text[]))',
        (SELECT array_agg(DISTINCT t ORDER BY t) FROM unnest(allowed) AS t));
END $$;

-- The customer writing again resumes a paused clock, whichever code path records the message: the
-- trigger notes when, and wakes the escalation sweep, which moves the deadlines on by the open time
-- that passed in between (calendar maths live in Python: services/shared/sla.py).
CREATE FUNCTION tickets_sla_resume() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE tickets SET sla_resumed_at = NEW.occurred_at, escalate_at = NEW.occurred_at
    WHERE id = NEW.ticket_id AND sla_paused_at IS NOT NULL AND sla_resumed_at IS NULL;
    RETURN NULL;
END $$;
CREATE TRIGGER ticket_events_sla_resume AFTER INSERT ON ticket_events
    FOR EACH ROW WHEN (NEW.type = 'customer_message') EXECUTE FUNCTION tickets_sla_resume();

-- Each warning and breach happens once per ticket and deadline, like the escalation levels.
CREATE UNIQUE INDEX ticket_events_sla_warning_once ON ticket_events (ticket_id, (data ->> 'target'))
    WHERE type = 'sla_warning';
CREATE UNIQUE INDEX ticket_events_sla_breached_once ON ticket_events (ticket_id, (data ->> 'target'))
    WHERE type = 'sla_breached';

-- Surveys: one reminder with a second single-use link to the same survey (the first link's token is
-- kept only as a digest, so it cannot be sent again), and expiry recorded once.
ALTER TABLE surveys
    ADD COLUMN reminder_due_at timestamptz,
    ADD COLUMN reminded_at timestamptz,
    ADD COLUMN reminder_token_hash bytea UNIQUE,
    ADD COLUMN reminder_message_id bigint REFERENCES outbound_messages (id),
    ADD COLUMN expired_at timestamptz;
CREATE INDEX surveys_reminder_due ON surveys (reminder_due_at)
    WHERE reminded_at IS NULL AND answered_at IS NULL AND reminder_due_at IS NOT NULL;
CREATE INDEX surveys_expiry_due ON surveys (expires_at) WHERE expired_at IS NULL AND answered_at IS NULL;
-- "Surveyed in the last N days" looks up a customer's recent surveys.
CREATE INDEX surveys_sent ON surveys (ticket_id, sent_at);

-- A low score opens one follow-up for the queue's supervisors.
CREATE TABLE survey_follow_ups (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    survey_id  bigint NOT NULL UNIQUE REFERENCES surveys (id),
    ticket_id  bigint NOT NULL REFERENCES tickets (id),
    queue_id   integer NOT NULL REFERENCES queues (id),
    score      smallint NOT NULL,
    comment    text,
    opened_at  timestamptz NOT NULL,
    closed_at  timestamptz,
    note       text NOT NULL DEFAULT ''
);
CREATE INDEX survey_follow_ups_open ON survey_follow_ups (queue_id, opened_at) WHERE closed_at IS NULL;

-- Outbound delivery. Polling integrations lease a batch (leased_until) so two pollers never get the
-- same messages; a callback sender leases a message while it posts it. delivered_at (0001) is the
-- acknowledgement: once set, the message is never handed out again.
ALTER TABLE outbound_messages
    ADD COLUMN leased_until timestamptz,
    ADD COLUMN attempts integer NOT NULL DEFAULT 0,
    ADD COLUMN next_attempt_at timestamptz,
    ADD COLUMN last_error text NOT NULL DEFAULT '',
    -- The callback sender gave up (too many failed attempts); polling still hands the message out.
    ADD COLUMN failed_at timestamptz;
-- The customer-facing time column of survey reminders and follow-ups is created_at (0001).

-- A channel's callback: pending messages of the channel are posted to the URL, signed with
-- HMAC-SHA256 of the secret. The secret is kept as given: signing needs it.
CREATE TABLE outbound_callbacks (
    channel       text PRIMARY KEY CHECK (channel IN ('phone', 'chat', 'email', 'mobile', 'web')),
    url           text NOT NULL CHECK (url ~ '^https?://'),
    secret        text NOT NULL CHECK (length(secret) >= 16),
    credential_id integer NOT NULL REFERENCES api_credentials (id),
    created_at    timestamptz NOT NULL DEFAULT now()
);
