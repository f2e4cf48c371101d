-- `triage` takes what the classifier cannot place (or when it is away); the eight bank departments
-- are the default routing targets of the shipped keyword table. Deployments add their own queues.
INSERT INTO queues (name, description) VALUES
    ('triage', 'Inquiries no rule placed with confidence, or routed while the classifier was away'),
    ('cards', 'Card delivery, activation, PIN, card payments that fail'),
    ('transfers_payments', 'Transfers, card payments, direct debits'),
    ('top_up', 'Top-ups by card, cash or transfer'),
    ('account_identity', 'Account opening, identity verification, personal details'),
    ('fees_charges', 'Fees, charges and exchange-rate charges'),
    ('disputes_fraud', 'Disputed or unrecognised transactions, fraud, lost, stolen or compromised cards'),
    ('exchange_currency', 'Currency exchange and foreign-currency support'),
    ('general', 'Everything else a bank customer asks')
ON CONFLICT (name) DO NOTHING;
