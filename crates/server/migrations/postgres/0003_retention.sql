-- Retention per site: when a session was last used (for `inactive_session_days`; moved at most once an
-- hour), and indexes for the maintenance pass that erases what each site no longer keeps.
ALTER TABLE visitor_sessions ADD COLUMN last_seen_at BIGINT NOT NULL DEFAULT 0;
UPDATE visitor_sessions SET last_seen_at = created_at;
CREATE INDEX visitor_sessions_by_last_seen ON visitor_sessions (site, last_seen_at);
CREATE INDEX conversations_by_closed_at ON conversations (site, closed_at) WHERE status = 'closed';
CREATE INDEX community_reports_by_created_at ON community_reports (created_at);
