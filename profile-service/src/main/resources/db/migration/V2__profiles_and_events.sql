-- Profiles, their identifiers and the event timeline. One row per person in `profile`; a merged-away profile keeps its
-- row with merged_into pointing at the survivor (always directly: merges re-point older losers too).
CREATE TABLE profile (
    id          text        PRIMARY KEY,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    merged_into text        REFERENCES profile (id),
    merged_at   timestamptz,
    erased_at   timestamptz,
    -- latest value of each trait, and the time of the event that set it (epoch milliseconds), so a late event never
    -- overwrites a newer value
    traits      jsonb       NOT NULL DEFAULT '{}',
    trait_times jsonb       NOT NULL DEFAULT '{}'
);
CREATE INDEX profile_merged_into ON profile (merged_into) WHERE merged_into IS NOT NULL;

-- Each identifier value belongs to one profile at a time.
CREATE TABLE identifier (
    kind       text        NOT NULL,
    value      text        NOT NULL,
    profile_id text        NOT NULL REFERENCES profile (id),
    first_seen timestamptz NOT NULL,
    last_seen  timestamptz NOT NULL,
    PRIMARY KEY (kind, value)
);
CREATE INDEX identifier_profile ON identifier (profile_id, kind);

-- The timeline. profile_id is the profile the event belongs to now: merges move events to the survivor.
CREATE TABLE event (
    id          text        PRIMARY KEY,
    profile_id  text        NOT NULL,
    type        text        NOT NULL,
    channel     text,
    occurred_at timestamptz NOT NULL,
    received_at timestamptz NOT NULL,
    identifiers jsonb       NOT NULL,
    traits      jsonb,
    properties  jsonb
);
CREATE INDEX event_timeline ON event (profile_id, occurred_at DESC, id DESC);
CREATE INDEX event_type_time ON event (type, occurred_at);

-- Stored events waiting to be published on the event stream, in order per partition.
CREATE TABLE outbox (
    seq        bigserial   PRIMARY KEY,
    partition  integer     NOT NULL,
    event_id   text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outbox_partition ON outbox (partition, seq);

-- Identity conflicts: two profiles with different externalIds that an event would have merged.
CREATE TABLE identity_conflict (
    id                bigserial   PRIMARY KEY,
    occurred_at       timestamptz NOT NULL,
    event_id          text        NOT NULL,
    profile_id        text        NOT NULL,
    other_profile_id  text        NOT NULL,
    detail            text        NOT NULL
);
CREATE INDEX identity_conflict_profile ON identity_conflict (profile_id);
CREATE INDEX identity_conflict_other_profile ON identity_conflict (other_profile_id);

-- The summary, kept current as events arrive. Every row is a function of the events' own times, so late and
-- out-of-order events land where they belong.
CREATE TABLE profile_channel (
    profile_id text        NOT NULL,
    channel    text        NOT NULL,
    last_seen  timestamptz NOT NULL,
    PRIMARY KEY (profile_id, channel)
);

CREATE TABLE profile_interest (
    profile_id text        NOT NULL,
    kind       text        NOT NULL CHECK (kind IN ('product', 'category')),
    value      text        NOT NULL,
    count      bigint      NOT NULL,
    last_at    timestamptz NOT NULL,
    PRIMARY KEY (profile_id, kind, value)
);

CREATE TABLE profile_order (
    order_id        text        PRIMARY KEY,
    profile_id      text        NOT NULL,
    product_ids     text[]      NOT NULL DEFAULT '{}',
    amount          numeric,
    currency        text,
    placed_at       timestamptz,
    status          text        NOT NULL,
    status_at       timestamptz NOT NULL,
    source_event_id text        NOT NULL
);
CREATE INDEX profile_order_profile ON profile_order (profile_id);

CREATE TABLE profile_ticket (
    ticket_id   text        PRIMARY KEY,
    profile_id  text        NOT NULL,
    opened_at   timestamptz,
    resolved_at timestamptz,
    updated_at  timestamptz NOT NULL
);
CREATE INDEX profile_ticket_profile ON profile_ticket (profile_id);

CREATE TABLE profile_offer (
    profile_id      text        NOT NULL,
    kind            text        NOT NULL CHECK (kind IN ('product', 'category')),
    value           text        NOT NULL,
    status          text        NOT NULL CHECK (status IN ('declined', 'accepted')),
    at              timestamptz NOT NULL,
    source_event_id text        NOT NULL,
    PRIMARY KEY (profile_id, kind, value)
);
