-- Administrators invite people by email and agents reset a forgotten password by email: each mail
-- carries a link that sets the account's password once, before it expires (only the token's hash is
-- kept). Sign-in counts wrong passwords in a row and locks the account for a while after too many.
CREATE TABLE agent_links (
    token_hash BYTEA PRIMARY KEY,
    agent_id BIGINT NOT NULL REFERENCES agents (id),
    purpose TEXT NOT NULL CHECK (purpose IN ('invitation', 'reset')),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX agent_links_by_agent ON agent_links (agent_id, purpose, created_at);
ALTER TABLE agents ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0;
ALTER TABLE agents ADD COLUMN locked_until BIGINT;
