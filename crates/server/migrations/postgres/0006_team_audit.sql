-- Administrators manage the team from the console: an account can be deactivated (it keeps its name
-- on past messages, but can no longer sign in), and every change to the team lands in an audit log
-- (who, when, what, before and after, as JSON).
ALTER TABLE agents ADD COLUMN deactivated_at BIGINT;
CREATE TABLE audit_log (
    id BIGSERIAL PRIMARY KEY,
    at BIGINT NOT NULL,
    actor_id BIGINT,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    before TEXT,
    after TEXT
);
CREATE INDEX audit_log_by_time ON audit_log (at);
