-- Events the metrics follower could not process, each with the reason: set aside so that one bad
-- event never stops the counting of the others (services/metrics/follower.py says how a ticket
-- with a set-aside event is counted). Supervisors list them; a rebuild may retry them.
-- No foreign keys, like ticket_metrics: the metrics service's own derived data.
CREATE TABLE event_set_aside (
    event_id     bigint PRIMARY KEY,
    ticket_id    bigint NOT NULL,
    reason       text NOT NULL,
    set_aside_at timestamptz NOT NULL DEFAULT now()
);
-- A ticket's set-aside events are left out each time its row is recomputed.
CREATE INDEX event_set_aside_ticket ON event_set_aside (ticket_id);
