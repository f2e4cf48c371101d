-- The full KPI set and the yearly report: per-ticket FCR, survey and quality columns in
-- ticket_metrics, and daily rollups the follower keeps in step with it (services/metrics/rollup.py).

ALTER TABLE ticket_metrics
    -- The queue the ticket was opened in (its first `routed` event): what a later contact is
    -- compared with for first-contact resolution.
    ADD COLUMN opened_queue_id integer,
    -- First-contact resolution; NULL unless resolved. It depends on the customer's later tickets too,
    -- so the follower sets it again when one arrives (services/metrics/follower.py).
    ADD COLUMN fcr            boolean,
    ADD COLUMN survey_score   smallint,
    ADD COLUMN surveyed_at    timestamptz,
    -- Every quality evaluation of the ticket (time and score 0-100), in event order.
    ADD COLUMN quality_at     timestamptz[] NOT NULL DEFAULT '{}',
    ADD COLUMN quality_scores double precision[] NOT NULL DEFAULT '{}',
    -- From the first to the last evaluation: lets a period's edge find evaluated tickets by index.
    ADD COLUMN quality_span   tstzrange,
    -- How long the gateway's classification took (the `routed` event's classify_ms).
    ADD COLUMN classify_ms    double precision;

-- First-contact resolution: a customer's tickets by opening queue and time (a later contact),
-- and a customer's resolved tickets (the earlier tickets a new one may turn into repeat contacts).
CREATE INDEX ticket_metrics_contacts ON ticket_metrics (customer_id, opened_queue_id, created_at);
CREATE INDEX ticket_metrics_customer_resolved ON ticket_metrics (customer_id, resolved_at)
    WHERE resolved_at IS NOT NULL;
-- A period's partial first and last days are read from ticket_metrics by each figure's own time.
CREATE INDEX ticket_metrics_surveyed ON ticket_metrics (surveyed_at) WHERE surveyed_at IS NOT NULL;
CREATE INDEX ticket_metrics_quality ON ticket_metrics USING gist (quality_span)
    WHERE quality_span IS NOT NULL;

-- Sums per UTC day, channel, queue and agent (0: none) of what each ticket contributes to the
-- figures, each family on its own day: queued_at (offered ... answered_in_time), resolved_at
-- (resolved ... fcr_resolved), created_at (incoming ... classify_le_*), the survey reply
-- (survey_*) and each quality evaluation (evaluations, quality_centi). The agent is who answered
-- (queued family) or who resolved (the others). A whole day's figures are sums of these rows; the
-- follower adds each recomputed ticket's new contribution and takes away its old one in the
-- transaction that moves its cursor, so the rollups always equal a sum over ticket_metrics.
CREATE TABLE kpi_daily (
    day              date NOT NULL,
    channel          text NOT NULL,
    queue_id         integer NOT NULL,
    agent_id         integer NOT NULL,
    offered          bigint NOT NULL DEFAULT 0,
    answered         bigint NOT NULL DEFAULT 0,
    abandoned        bigint NOT NULL DEFAULT 0,
    -- Durations in whole microseconds and scores in hundredths: integer sums stay exact whatever
    -- order contributions are added and taken away in, so following and rebuilding agree to the bit.
    answered_wait_us bigint NOT NULL DEFAULT 0,
    abandoned_wait_us bigint NOT NULL DEFAULT 0,
    -- Answered within the channel's default service-level threshold.
    answered_in_time bigint NOT NULL DEFAULT 0,
    resolved         bigint NOT NULL DEFAULT 0,
    handled          bigint NOT NULL DEFAULT 0,
    handle_us        bigint NOT NULL DEFAULT 0,
    fcr_resolved     bigint NOT NULL DEFAULT 0,
    incoming         bigint NOT NULL DEFAULT 0,
    faq_answered     bigint NOT NULL DEFAULT 0,
    self_served      bigint NOT NULL DEFAULT 0,
    escalations      bigint NOT NULL DEFAULT 0,
    classified       bigint NOT NULL DEFAULT 0,
    classify_us      bigint NOT NULL DEFAULT 0,
    -- Cumulative histogram of classify_ms (tickets at or below each bound, in ms).
    classify_le_5    bigint NOT NULL DEFAULT 0,
    classify_le_10   bigint NOT NULL DEFAULT 0,
    classify_le_25   bigint NOT NULL DEFAULT 0,
    classify_le_50   bigint NOT NULL DEFAULT 0,
    classify_le_100  bigint NOT NULL DEFAULT 0,
    classify_le_250  bigint NOT NULL DEFAULT 0,
    classify_le_500  bigint NOT NULL DEFAULT 0,
    classify_le_1000 bigint NOT NULL DEFAULT 0,
    survey_replies   bigint NOT NULL DEFAULT 0,
    survey_happy     bigint NOT NULL DEFAULT 0,
    evaluations      bigint NOT NULL DEFAULT 0,
    -- Sum of scores in hundredths of a point (88.40 of 100 is 8840).
    quality_centi    bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (day, channel, queue_id, agent_id)
);

-- The same sums per calendar month (UTC; `month` is its first day): a year is twelve months of a
-- few hundred rows, where kpi_daily holds hundreds of thousands for a busy centre. Kept by the
-- follower in the same transaction as kpi_daily, so each month is the sum of its days.
CREATE TABLE kpi_monthly (LIKE kpi_daily INCLUDING DEFAULTS);
ALTER TABLE kpi_monthly RENAME COLUMN day TO month;
ALTER TABLE kpi_monthly ADD PRIMARY KEY (month, channel, queue_id, agent_id),
    ADD CHECK (extract(day FROM month) = 1);

-- All-time totals per channel and the queue a ticket was opened in (which never changes, so every
-- total only grows): the Prometheus counters of intake, escalations, survey replies and the
-- classification-time histogram. Kept by the follower like kpi_daily; same columns, fewer used.
CREATE TABLE kpi_totals (LIKE kpi_daily INCLUDING DEFAULTS);
ALTER TABLE kpi_totals DROP COLUMN day, DROP COLUMN queue_id, DROP COLUMN agent_id,
    ADD COLUMN opened_queue_id integer NOT NULL, ADD PRIMARY KEY (channel, opened_queue_id);
