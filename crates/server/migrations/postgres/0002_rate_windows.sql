-- Rate limits shared by the nodes: one row per limit, client and window. UNLOGGED: counts lost with a
-- crash of the database only give a client a fresh window, and the table is written at every request.
CREATE UNLOGGED TABLE rate_windows (
    key TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    hits INTEGER NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (key, window_start)
);
CREATE INDEX rate_windows_by_expiry ON rate_windows (expires_at);
