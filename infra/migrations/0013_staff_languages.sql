-- The language each agent reads their console in (null: not chosen yet, the browser's is used), and
-- each queue's display names in Arabic and English beside its stable id (`name`), for pages and the API.
ALTER TABLE agents ADD COLUMN language text CHECK (language IN ('ar', 'en'));

ALTER TABLE queues ADD COLUMN display_names jsonb NOT NULL DEFAULT '{}'::jsonb
    CHECK (jsonb_typeof(display_names) = 'object');

UPDATE queues SET display_names = v.names::jsonb
FROM (VALUES
    ('triage', '{"ar": "الفرز", "en": "Triage"}'),
    ('cards', '{"ar": "البطاقات", "en": "Cards"}'),
    ('transfers_payments', '{"ar": "التحويلات والمدفوعات", "en": "Transfers and payments"}'),
    ('top_up', '{"ar": "تعبئة الرصيد", "en": "Top-ups"}'),
    ('account_identity', '{"ar": "الحساب والهوية", "en": "Account and identity"}'),
    ('fees_charges', '{"ar": "الرسوم", "en": "Fees and charges"}'),
    ('disputes_fraud', '{"ar": "الاعتراضات والاحتيال", "en": "Disputes and fraud"}'),
    ('exchange_currency', '{"ar": "صرف العملات", "en": "Currency exchange"}'),
    ('general', '{"ar": "عام", "en": "General"}')
) AS v (name, names)
WHERE queues.name = v.name AND queues.display_names = '{}'::jsonb;
