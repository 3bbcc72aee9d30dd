-- What the providers tell the gateway afterwards (delivery reports, opens and clicks, unsubscribes, inbound messages),
-- one row per event, stored verified and as received before the webhook is acknowledged, so nothing a provider said is
-- lost when profile-service is down or the message is not recorded yet. (provider, event_id) de-duplicates the
-- providers' redeliveries and replays: the id is the provider's own event id where it has one (SendGrid's sg_event_id,
-- Telegram's update_id, a WhatsApp message id), else the message id with the status it reports. A worker applies each
-- (moves the message's status, never backwards; records the event on the profile) and retries until it can; one that
-- can never be applied (no message has its provider id after a day) stays 'unprocessable' with the reason.
CREATE TABLE callback (
    id              bigserial   PRIMARY KEY,
    provider        text        NOT NULL,
    event_id        text        NOT NULL,
    kind            text        NOT NULL CHECK (kind IN ('status', 'inbound', 'other')),
    payload         jsonb       NOT NULL,
    received_at     timestamptz NOT NULL,
    status          text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'applied', 'unprocessable')),
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,
    last_error      text,
    applied_at      timestamptz,
    CONSTRAINT callback_once UNIQUE (provider, event_id)
);
CREATE INDEX callback_pending ON callback (next_attempt_at, id) WHERE status = 'pending';
-- Applied callbacks are kept as long as providers redeliver (a week), then forgotten.
CREATE INDEX callback_applied ON callback (applied_at) WHERE status = 'applied';

-- What an event says beyond its message: a bounce's kind (hard, soft), the link clicked, the topic unsubscribed from.
ALTER TABLE message_event ADD COLUMN properties jsonb;
