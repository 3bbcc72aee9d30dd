-- The recorder claims pending deliveries oldest first by id (per ticket, in the order received). The pending index of
-- V3 is ordered by next_attempt_at, so with a backlog PostgreSQL walked the primary key instead and stepped over every
-- delivery ever recorded before reaching a pending one: a claim grew slower with the table. This index holds only the
-- pending ones, in the claim's order.
CREATE INDEX webhook_delivery_pending_by_id ON webhook_delivery (id) WHERE status = 'pending';
