-- A waiting customer's estimated wait (gateway/actions/waits.py) takes the mean handling time of the
-- queue's last 200 resolved tickets (services/shared/store/tickets/queueing.py QUEUE_LOAD). Without
-- an index in that order each estimate read and sorted every resolved ticket the queue ever had: in
-- a simulated year it was the busiest statement in PostgreSQL by its seventh month. This index holds
-- resolved, answered tickets only, in the order the estimate reads them.
CREATE INDEX tickets_queue_recent_resolved ON tickets (queue_id, resolved_at DESC)
    WHERE status = 'resolved' AND answered_at IS NOT NULL;
