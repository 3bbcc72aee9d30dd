-- Escalation of unhappy customers to a person. The inbound messages of each conversation, as the event stream brought
-- them (the recent ones go with the ticket), and one escalation per conversation: found unhappy, then a ticket opened
-- in the desk, then recorded as ticket_opened on the person's profile (which pauses marketing like any ticket). An
-- escalation the desk refuses for good stays here as 'failed' with the reason, for an operator.
CREATE TABLE conversation_message (
    event_id        text        PRIMARY KEY,
    conversation_id text        NOT NULL,
    profile_id      text        NOT NULL,
    channel         text,
    source          text,
    body            text        NOT NULL,
    occurred_at     timestamptz NOT NULL
);
CREATE INDEX conversation_message_recent ON conversation_message (conversation_id, occurred_at DESC);
CREATE INDEX conversation_message_by_profile ON conversation_message (profile_id);

CREATE TABLE escalation (
    conversation_id  text        PRIMARY KEY,
    profile_id       text        NOT NULL,
    channel          text,
    source           text,
    identifiers      jsonb       NOT NULL,
    reason           text        NOT NULL,
    trigger_event_id text        NOT NULL,
    status           text        NOT NULL DEFAULT 'pending'
                                 CHECK (status IN ('pending', 'created', 'opened', 'failed')),
    ticket_id        text,
    attempts         integer     NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL,
    last_error       text,
    created_at       timestamptz NOT NULL,
    opened_at        timestamptz
);
CREATE INDEX escalation_due ON escalation (next_attempt_at) WHERE status IN ('pending', 'created');
CREATE INDEX escalation_by_profile ON escalation (profile_id);
