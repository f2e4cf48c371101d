-- Routing to agents: presence with every state interval recorded, skills, languages, capacity per
-- channel, offers (reservations with a timeout), reserved transfers to one agent, and the events
-- of offers and of the conversation's thread.

-- Presence: `available` takes offers, `away` is signed in but takes none, `offline` is signed out.
ALTER TABLE agents
    ADD COLUMN presence text NOT NULL DEFAULT 'offline' CHECK (presence IN ('available', 'away', 'offline')),
    ADD COLUMN presence_since timestamptz NOT NULL DEFAULT now(),
    -- When the agent last got work (an offer or a claim): "longest idle" ranks by it.
    ADD COLUMN last_assigned_at timestamptz NOT NULL DEFAULT 'epoch';

-- Every presence interval, for occupancy: one open interval (ended_at NULL) per agent.
CREATE TABLE agent_presence_intervals (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    agent_id   integer NOT NULL REFERENCES agents (id),
    presence   text NOT NULL CHECK (presence IN ('available', 'away', 'offline')),
    started_at timestamptz NOT NULL,
    ended_at   timestamptz,
    CHECK (ended_at IS NULL OR ended_at >= started_at)
);
CREATE UNIQUE INDEX agent_presence_open ON agent_presence_intervals (agent_id) WHERE ended_at IS NULL;
CREATE INDEX agent_presence_span ON agent_presence_intervals (started_at, agent_id);

INSERT INTO agent_presence_intervals (agent_id, presence, started_at)
SELECT id, presence, created_at FROM agents;

-- Triggers rather than a store function: whatever changes an agent's presence (the API, a
-- disconnect, an admin's SQL), the intervals stay complete and dated.
CREATE FUNCTION agents_presence_since() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.presence IS DISTINCT FROM OLD.presence AND NEW.presence_since = OLD.presence_since THEN
        NEW.presence_since := clock_timestamp();
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER agents_presence_since BEFORE UPDATE OF presence ON agents
    FOR EACH ROW EXECUTE FUNCTION agents_presence_since();

CREATE FUNCTION agents_presence_intervals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF NEW.presence IS NOT DISTINCT FROM OLD.presence THEN
            RETURN NULL;
        END IF;
        UPDATE agent_presence_intervals SET ended_at = greatest(started_at, NEW.presence_since)
        WHERE agent_id = NEW.id AND ended_at IS NULL;
    END IF;
    INSERT INTO agent_presence_intervals (agent_id, presence, started_at)
    VALUES (NEW.id, NEW.presence, NEW.presence_since);
    RETURN NULL;
END $$;
CREATE TRIGGER agents_presence_intervals AFTER INSERT OR UPDATE OF presence ON agents
    FOR EACH ROW EXECUTE FUNCTION agents_presence_intervals();

CREATE TABLE agent_skills (
    agent_id    integer NOT NULL REFERENCES agents (id),
    skill       text NOT NULL CHECK (skill ~ '^[a-z][a-z0-9_]{0,62}$'),
    proficiency smallint NOT NULL CHECK (proficiency BETWEEN 1 AND 5),
    PRIMARY KEY (agent_id, skill)
);

CREATE TABLE agent_languages (
    agent_id integer NOT NULL REFERENCES agents (id),
    language text NOT NULL CHECK (language ~ '^[a-z]{2,3}$'),
    PRIMARY KEY (agent_id, language)
);

-- How many tickets of a channel an agent holds at once (offers pending count too). The defaults
-- are rows the deployment may edit; an agent's own row overrides them.
CREATE TABLE default_capacity (
    channel        text PRIMARY KEY CHECK (channel IN ('phone', 'chat', 'email', 'mobile', 'web')),
    max_concurrent smallint NOT NULL CHECK (max_concurrent >= 0)
);
INSERT INTO default_capacity (channel, max_concurrent)
VALUES ('phone', 1), ('chat', 3), ('email', 5), ('web', 5), ('mobile', 5);

CREATE TABLE agent_capacity (
    agent_id       integer NOT NULL REFERENCES agents (id),
    channel        text NOT NULL CHECK (channel IN ('phone', 'chat', 'email', 'mobile', 'web')),
    max_concurrent smallint NOT NULL CHECK (max_concurrent >= 0),
    PRIMARY KEY (agent_id, channel)
);

-- What each agent holds now, counted for every routing decision.
CREATE INDEX tickets_held ON tickets (assigned_agent_id, channel) WHERE status IN ('claimed', 'answered');

-- A transfer to one agent: the ticket waits for that agent's acceptance before anyone else's.
ALTER TABLE tickets ADD COLUMN reserved_agent_id integer REFERENCES agents (id);

-- An offer reserves a waiting ticket for one agent until it is decided or expires. A ticket has
-- at most one pending offer (the unique index), so two routers can never offer it twice.
CREATE TABLE ticket_offers (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id  bigint NOT NULL REFERENCES tickets (id),
    agent_id   integer NOT NULL REFERENCES agents (id),
    queue_id   integer NOT NULL REFERENCES queues (id),
    channel    text NOT NULL,
    offered_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    outcome    text CHECK (outcome IN ('accepted', 'rejected', 'timed_out', 'withdrawn')),
    decided_at timestamptz,
    -- Why the router chose this agent (the rule and step that made them eligible).
    reason     jsonb NOT NULL DEFAULT '{}',
    CHECK ((outcome IS NULL) = (decided_at IS NULL))
);
CREATE UNIQUE INDEX ticket_offers_one_pending ON ticket_offers (ticket_id) WHERE outcome IS NULL;
CREATE INDEX ticket_offers_agent_pending ON ticket_offers (agent_id, channel) WHERE outcome IS NULL;
CREATE INDEX ticket_offers_expiry ON ticket_offers (expires_at) WHERE outcome IS NULL;
CREATE INDEX ticket_offers_ticket ON ticket_offers (ticket_id, id);

ALTER TABLE ticket_events DROP CONSTRAINT ticket_events_type_check;
ALTER TABLE ticket_events ADD CONSTRAINT ticket_events_type_check CHECK (type IN ('created', 'routed',
    'claimed', 'released', 'answered', 'transferred', 'escalated', 'resolved', 'reopened', 'abandoned',
    'self_served', 'human_requested', 'survey_sent', 'survey_answered', 'quality_evaluated',
    -- An offer made, and one that was not taken (rejected, timed out, withdrawn).
    'offered', 'offer_missed',
    -- The thread: the customer wrote again; an agent replied.
    'customer_message', 'agent_message'));

-- The load an agent carries on a channel: tickets held plus offers pending.
CREATE FUNCTION routing_load(p_agent integer, p_channel text) RETURNS bigint
LANGUAGE sql VOLATILE AS $$
    SELECT (SELECT count(*) FROM tickets
            WHERE assigned_agent_id = p_agent AND status IN ('claimed', 'answered') AND channel = p_channel)
         + (SELECT count(*) FROM ticket_offers
            WHERE agent_id = p_agent AND outcome IS NULL AND channel = p_channel)
$$;

CREATE FUNCTION routing_capacity(p_agent integer, p_channel text) RETURNS integer
LANGUAGE sql STABLE AS $$
    SELECT coalesce(
        (SELECT max_concurrent FROM agent_capacity WHERE agent_id = p_agent AND channel = p_channel),
        (SELECT max_concurrent FROM default_capacity WHERE channel = p_channel),
        0)
$$;

-- Offers `p_ticket` to `p_agent`; returns the offer's id, or NULL when it may not be offered now
-- (the agent is busy in another router's transaction, not available, or full; the ticket is gone,
-- held, already offered, or reserved for someone else).
--
-- In PL/pgSQL because capacity needs a fresh look after the agent's lock is taken: a VOLATILE
-- function's statements each take a new snapshot, so the load counted after the lock includes
-- every offer and claim committed by whoever held it before. One plain statement cannot do that
-- (its snapshot predates its locks), and a client-side transaction would cost more round trips.
CREATE FUNCTION routing_offer(p_ticket bigint, p_agent integer, p_ttl interval, p_reason jsonb)
RETURNS bigint LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_presence text;
    v_ticket record;
    v_offer bigint;
    v_at timestamptz := clock_timestamp();
BEGIN
    SELECT presence INTO v_presence FROM agents WHERE id = p_agent AND active FOR UPDATE SKIP LOCKED;
    IF NOT FOUND OR v_presence <> 'available' THEN
        RETURN NULL;
    END IF;
    SELECT id, channel, queue_id INTO v_ticket FROM tickets
    WHERE id = p_ticket AND status = 'queued'
      AND (reserved_agent_id IS NULL OR reserved_agent_id = p_agent)
    FOR UPDATE SKIP LOCKED;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    IF EXISTS (SELECT 1 FROM ticket_offers WHERE ticket_id = p_ticket AND outcome IS NULL) THEN
        RETURN NULL;
    END IF;
    IF routing_load(p_agent, v_ticket.channel) >= routing_capacity(p_agent, v_ticket.channel) THEN
        RETURN NULL;
    END IF;
    INSERT INTO ticket_offers (ticket_id, agent_id, queue_id, channel, offered_at, expires_at, reason)
    VALUES (p_ticket, p_agent, v_ticket.queue_id, v_ticket.channel, v_at, v_at + p_ttl, p_reason)
    RETURNING id INTO v_offer;
    UPDATE agents SET last_assigned_at = v_at WHERE id = p_agent;
    INSERT INTO ticket_events (ticket_id, type, occurred_at, agent_id, queue_id, data)
    VALUES (p_ticket, 'offered', greatest(v_at, (SELECT last_event_at FROM tickets WHERE id = p_ticket)),
            p_agent, v_ticket.queue_id, jsonb_build_object('offer_id', v_offer) || p_reason);
    PERFORM pg_notify('ticket_offers', json_build_object(
        'offer_id', v_offer, 'agent_id', p_agent, 'ticket_id', p_ticket, 'state', 'pending',
        'expires_at', v_at + p_ttl)::text);
    RETURN v_offer;
END $$;

-- The router's pages of waiting tickets (services/shared/store/tickets.py WAITING) in their own
-- order, so a page is read from the index instead of sorting every queued ticket on each pass.
CREATE INDEX tickets_waiting_routing ON tickets ((-priority), (coalesce(queued_at, created_at)), id)
    WHERE status = 'queued';

-- Pulling work: the agent's best waiting ticket (priority, then age) on a channel with room, not
-- under offer to anyone else and not reserved for another agent. A ticket under offer to this agent
-- may be pulled: that accepts the offer (its slot is already counted). Locks the agent first for
-- the same reason as routing_offer. Returns the claimed ticket's id, or NULL. The agent's own pending
-- offer is locked with SKIP LOCKED: waiting for one being accepted or timed out at that moment could
-- deadlock with the accept, which locks the offer first and then the ticket (the pull holds the ticket).
CREATE FUNCTION routing_claim(p_agent integer, p_at timestamptz) RETURNS bigint
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_ticket bigint;
    v_offer bigint;
    v_passed bigint[] := '{}';
    v_presence text;
BEGIN
    -- Looked at again under the lock: the gateway's presence check ran in an earlier transaction,
    -- and an agent deactivated or gone away since then takes nothing.
    SELECT presence INTO v_presence FROM agents WHERE id = p_agent AND active FOR UPDATE;
    IF NOT FOUND OR v_presence = 'away' THEN
        RETURN NULL;
    END IF;
    LOOP
        SELECT t.id INTO v_ticket FROM tickets t
        WHERE t.status = 'queued' AND t.id <> ALL (v_passed)
          AND t.queue_id IN (SELECT queue_id FROM agent_queues WHERE agent_id = p_agent)
          AND (t.reserved_agent_id IS NULL OR t.reserved_agent_id = p_agent)
          AND NOT EXISTS (SELECT 1 FROM ticket_offers o
                          WHERE o.ticket_id = t.id AND o.outcome IS NULL AND o.agent_id <> p_agent)
          AND (t.channel IN (SELECT c.channel FROM default_capacity c
                             WHERE routing_load(p_agent, c.channel) < routing_capacity(p_agent, c.channel))
               OR EXISTS (SELECT 1 FROM ticket_offers o
                          WHERE o.ticket_id = t.id AND o.outcome IS NULL AND o.agent_id = p_agent))
        ORDER BY t.priority DESC, t.queued_at, t.id
        LIMIT 1
        FOR UPDATE OF t SKIP LOCKED;
        IF NOT FOUND THEN
            RETURN NULL;
        END IF;
        -- The checks above used the statement's snapshot: a router may have offered the ticket and
        -- committed just before this lock was taken. Looked at again now, with the lock held (no
        -- new offer can be made), in statements of their own (fresh snapshots).
        IF NOT EXISTS (SELECT 1 FROM ticket_offers
                       WHERE ticket_id = v_ticket AND outcome IS NULL AND agent_id <> p_agent) THEN
            -- This agent's own offer of it, if any, is taken over; one being accepted or timed out
            -- right now (locked) is passed over rather than waited for, which could deadlock with
            -- an accept (those lock the offer, then the ticket).
            SELECT id INTO v_offer FROM ticket_offers
            WHERE ticket_id = v_ticket AND outcome IS NULL AND agent_id = p_agent
            FOR UPDATE SKIP LOCKED;
            EXIT WHEN v_offer IS NOT NULL OR NOT EXISTS (
                SELECT 1 FROM ticket_offers WHERE ticket_id = v_ticket AND outcome IS NULL);
        END IF;
        v_passed := v_passed || v_ticket;
    END LOOP;
    IF v_offer IS NOT NULL THEN
        UPDATE ticket_offers SET outcome = 'accepted', decided_at = clock_timestamp() WHERE id = v_offer;
        PERFORM pg_notify('ticket_offers', json_build_object(
            'offer_id', v_offer, 'agent_id', p_agent, 'ticket_id', v_ticket, 'state', 'accepted')::text);
    END IF;
    UPDATE tickets SET status = 'claimed', assigned_agent_id = p_agent, reserved_agent_id = NULL,
        last_event_at = greatest(last_event_at, p_at)
    WHERE id = v_ticket;
    UPDATE agents SET last_assigned_at = clock_timestamp() WHERE id = p_agent;
    INSERT INTO ticket_events (ticket_id, type, occurred_at, agent_id, queue_id, data)
    SELECT id, 'claimed', last_event_at, p_agent, queue_id,
           CASE WHEN v_offer IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('offer_id', v_offer) END
    FROM tickets WHERE id = v_ticket;
    RETURN v_ticket;
END $$;

-- Wake the routers when there may be new work or new room: a ticket starts waiting or stops
-- being held, an offer is decided, an agent's presence changes. Identical notifications in one
-- transaction are folded into one by PostgreSQL, so a bulk change wakes each router once.
CREATE FUNCTION routing_wake() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('routing', '');
    RETURN NULL;
END $$;
CREATE TRIGGER tickets_routing_wake AFTER INSERT OR UPDATE OF status, queue_id, reserved_agent_id ON tickets
    FOR EACH ROW EXECUTE FUNCTION routing_wake();
CREATE TRIGGER ticket_offers_routing_wake AFTER UPDATE OF outcome ON ticket_offers
    FOR EACH ROW EXECUTE FUNCTION routing_wake();
CREATE TRIGGER agents_routing_wake AFTER UPDATE OF presence ON agents
    FOR EACH ROW EXECUTE FUNCTION routing_wake();

-- A customer's follow-up joins their open ticket as a `customer_message` event; a retry of the same
-- (channel, external_id) must not add it twice.
CREATE UNIQUE INDEX ticket_events_customer_message_once
    ON ticket_events ((data ->> 'channel'), (data ->> 'external_id')) WHERE type = 'customer_message';
