-- Templates: what a campaign or journey says, per channel, in Qute. The parts a channel uses: email subject, html and
-- text; SMS and messenger text; push title and body.
CREATE TABLE template (
    id         text        PRIMARY KEY,
    name       text        NOT NULL,
    channel    text        NOT NULL CHECK (channel IN ('email', 'sms', 'push', 'messenger')),
    subject    text,
    html       text,
    text       text,
    title      text,
    body       text,
    created_by text,
    created_at timestamptz NOT NULL
);
