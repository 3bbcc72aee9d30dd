-- The mirror of service-desk tickets: one row per ticket of each desk, kept current by the desk webhooks.
CREATE TABLE ticket (
    id          text        PRIMARY KEY,
    desk        text        NOT NULL CHECK (desk IN ('zendesk', 'freshdesk', 'generic')),
    external_id text        NOT NULL,
    profile_id  text,
    subject     text,
    status      text        NOT NULL CHECK (status IN ('open', 'solved')),
    opened_at   timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    CONSTRAINT ticket_desk_external_id UNIQUE (desk, external_id)
);

-- Open tickets of a person, newest first: the agent's context and ListOpenTickets.
CREATE INDEX ticket_open_by_profile ON ticket (profile_id, opened_at DESC) WHERE status = 'open';
