-- What call-centre agents recorded: an offer declined or accepted (a pending order), a callback requested. Each became
-- events on the person's profile (offer_declined, offer_accepted and order_placed, callback_requested) before the
-- row was written, so suppression stops a declined product's promotions on every channel.
CREATE TABLE agent_outcome (
    id          text        PRIMARY KEY,
    profile_id  text        NOT NULL,
    product_id  text,
    outcome     text        NOT NULL CHECK (outcome IN ('declined', 'accepted', 'callback_requested')),
    note        text,
    agent       text,
    order_id    text,
    recorded_at timestamptz NOT NULL
);
CREATE INDEX agent_outcome_by_profile ON agent_outcome (profile_id, recorded_at DESC);
