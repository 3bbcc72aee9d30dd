-- The applier claims pending callbacks oldest first (ORDER BY id): with only (next_attempt_at, id) indexed, PostgreSQL
-- walked the primary key past every applied callback still kept (eight days of them), a claim slower with each one.
-- Pending ones by id are few, and this index holds only them.
CREATE INDEX callback_pending_by_id ON callback (id) WHERE status = 'pending';
