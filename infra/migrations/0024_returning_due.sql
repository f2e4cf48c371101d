-- A returning customer's message (gateway/actions/proactive_intake.py) was written after the intake's
-- commit: a gateway that died between the two lost it. The intake statement now leaves a `returning`
-- row in proactive_due in the ticket's own transaction; the gateway decides it at once and clears it,
-- and the proactive sweep decides whatever a crash left behind (services/workers/proactive.py).
ALTER TABLE proactive_due DROP CONSTRAINT proactive_due_kind_check;
ALTER TABLE proactive_due ADD CONSTRAINT proactive_due_kind_check
    CHECK (kind IN ('taken', 'resolved', 'returning'));
