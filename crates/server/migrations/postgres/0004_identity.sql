-- Signed identity: the customer a session belongs to (believed only when `customer_verified`), more
-- than one token for one session (a verified customer's devices share their session), and the proofs
-- already used, so a proof lifted from one visitor's page cannot sign in another device.
ALTER TABLE visitor_sessions ADD COLUMN customer_id TEXT;
ALTER TABLE visitor_sessions ADD COLUMN customer_name TEXT;
ALTER TABLE visitor_sessions ADD COLUMN customer_verified BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX visitor_sessions_by_customer ON visitor_sessions (site, customer_id) WHERE customer_verified;

CREATE TABLE session_tokens (
    token_hash BYTEA PRIMARY KEY,
    session_id BIGINT NOT NULL REFERENCES visitor_sessions (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL
);
CREATE INDEX session_tokens_by_session ON session_tokens (session_id);

CREATE TABLE identity_proofs (
    digest BYTEA PRIMARY KEY,
    session_id BIGINT NOT NULL REFERENCES visitor_sessions (id) ON DELETE CASCADE,
    expires_at BIGINT NOT NULL
);
CREATE INDEX identity_proofs_by_session ON identity_proofs (session_id);
