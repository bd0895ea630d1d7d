-- Rate limits shared by the nodes: one row per limit and client, its window starting at the first
-- request (as the in-memory limits of one node do), so a burst cannot straddle a clock boundary to get
-- twice the limit. UNLOGGED: counts lost with a crash of the database only give a client a fresh
-- window, and the table is written at every request.
CREATE UNLOGGED TABLE rate_windows (
    key TEXT PRIMARY KEY,
    hits INTEGER NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX rate_windows_by_expiry ON rate_windows (expires_at);
