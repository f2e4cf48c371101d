-- The core schema: customers, queues, agents, credentials, tickets and their append-only events,
-- surveys, outbound messages and quality evaluations.

CREATE TABLE customers (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    display_name text,
    language     text,
    tier         text NOT NULL DEFAULT 'standard',
    created_at   timestamptz NOT NULL DEFAULT now()
);

-- A phone number, an e-mail address or an app user id: each leads to one customer.
CREATE TABLE customer_identities (
    kind        text NOT NULL CHECK (kind IN ('phone', 'email', 'app_user', 'web_user', 'chat_visitor')),
    value       text NOT NULL,
    customer_id bigint NOT NULL REFERENCES customers (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, value)
);
CREATE INDEX customer_identities_customer ON customer_identities (customer_id);

CREATE TABLE queues (
    id          integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text NOT NULL UNIQUE CHECK (name ~ '^[a-z][a-z0-9_]{0,62}$'),
    description text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE agents (
    id           integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name         text NOT NULL,
    email        text UNIQUE,
    active       boolean NOT NULL DEFAULT true,
    created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE agent_queues (
    agent_id integer NOT NULL REFERENCES agents (id),
    queue_id integer NOT NULL REFERENCES queues (id),
    PRIMARY KEY (agent_id, queue_id)
);

-- Bearer tokens are stored as SHA-256 digests only: the secret is shown once, at creation.
CREATE TABLE api_credentials (
    id          integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text NOT NULL,
    role        text NOT NULL CHECK (role IN ('integration', 'agent', 'supervisor')),
    channel     text CHECK (channel IN ('phone', 'chat', 'email', 'mobile', 'web')),
    agent_id    integer REFERENCES agents (id),
    token_hash  bytea NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz,
    CHECK ((role = 'integration') = (channel IS NOT NULL)),
    CHECK ((role = 'agent') = (agent_id IS NOT NULL))
);

CREATE TABLE tickets (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    channel           text NOT NULL CHECK (channel IN ('phone', 'chat', 'email', 'mobile', 'web')),
    external_id       text NOT NULL,
    request_hash      bytea NOT NULL,
    customer_id       bigint NOT NULL REFERENCES customers (id),
    queue_id          integer NOT NULL REFERENCES queues (id),
    status            text NOT NULL CHECK (status IN
                        ('queued', 'claimed', 'answered', 'resolved', 'abandoned', 'self_served')),
    priority          smallint NOT NULL CHECK (priority BETWEEN 1 AND 4),
    language          text NOT NULL DEFAULT 'und',
    intent            text NOT NULL DEFAULT '',
    subject           text NOT NULL DEFAULT '',
    body              text NOT NULL,
    -- The classifier's decision as it was made (confidence, reason, model version, explanation).
    classification    jsonb NOT NULL DEFAULT '{}',
    routed_by         text NOT NULL CHECK (routed_by IN ('classifier', 'fallback')),
    assigned_agent_id integer REFERENCES agents (id),
    created_at        timestamptz NOT NULL,
    queued_at         timestamptz,
    answered_at       timestamptz,
    resolved_at       timestamptz,
    -- The time of the ticket's latest event: later events may not be dated before it.
    last_event_at     timestamptz NOT NULL,
    -- The next escalation: when, and to which level. NULL when nothing is due.
    escalation_level  smallint NOT NULL DEFAULT 0,
    escalate_at       timestamptz,
    -- Set at resolution when a survey should go out; the survey sweep clears it.
    survey_due_at     timestamptz,
    UNIQUE (channel, external_id),
    -- A held ticket names its agent; a resolved one keeps the agent who resolved it.
    CHECK (status NOT IN ('claimed', 'answered') OR assigned_agent_id IS NOT NULL),
    CHECK (status <> 'queued' OR assigned_agent_id IS NULL)
);
-- The claim order: best priority first, then the oldest.
CREATE INDEX tickets_waiting ON tickets (queue_id, priority DESC, queued_at, id) WHERE status = 'queued';
CREATE INDEX tickets_escalation_due ON tickets (escalate_at) WHERE escalate_at IS NOT NULL;
CREATE INDEX tickets_survey_due ON tickets (survey_due_at) WHERE survey_due_at IS NOT NULL;
CREATE INDEX tickets_customer ON tickets (customer_id);
CREATE INDEX tickets_agent ON tickets (assigned_agent_id) WHERE assigned_agent_id IS NOT NULL;

-- Append-only: every state change of a ticket, written in the transaction that makes it.
-- Readers follow it by (tx, id): ids are handed out before commit, so a reader that went by id alone
-- could pass over an event whose transaction commits late; tx below the oldest running transaction
-- is final.
CREATE TABLE ticket_events (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tx          xid8 NOT NULL DEFAULT pg_current_xact_id(),
    ticket_id   bigint NOT NULL REFERENCES tickets (id),
    type        text NOT NULL CHECK (type IN ('created', 'routed', 'claimed', 'released', 'answered',
                  'transferred', 'escalated', 'resolved', 'reopened', 'abandoned', 'self_served',
                  'human_requested', 'survey_sent', 'survey_answered', 'quality_evaluated')),
    occurred_at timestamptz NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    agent_id    integer REFERENCES agents (id),
    queue_id    integer REFERENCES queues (id),
    data        jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX ticket_events_follow ON ticket_events (tx, id);
CREATE INDEX ticket_events_ticket ON ticket_events (ticket_id, id);
-- Each escalation level happens once per ticket, whatever a sweep or a redelivered task does.
CREATE UNIQUE INDEX ticket_events_escalated_once ON ticket_events (ticket_id, (data ->> 'level'))
    WHERE type = 'escalated';

CREATE FUNCTION ticket_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ticket_events is append-only';
END $$;
CREATE TRIGGER ticket_events_append_only BEFORE UPDATE OR DELETE ON ticket_events
    FOR EACH ROW EXECUTE FUNCTION ticket_events_append_only();

-- Messages to customers or supervisors, collected by channel integrations or delivered by a sender.
CREATE TABLE outbound_messages (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id    bigint REFERENCES tickets (id),
    customer_id  bigint REFERENCES customers (id),
    channel      text NOT NULL CHECK (channel IN ('phone', 'chat', 'email', 'mobile', 'web')),
    kind         text NOT NULL CHECK (kind IN ('survey', 'notification', 'reply', 'faq_answer')),
    recipient    text NOT NULL DEFAULT '',
    body         text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    delivered_at timestamptz
);
CREATE INDEX outbound_pending ON outbound_messages (channel, id) WHERE delivered_at IS NULL;

-- One survey per ticket; the token is stored as a digest and used once.
CREATE TABLE surveys (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id   bigint NOT NULL UNIQUE REFERENCES tickets (id),
    token_hash  bytea NOT NULL UNIQUE,
    message_id  bigint REFERENCES outbound_messages (id),
    sent_at     timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    score       smallint CHECK (score BETWEEN 1 AND 5),
    resolved    boolean,
    comment     text,
    answered_at timestamptz,
    CHECK ((score IS NULL) = (answered_at IS NULL))
);

CREATE TABLE quality_evaluations (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id    bigint NOT NULL REFERENCES tickets (id),
    evaluator_id integer NOT NULL REFERENCES api_credentials (id),
    score        numeric(5, 2) NOT NULL CHECK (score BETWEEN 0 AND 100),
    comment      text NOT NULL DEFAULT '',
    evaluated_at timestamptz NOT NULL
);
CREATE INDEX quality_evaluations_ticket ON quality_evaluations (ticket_id);
