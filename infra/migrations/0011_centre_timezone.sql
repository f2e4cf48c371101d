-- The centre's clock: kpi_daily and kpi_monthly are cut into days and months in one IANA time zone
-- (CENTRE_TIMEZONE), recorded here with the follower's cursor. Every rollup built so far was cut in
-- UTC. A metrics process configured with another zone rebuilds the rollups (and this column) before
-- it serves, and its follower never adds to rollups cut in a zone other than its own.
ALTER TABLE metrics_cursor ADD COLUMN IF NOT EXISTS rollup_zone text NOT NULL DEFAULT 'UTC';
