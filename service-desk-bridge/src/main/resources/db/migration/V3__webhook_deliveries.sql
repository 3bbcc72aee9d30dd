-- Desk webhook deliveries, stored verified and as received before they are acknowledged, so nothing a desk sent is
-- lost when profile-service is down: a worker records each as events and updates the ticket mirror, retrying until it
-- can. (desk, delivery_id) de-duplicates redeliveries. A delivery that can never be recorded (no email or phone of the
-- requester, an event profile-service refuses) stays here as 'unprocessable' with its reason, for an operator.
CREATE TABLE webhook_delivery (
    id              bigserial   PRIMARY KEY,
    desk            text        NOT NULL,
    delivery_id     text        NOT NULL,
    ticket_id       text        NOT NULL,
    body            text        NOT NULL,
    received_at     timestamptz NOT NULL,
    status          text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'recorded', 'unprocessable')),
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,
    last_error      text,
    recorded_at     timestamptz,
    profile_id      text,
    CONSTRAINT webhook_delivery_once UNIQUE (desk, delivery_id)
);
-- What waits to be recorded, oldest first; per ticket, in the order received.
CREATE INDEX webhook_delivery_pending ON webhook_delivery (next_attempt_at, id) WHERE status = 'pending';

-- The ticket mirror keeps what the bridge last learned of each ticket, and when, so out-of-order deliveries do not
-- turn a solved ticket back to open: a change older than the one applied is recorded as an event but leaves the row.
ALTER TABLE ticket ADD COLUMN changed_at timestamptz;
UPDATE ticket SET changed_at = updated_at;
ALTER TABLE ticket ALTER COLUMN changed_at SET NOT NULL;
