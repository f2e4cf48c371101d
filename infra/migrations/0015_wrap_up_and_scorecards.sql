-- Wrap-up (after-contact work) as an agent state, quality scorecards, and an index for occupancy.

-- An agent who resolves, transfers or escalates a ticket they answered is in wrap-up until they
-- end it (or change presence, or pull work) or the limit passes: the router offers them nothing
-- meanwhile. The ticket whose wrap-up it is carries the `wrap_up_started` / `wrap_up_ended` events.
ALTER TABLE agents
    ADD COLUMN wrap_up_until     timestamptz,
    ADD COLUMN wrap_up_ticket_id bigint REFERENCES tickets (id);

-- New event types, added to whatever the list is by now. Since 0006 the constraint reads
-- `type = ANY ('{a,b,...}'::text[])`: the names are the words between the braces.
DO $$
DECLARE
    allowed text[];
BEGIN
    SELECT array_agg(DISTINCT m[1]) INTO allowed
    FROM pg_constraint c,
         regexp_matches(substring(pg_get_constraintdef(c.oid) FROM '\{([a-z_,]+)\}'), '([a-z_]+)', 'g') AS m
    WHERE c.conrelid = 'ticket_events'::regclass AND c.conname = 'ticket_events_type_check';
    IF allowed IS NULL THEN
        RETURN;  -- no list to extend: every type is allowed already
    END IF;
    allowed := allowed || ARRAY['wrap_up_started', 'wrap_up_ended'];
    ALTER TABLE ticket_events DROP CONSTRAINT ticket_events_type_check;
    EXECUTE format('ALTER TABLE ticket_events ADD CONSTRAINT ticket_events_type_check CHECK (type = ANY (%L::text[]))',
        (SELECT array_agg(DISTINCT t ORDER BY t) FROM unnest(allowed) AS t));
END $$;

-- Occupancy reads the handling events of a period (answers, their ends, wrap-ups) by time.
CREATE INDEX ticket_events_handling ON ticket_events (occurred_at)
    WHERE type IN ('answered', 'resolved', 'transferred', 'escalated', 'released',
                   'wrap_up_started', 'wrap_up_ended');

-- routing_offer as in 0005, and an agent in wrap-up is offered nothing: looked at under the agent's
-- lock, as presence is, so a router that read the agent before the resolution cannot slip one in.
CREATE OR REPLACE FUNCTION routing_offer(p_ticket bigint, p_agent integer, p_ttl interval, p_reason jsonb)
RETURNS bigint LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_presence text;
    v_wrap_up timestamptz;
    v_ticket record;
    v_offer bigint;
    v_at timestamptz := clock_timestamp();
BEGIN
    SELECT presence, wrap_up_until INTO v_presence, v_wrap_up
    FROM agents WHERE id = p_agent AND active FOR UPDATE SKIP LOCKED;
    IF NOT FOUND OR v_presence <> 'available' OR v_wrap_up > v_at THEN
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

-- Quality scorecards: weighted criteria per queue or channel (neither: the centre's default card).
-- An evaluation scores each criterion of the card 0-100; its total, the weighted mean, is the
-- evaluation's score (quality_evaluations.score), which the quality KPI averages.
CREATE TABLE quality_criteria (
    id        integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    queue_id  integer REFERENCES queues (id),
    channel   text CHECK (channel IN ('phone', 'chat', 'email', 'mobile', 'web')),
    key       text NOT NULL CHECK (key ~ '^[a-z][a-z0-9_]{0,62}$'),
    name_ar   text NOT NULL,
    name_en   text NOT NULL,
    weight    numeric(6, 2) NOT NULL CHECK (weight > 0),
    position  smallint NOT NULL DEFAULT 0,
    active    boolean NOT NULL DEFAULT true,
    CHECK (queue_id IS NULL OR channel IS NULL)
);
CREATE UNIQUE INDEX quality_criteria_key ON quality_criteria
    (coalesce(queue_id, 0), coalesce(channel, ''), key);

CREATE TABLE quality_evaluation_scores (
    evaluation_id bigint NOT NULL REFERENCES quality_evaluations (id),
    criterion_id  integer NOT NULL REFERENCES quality_criteria (id),
    score         numeric(5, 2) NOT NULL CHECK (score BETWEEN 0 AND 100),
    PRIMARY KEY (evaluation_id, criterion_id)
);

INSERT INTO quality_criteria (key, name_ar, name_en, weight, position) VALUES
    ('greeting', 'التحية والتعريف بالنفس', 'Greeting and introduction', 10, 1),
    ('understanding', 'فهم طلب العميل', 'Understanding the request', 25, 2),
    ('resolution', 'صحة الحل واكتماله', 'Correct and complete resolution', 40, 3),
    ('courtesy', 'اللباقة والتعاطف', 'Courtesy and empathy', 15, 4),
    ('closing', 'الختام وتأكيد الرضا', 'Closing and confirmation', 10, 5);
