-- The telephony and messaging webhooks (Twilio voice and messages, WhatsApp Cloud): each provider
-- event taken once, and the conversation a messaging ticket is in, so a follow-up joins it and a
-- reply goes back the way the customer wrote.
CREATE TABLE provider_events (
    provider    text NOT NULL,
    -- The provider's own id of the event: CallSid:CallStatus, MessageSid, a WhatsApp message id.
    event_id    text NOT NULL,
    ticket_id   bigint REFERENCES tickets (id),
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (provider, event_id)
);

CREATE TABLE messaging_threads (
    ticket_id  bigint PRIMARY KEY REFERENCES tickets (id),
    transport  text NOT NULL CHECK (transport IN ('sms', 'twilio_whatsapp', 'whatsapp_cloud')),
    -- The customer's number (E.164) and the centre's number or WhatsApp phone-number id it wrote to.
    customer   text NOT NULL,
    centre     text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX messaging_threads_by_customer ON messaging_threads (customer, transport, centre, created_at DESC);
