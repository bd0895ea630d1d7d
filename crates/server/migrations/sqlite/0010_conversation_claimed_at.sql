-- When an agent first took a conversation: with `created_at` and `closed_at` it measures how long
-- visitors waited and how long agents spent per conversation, which the waits shown to visitors use.
ALTER TABLE conversations ADD COLUMN claimed_at INTEGER;
CREATE INDEX conversations_by_site_and_claim ON conversations (site, claimed_at);
