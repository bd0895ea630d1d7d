-- Community questions and answers: one table, a question has no thread_id. Posts of a visitor go with
-- their session when it is erased; official answers have an agent and no session.
CREATE TABLE community_posts (
    id INTEGER PRIMARY KEY,
    public_id TEXT NOT NULL UNIQUE,
    site TEXT NOT NULL,
    thread_id INTEGER REFERENCES community_posts (id) ON DELETE CASCADE,
    session_id INTEGER REFERENCES visitor_sessions (id) ON DELETE CASCADE,
    agent_id INTEGER REFERENCES agents (id) ON DELETE SET NULL,
    pseudonym TEXT NOT NULL,
    title TEXT,
    topic TEXT,
    body TEXT NOT NULL,
    html TEXT NOT NULL,
    official INTEGER NOT NULL DEFAULT 0,
    -- visible, pending (pre-moderation) or hidden (by a moderator, or by reports until reviewed)
    status TEXT NOT NULL,
    accepted_answer_id INTEGER REFERENCES community_posts (id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    last_activity_at INTEGER NOT NULL
);
CREATE INDEX community_posts_by_thread ON community_posts (site, thread_id, created_at);

CREATE TABLE community_votes (
    post_id INTEGER NOT NULL REFERENCES community_posts (id) ON DELETE CASCADE,
    session_id INTEGER NOT NULL REFERENCES visitor_sessions (id) ON DELETE CASCADE,
    PRIMARY KEY (post_id, session_id)
);

-- Reports still open; a moderator's review clears them.
CREATE TABLE community_reports (
    post_id INTEGER NOT NULL REFERENCES community_posts (id) ON DELETE CASCADE,
    session_id INTEGER NOT NULL REFERENCES visitor_sessions (id) ON DELETE CASCADE,
    reason TEXT,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (post_id, session_id)
);

-- How many answers of a question its asker has seen, for "new answers" on return.
CREATE TABLE community_reads (
    thread_id INTEGER NOT NULL REFERENCES community_posts (id) ON DELETE CASCADE,
    session_id INTEGER NOT NULL REFERENCES visitor_sessions (id) ON DELETE CASCADE,
    seen_answers INTEGER NOT NULL,
    PRIMARY KEY (thread_id, session_id)
);

CREATE TABLE community_blocked_sessions (
    session_id INTEGER PRIMARY KEY REFERENCES visitor_sessions (id) ON DELETE CASCADE,
    blocked_at INTEGER NOT NULL
);

-- Full-text search over questions, accents folded, kept in step by triggers.
CREATE VIRTUAL TABLE community_search USING fts5(
    title, body, content = 'community_posts', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER community_search_insert AFTER INSERT ON community_posts WHEN new.thread_id IS NULL BEGIN
    INSERT INTO community_search (rowid, title, body) VALUES (new.id, new.title, new.body);
END;
CREATE TRIGGER community_search_delete AFTER DELETE ON community_posts WHEN old.thread_id IS NULL BEGIN
    INSERT INTO community_search (community_search, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
END;
CREATE TRIGGER community_search_update AFTER UPDATE OF title, body ON community_posts WHEN old.thread_id IS NULL BEGIN
    INSERT INTO community_search (community_search, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
    INSERT INTO community_search (rowid, title, body) VALUES (new.id, new.title, new.body);
END;
