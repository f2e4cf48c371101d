-- Verified identities: only an identity the channel vouches for (the caller line on the phone, a
-- checked sender on e-mail, the app's signed-in user, or one the integration asserts) leads to a
-- customer and merges records. An unverified one (an e-mail address typed into a phone inquiry) is
-- kept on the customer who gave it, for the agent to read, and followed by nothing: the same value
-- may sit unverified on many customers, but verified on one only.
ALTER TABLE customer_identities ADD COLUMN verified boolean NOT NULL DEFAULT false;

-- Identities recorded before this were all trusted; kept as verified those a ticket of the customer
-- arrived by natively (the channel's own kind of identity: the caller's number on a phone ticket).
UPDATE customer_identities ci SET verified = true
WHERE EXISTS (
    SELECT 1 FROM tickets t
    WHERE t.customer_id = ci.customer_id
      AND ci.kind = CASE t.channel WHEN 'phone' THEN 'phone' WHEN 'email' THEN 'email'
                                   WHEN 'mobile' THEN 'app_user' WHEN 'web' THEN 'web_user'
                                   WHEN 'chat' THEN 'chat_visitor' END
);

ALTER TABLE customer_identities DROP CONSTRAINT customer_identities_pkey;
ALTER TABLE customer_identities ADD PRIMARY KEY (kind, value, customer_id);
CREATE UNIQUE INDEX customer_identities_verified_once ON customer_identities (kind, value) WHERE verified;

-- The customer's address on the ticket's own channel, as the inquiry gave it: replies and surveys go
-- there, never to another identity the customer record may hold. NULL on tickets from before.
ALTER TABLE tickets ADD COLUMN reply_to text;
