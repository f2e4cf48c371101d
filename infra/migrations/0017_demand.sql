-- Demand (docs/demand.md) counts tickets by the week they were created in: ten weeks a call, and a
-- year for the report. Without this index each call reads the whole table; with it, only those weeks.
CREATE INDEX tickets_created ON tickets (created_at);
