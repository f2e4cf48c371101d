-- Where each page of an attachment starts in its stored text (character offsets, the first 0), so
-- the passages shown to the agent and quoted to the customer name their page. Documents stored
-- before have none ('{}'): their passages have no page.
ALTER TABLE ticket_documents ADD COLUMN page_starts integer[] NOT NULL DEFAULT '{}';
