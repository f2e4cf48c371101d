-- routing_claim (0005_routing) again, one change: a pull that takes over the agent's own pending
-- offer of the ticket locks that offer with SKIP LOCKED, passing over a ticket whose offer is being
-- accepted or timed out at that moment instead of waiting for it. Waiting could deadlock with an
-- accept, which locks the offer first and then the ticket (the pull holds the ticket).

-- Pulling work: the agent's best waiting ticket (priority, then age) on a channel with room, not
-- under offer to anyone else and not reserved for another agent. A ticket under offer to this agent
-- may be pulled: that accepts the offer (its slot is already counted). Locks the agent first for
-- the same reason as routing_offer. Returns the claimed ticket's id, or NULL.
CREATE OR REPLACE FUNCTION routing_claim(p_agent integer, p_at timestamptz) RETURNS bigint
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_ticket bigint;
    v_offer bigint;
    v_passed bigint[] := '{}';
BEGIN
    PERFORM 1 FROM agents WHERE id = p_agent FOR UPDATE;
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
