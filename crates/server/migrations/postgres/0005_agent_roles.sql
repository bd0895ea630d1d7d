-- Console roles: `administrator` (everything), `agent` (the front desk: conversations, callbacks,
-- community moderation), `editor` (the FAQ and the report). Accounts made before roles could do
-- everything, so they stay administrators until one narrows them.
ALTER TABLE agents ADD COLUMN role TEXT NOT NULL DEFAULT 'administrator'
    CHECK (role IN ('administrator', 'agent', 'editor'));
