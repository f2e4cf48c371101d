-- The metrics service's own tables: each ticket's timeline and handling times (derived from
-- ticket_events, rebuilt from them at will) and the follower's position in ticket_events.

-- One row per ticket that has events; see services/metrics/timeline.py for how each column is derived.
-- No foreign keys: the table is derived data, and a rebuild or bulk load should not check a million keys.
CREATE TABLE ticket_metrics (
    ticket_id     bigint PRIMARY KEY,
    channel       text NOT NULL,
    -- The queue the ticket was last queued in (routed, transferred, handed to a human, reopened).
    queue_id      integer,
    customer_id   bigint NOT NULL,
    created_at    timestamptz NOT NULL,
    queued_at     timestamptz,
    answered_at   timestamptz,
    abandoned_at  timestamptz,
    -- The last resolution; NULL while a reopened ticket is open again.
    resolved_at   timestamptz,
    answered_by   integer,
    resolved_by   integer,
    wait_s        double precision,
    handle_s      double precision,
    segments      integer NOT NULL DEFAULT 0,
    transfers     integer NOT NULL DEFAULT 0,
    escalations   integer NOT NULL DEFAULT 0,
    reopens       integer NOT NULL DEFAULT 0,
    -- Answered automatically (FAQ) at intake; self_served: and never asked for a human.
    faq_answered  boolean NOT NULL DEFAULT false,
    self_served   boolean NOT NULL DEFAULT false,
    -- The newest event the row was computed from: a row is a pure function of events up to it.
    last_event_id bigint NOT NULL,
    recomputed_at timestamptz NOT NULL DEFAULT now()
);

-- Period queries: queue figures (offered, answered, abandoned, waits) go by queued_at, handling
-- figures by resolved_at, self-service by created_at. Each index carries the columns its figures
-- read, so a period's figures come from an index-only scan once autovacuum has marked the pages
-- all-visible. Rollups for the yearly report can come later without changing these rows.
CREATE INDEX ticket_metrics_queued ON ticket_metrics (queued_at)
    INCLUDE (channel, queue_id, answered_at, abandoned_at, wait_s) WHERE queued_at IS NOT NULL;
CREATE INDEX ticket_metrics_resolved ON ticket_metrics (resolved_at)
    INCLUDE (channel, queue_id, handle_s) WHERE resolved_at IS NOT NULL;
CREATE INDEX ticket_metrics_created ON ticket_metrics (created_at) INCLUDE (channel, queue_id, self_served);

-- Where a follower of ticket_events has got to, in (tx, id) order. The row is locked for the length
-- of each pass, so two metrics processes never apply the same batch at once.
CREATE TABLE metrics_cursor (
    name         text PRIMARY KEY,
    last_tx      xid8 NOT NULL DEFAULT '0',
    last_id      bigint NOT NULL DEFAULT 0,
    -- Every event committed before this moment is reflected in ticket_metrics.
    caught_up_at timestamptz,
    updated_at   timestamptz NOT NULL DEFAULT now()
);
INSERT INTO metrics_cursor (name) VALUES ('ticket_metrics') ON CONFLICT (name) DO NOTHING;
