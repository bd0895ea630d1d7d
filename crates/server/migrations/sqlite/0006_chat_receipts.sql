-- Chat, second part: how far each side got (delivered to an agent's console, read by an agent, read by
-- the visitor), the visitor's rating, each agent's presence, and the canned replies of each site.
ALTER TABLE conversations ADD COLUMN agent_delivered_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE conversations ADD COLUMN agent_read_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE conversations ADD COLUMN visitor_read_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE conversations ADD COLUMN rating INTEGER;
-- 'online' or 'away': only online agents count in the availability visitors see.
ALTER TABLE agents ADD COLUMN presence TEXT NOT NULL DEFAULT 'online';

CREATE TABLE canned_replies (
    id INTEGER PRIMARY KEY,
    site TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX canned_replies_by_site ON canned_replies (site, title);
