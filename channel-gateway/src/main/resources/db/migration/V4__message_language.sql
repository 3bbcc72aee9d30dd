-- The language a message is written in (the person's locale when it was accepted), so what the gateway adds to it (the
-- CSAT footer of an email, the unsubscribe page) speaks the same language.
ALTER TABLE message ADD COLUMN language text;
