-- Occupancy's daily rollup (docs/kpis.md, "Occupancy"): per day of the centre's clock and agent, the
-- pieces the formula sums, so a yearly report reads a few thousand rows instead of every handling
-- event of the year. Written by the metrics follower and `python -m services.metrics rebuild`.

-- One row per day and agent with available or handling time that day: seconds available, seconds
-- handling (concurrent work once), and handling per queue (the ticket's queue when computed) and
-- channel, as JSON objects of seconds. Who serves which queue is applied when read.
CREATE TABLE occupancy_daily (
    day         date NOT NULL,
    agent_id    integer NOT NULL,
    available_s double precision NOT NULL,
    handling_s  double precision NOT NULL,
    by_queue    jsonb NOT NULL,
    by_channel  jsonb NOT NULL,
    PRIMARY KEY (day, agent_id)
);

-- The days computed, and the instant each was computed up to: a day is read from the rollup only
-- when computed up to its end. NULL: an event touched the day since (to compute again).
CREATE TABLE occupancy_days (
    day            date PRIMARY KEY,
    computed_until timestamptz
);
