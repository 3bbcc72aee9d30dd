-- What suppression-service knows of each person, kept current from the event stream. Every row is a function of the
-- events' own times (latest wins), so duplicates and reordering cannot corrupt it. A merged-away profile keeps its
-- subject row pointing at the survivor (always directly); an erased one keeps only its id and the time of erasure.
CREATE TABLE subject (
    profile_id      text        PRIMARY KEY,
    first_seen      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    timezone        text,
    timezone_at     timestamptz,
    merged_into     text,
    merged_at       timestamptz,
    erased_at       timestamptz,
    erased_event_id text
);
CREATE INDEX subject_merged_into ON subject (merged_into) WHERE merged_into IS NOT NULL;

-- Addresses a person can be reached at (email, phone, pushToken, telegramId, whatsappId) and whether they still work:
-- 'ok', 'bounced' (hard bounce), 'unregistered' (push token), 'blocked' (messenger bot blocked).
CREATE TABLE address (
    profile_id      text        NOT NULL,
    kind            text        NOT NULL,
    value           text        NOT NULL,
    seen_at         timestamptz NOT NULL,
    status          text        NOT NULL DEFAULT 'ok' CHECK (status IN ('ok', 'bounced', 'unregistered', 'blocked')),
    status_at       timestamptz,
    status_event_id text,
    PRIMARY KEY (profile_id, kind, value)
);

-- Orders (from order_placed on, pending included) and their cancellation.
CREATE TABLE purchase (
    profile_id         text        NOT NULL,
    order_id           text        NOT NULL,
    product_ids        text[]      NOT NULL DEFAULT '{}',
    categories         text[]      NOT NULL DEFAULT '{}',
    placed_at          timestamptz,
    placed_event_id    text,
    status             text,
    status_at          timestamptz,
    cancelled_at       timestamptz,
    cancelled_event_id text,
    PRIMARY KEY (profile_id, order_id)
);

-- Offers declined (and later accepted) on any channel, by product or category.
CREATE TABLE decline (
    profile_id        text        NOT NULL,
    kind              text        NOT NULL CHECK (kind IN ('product', 'category')),
    value             text        NOT NULL,
    declined_at       timestamptz,
    declined_event_id text,
    accepted_at       timestamptz,
    accepted_event_id text,
    PRIMARY KEY (profile_id, kind, value)
);

-- Service tickets: open while the latest opening is later than the latest resolution.
CREATE TABLE ticket (
    profile_id        text        NOT NULL,
    ticket_id         text        NOT NULL,
    opened_at         timestamptz,
    opened_event_id   text,
    resolved_at       timestamptz,
    resolved_event_id text,
    PRIMARY KEY (profile_id, ticket_id)
);

-- Consents in force per channel ('all' for every channel) and topic ('' for every topic); the latest statement wins.
CREATE TABLE consent (
    profile_id text        NOT NULL,
    channel    text        NOT NULL,
    topic      text        NOT NULL DEFAULT '',
    status     text        NOT NULL CHECK (status IN ('opted_in', 'opted_out')),
    source     text        NOT NULL,
    at         timestamptz NOT NULL,
    event_id   text        NOT NULL,
    PRIMARY KEY (profile_id, channel, topic)
);

-- Every consent statement ever received, as evidence; event_id makes a redelivered event a no-op.
CREATE TABLE consent_history (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    profile_id  text        NOT NULL,
    channel     text        NOT NULL,
    topic       text        NOT NULL,
    status      text        NOT NULL,
    source      text        NOT NULL,
    at          timestamptz NOT NULL,
    event_id    text        NOT NULL UNIQUE,
    recorded_at timestamptz NOT NULL,
    recorded_by text        NOT NULL
);
CREATE INDEX consent_history_profile ON consent_history (profile_id, at DESC);

-- The global do-not-contact list.
CREATE TABLE do_not_contact (
    profile_id  text        PRIMARY KEY,
    reason      text        NOT NULL,
    source      text        NOT NULL,
    at          timestamptz NOT NULL,
    recorded_by text        NOT NULL
);

-- The contact policy: one document, versioned.
CREATE TABLE policy (
    id         smallint    PRIMARY KEY CHECK (id = 1),
    document   jsonb       NOT NULL,
    version    integer     NOT NULL,
    updated_at timestamptz NOT NULL,
    updated_by text        NOT NULL
);

-- Every committed decision with its reasons.
CREATE TABLE decision_audit (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    profile_id  text        NOT NULL,
    decided_at  timestamptz NOT NULL,
    channel     text        NOT NULL,
    purpose     text        NOT NULL,
    campaign_id text,
    topic       text,
    product_ids text[]      NOT NULL,
    categories  text[]      NOT NULL,
    decision    text        NOT NULL,
    retry_at    timestamptz,
    reasons     jsonb       NOT NULL,
    caller      text        NOT NULL
);
CREATE INDEX decision_audit_profile ON decision_audit (profile_id, id DESC);
