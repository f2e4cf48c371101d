-- Documents attached to inquiries (their text, extracted at intake, is for the agent) and agents'
-- corrections of the classifier's queue (kept to retrain it).

-- One row per attachment, written in the transaction that stores the ticket. The file itself is not
-- kept: only what was read from it, and a note when it could not be read (encrypted, broken, not a
-- PDF, too large, too slow).
CREATE TABLE ticket_documents (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id    bigint NOT NULL REFERENCES tickets (id),
    -- The attachment's place in the inquiry, from 1.
    position     smallint NOT NULL CHECK (position >= 1),
    filename     text NOT NULL,
    content_type text NOT NULL,
    bytes        integer NOT NULL CHECK (bytes >= 0),
    -- The document's page count; NULL when it could not be read.
    pages        integer CHECK (pages >= 0),
    text         text NOT NULL DEFAULT '',
    note         text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (ticket_id, position)
);

-- An agent moved a ticket to another queue: the ticket's text belonged there. Written in the
-- transfer's transaction; `python -m gateway.admin export-corrections` turns it into training data.
CREATE TABLE classifier_corrections (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id     bigint NOT NULL REFERENCES tickets (id),
    text          text NOT NULL,
    queue_id      integer NOT NULL REFERENCES queues (id),
    from_queue_id integer NOT NULL REFERENCES queues (id),
    agent_id      integer REFERENCES agents (id),
    -- The transfer's occurred_at.
    occurred_at   timestamptz NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX classifier_corrections_created ON classifier_corrections (created_at);
CREATE INDEX classifier_corrections_ticket ON classifier_corrections (ticket_id, id);
