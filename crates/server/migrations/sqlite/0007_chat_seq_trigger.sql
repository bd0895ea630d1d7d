-- A stored message moves its conversation's last number in the same statement, so storing a message is
-- one INSERT (its number computed from `last_seq` in that INSERT): one round trip, still without gaps.
CREATE TRIGGER chat_messages_move_last_seq AFTER INSERT ON chat_messages
BEGIN
    UPDATE conversations SET last_seq = NEW.seq WHERE id = NEW.conversation_id;
END;
