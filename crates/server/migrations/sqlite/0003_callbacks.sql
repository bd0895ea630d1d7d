-- Callback requests. The phone number and name are personal data: erased (set to NULL) a configured number
-- of days after the request is closed, and with the session that made it.
CREATE TABLE callbacks (
    id INTEGER PRIMARY KEY,
    public_id TEXT NOT NULL UNIQUE,
    site TEXT NOT NULL,
    session_id INTEGER NOT NULL REFERENCES visitor_sessions (id) ON DELETE CASCADE,
    -- A retried submit carries the same key: the unique pair makes it answer the first request.
    idempotency_key TEXT NOT NULL,
    request_hash BLOB NOT NULL,
    phone_e164 TEXT,
    phone_national TEXT,
    name TEXT,
    topic TEXT NOT NULL,
    locale TEXT NOT NULL,
    context TEXT NOT NULL,
    asap INTEGER NOT NULL,
    slot_start INTEGER NOT NULL,
    slot_end INTEGER NOT NULL,
    consent_version TEXT NOT NULL,
    consented_at INTEGER NOT NULL,
    status TEXT NOT NULL,
    agent_id INTEGER REFERENCES agents (id) ON DELETE SET NULL,
    outcome TEXT,
    notes TEXT NOT NULL DEFAULT '',
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    closed_at INTEGER,
    UNIQUE (session_id, idempotency_key)
);
CREATE INDEX callbacks_by_slot ON callbacks (site, slot_start);
CREATE INDEX callbacks_by_phone ON callbacks (phone_e164, created_at);

-- The webhook outbox: written in the transaction of the change, delivered in the background. It holds
-- no personal data; the body is built from the request when delivered.
CREATE TABLE webhook_deliveries (
    id INTEGER PRIMARY KEY,
    event_id TEXT NOT NULL UNIQUE,
    callback_id INTEGER NOT NULL REFERENCES callbacks (id) ON DELETE CASCADE,
    event TEXT NOT NULL,
    occurred_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    delivered_at INTEGER,
    failed_at INTEGER,
    last_error TEXT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE delivered_at IS NULL AND failed_at IS NULL;

-- When an agent last had the console open: "someone is free now" for "as soon as possible".
ALTER TABLE agents ADD COLUMN last_seen_at INTEGER;
