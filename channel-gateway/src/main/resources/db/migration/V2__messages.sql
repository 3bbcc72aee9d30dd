-- Messages, stored before they are handed to a provider, so none is lost or sent twice. The caller's id is the key:
-- the same id again answers the first result (request_digest tells the same request from another one). A worker claims
-- due messages with FOR UPDATE SKIP LOCKED, so replicas share them: it moves a message to 'sending' with a lease
-- (lease_until) before it calls the provider, and on to 'sent' after. A message found in 'sending' with its lease run
-- out was interrupted between the provider call and its record (docs/adr/0012): a marketing message then ends as
-- 'failed' (at most once), any other is handed off again (at least once).
CREATE TABLE message (
    id                  text        PRIMARY KEY,
    profile_id          text        NOT NULL,
    channel             text        NOT NULL CHECK (channel IN ('email', 'sms', 'push', 'messenger')),
    purpose             text        NOT NULL CHECK (purpose IN ('marketing', 'service', 'transactional')),
    address             text        NOT NULL,
    -- an identifier of the profile's own (kind:value), which the message's events name the person by: the address a
    -- caller gave need not be one of the profile's, and must not join anyone to it
    identity            text        NOT NULL,
    content             jsonb       NOT NULL,
    request_digest      text        NOT NULL,
    campaign_id         text,
    product_ids         text[]      NOT NULL DEFAULT '{}',
    segments            integer     NOT NULL,
    encoding            text,
    status              text        NOT NULL CHECK (status IN ('queued', 'held', 'sending', 'sent', 'delivered',
                                                               'opened', 'clicked', 'bounced', 'failed', 'expired')),
    provider            text,
    provider_message_id text,
    attempts            integer     NOT NULL DEFAULT 0,
    next_attempt_at     timestamptz,
    lease_until         timestamptz,
    expires_at          timestamptz,
    last_error          text,
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL
);
-- What is due: queued and held messages by when, and hand-offs whose lease ran out.
CREATE INDEX message_due ON message (next_attempt_at) WHERE status IN ('queued', 'held');
CREATE INDEX message_interrupted ON message (lease_until) WHERE status = 'sending';
CREATE INDEX message_by_profile ON message (profile_id);
CREATE UNIQUE INDEX message_by_provider_id ON message (provider, provider_message_id)
    WHERE provider_message_id IS NOT NULL;

-- Every status a message went through, in order, with what caused it.
CREATE TABLE message_status (
    seq        bigserial   PRIMARY KEY,
    message_id text        NOT NULL REFERENCES message (id) ON DELETE CASCADE,
    status     text        NOT NULL,
    at         timestamptz NOT NULL,
    detail     text
);
CREATE INDEX message_status_of ON message_status (message_id, seq);

-- The events the status changes become on the person's profile (message_sent, message_failed, …), recorded through
-- profile-service by a worker and kept until it took them, so none is lost while profile-service is down.
CREATE TABLE message_event (
    id              text        PRIMARY KEY,
    message_id      text        NOT NULL REFERENCES message (id) ON DELETE CASCADE,
    type            text        NOT NULL,
    at              timestamptz NOT NULL,
    recorded        boolean     NOT NULL DEFAULT false,
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,
    last_error      text
);
CREATE INDEX message_event_pending ON message_event (next_attempt_at) WHERE NOT recorded;
