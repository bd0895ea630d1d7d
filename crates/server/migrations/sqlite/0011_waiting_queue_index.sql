-- A new conversation's place in its site's queue is one count over this index, not a read of the
-- whole queue (thousands of visitors may wait at once).
CREATE INDEX conversations_waiting_queue ON conversations (site, status, created_at, id);
