-- Live chat: one open conversation per visitor session at most (the partial unique index makes two tabs
-- starting together share one), messages numbered per conversation without gaps.
CREATE TABLE conversations (
    id INTEGER PRIMARY KEY,
    public_id TEXT NOT NULL UNIQUE,
    site TEXT NOT NULL,
    session_id INTEGER NOT NULL REFERENCES visitor_sessions (id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    agent_id INTEGER REFERENCES agents (id) ON DELETE SET NULL,
    locale TEXT NOT NULL,
    context TEXT NOT NULL,
    last_seq INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    closed_at INTEGER
);
CREATE UNIQUE INDEX conversations_one_open_per_session ON conversations (session_id) WHERE status != 'closed';

CREATE TABLE chat_messages (
    conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    author TEXT NOT NULL,
    agent_id INTEGER REFERENCES agents (id) ON DELETE SET NULL,
    body TEXT NOT NULL,
    -- The sender's id for a message: a retried send finds the first one instead of storing a second.
    client_id TEXT,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, seq),
    UNIQUE (conversation_id, author, client_id)
);
