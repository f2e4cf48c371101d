-- The routers' wake-up, sent after the commit by writers that say so. A NOTIFY inside a writing
-- transaction makes its commit wait for every other notifying commit (PostgreSQL holds one lock
-- from queueing the notification through the commit's WAL flush), so intakes and agents' actions
-- could not share WAL flushes and topped out near one client's commit rate (docs/scaling.md).
-- A session that sets `ticketing.wake_after_commit = on` (the gateway's pool, at connect) sends
-- `NOTIFY routing` itself once its transaction committed (gateway/actions/routing_waker.py); every
-- other writer (workers, router, admin, SQL by hand) is woken for as before. A wake-up lost
-- between a commit and its NOTIFY (a crash) is covered by the routers' tick (ROUTER_TICK_MS).
CREATE OR REPLACE FUNCTION routing_wake() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('ticketing.wake_after_commit', true) IS DISTINCT FROM 'on' THEN
        PERFORM pg_notify('routing', '');
    END IF;
    RETURN NULL;
END $$;
