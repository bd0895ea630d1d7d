-- One row that `/readyz` rewrites: a node is ready only when its database takes a write, so a full
-- disk or a read-only file is reported by the probe rather than by visitors' failed requests.
CREATE TABLE readiness_probe (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    checked_at INTEGER NOT NULL
);
