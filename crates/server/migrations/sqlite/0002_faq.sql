-- Each import or console edit of a site's FAQ is a complete snapshot; one of them is published. Earlier
-- snapshots stay, so the previous one can be restored.
CREATE TABLE faq_snapshots (
    id INTEGER PRIMARY KEY,
    site TEXT NOT NULL,
    source TEXT NOT NULL,          -- 'import', 'console' or 'restore'
    fingerprint TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX faq_snapshots_by_site ON faq_snapshots (site, id);

CREATE TABLE faq_entries (
    snapshot_id INTEGER NOT NULL REFERENCES faq_snapshots (id) ON DELETE CASCADE,
    locale TEXT NOT NULL,
    id TEXT NOT NULL,
    question TEXT NOT NULL,
    phrasings TEXT NOT NULL,       -- JSON array of strings
    tags TEXT NOT NULL,            -- JSON array of strings
    category TEXT NOT NULL,
    sort_order INTEGER NOT NULL,
    updated TEXT NOT NULL,
    markdown TEXT NOT NULL,
    html TEXT NOT NULL,
    body_text TEXT NOT NULL,
    PRIMARY KEY (snapshot_id, locale, id)
);

CREATE TABLE faq_synonyms (
    snapshot_id INTEGER NOT NULL REFERENCES faq_snapshots (id) ON DELETE CASCADE,
    locale TEXT NOT NULL,
    groups TEXT NOT NULL,          -- JSON array of arrays of strings
    PRIMARY KEY (snapshot_id, locale)
);

CREATE TABLE faq_published (
    site TEXT PRIMARY KEY,
    snapshot_id INTEGER NOT NULL REFERENCES faq_snapshots (id)
);

-- What visitors searched and thought, as daily counts: no session, no IP, nothing that identifies anyone.
CREATE TABLE faq_search_stats (
    site TEXT NOT NULL,
    locale TEXT NOT NULL,
    day TEXT NOT NULL,
    query TEXT NOT NULL,
    searches INTEGER NOT NULL DEFAULT 0,
    unanswered INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (site, locale, day, query)
);

CREATE TABLE faq_entry_stats (
    site TEXT NOT NULL,
    locale TEXT NOT NULL,
    day TEXT NOT NULL,
    entry TEXT NOT NULL,
    views INTEGER NOT NULL DEFAULT 0,
    helpful INTEGER NOT NULL DEFAULT 0,
    not_helpful INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (site, locale, day, entry)
);

-- "Visitors who searched this found that entry helpful": the source of proposed phrasings.
CREATE TABLE faq_query_helpful (
    site TEXT NOT NULL,
    locale TEXT NOT NULL,
    day TEXT NOT NULL,
    query TEXT NOT NULL,
    entry TEXT NOT NULL,
    votes INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (site, locale, day, query, entry)
);

CREATE TABLE faq_comments (
    id INTEGER PRIMARY KEY,
    site TEXT NOT NULL,
    locale TEXT NOT NULL,
    day TEXT NOT NULL,
    entry TEXT NOT NULL,
    helpful INTEGER NOT NULL,
    comment TEXT NOT NULL
);
