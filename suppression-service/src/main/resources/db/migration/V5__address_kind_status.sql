-- A failure that names no address (a push provider's "unregistered" without the token) concerns every address of its
-- kind that the person had when it happened. The latest such status per person and kind is kept here, so an address of
-- that time whose sighting is delivered after the failure gets the status too: events arrive in any order. Addresses
-- first seen after the failure keep their own status.
CREATE TABLE address_kind_status (
    profile_id      text        NOT NULL,
    kind            text        NOT NULL,
    status          text        NOT NULL CHECK (status IN ('ok', 'bounced', 'unregistered', 'blocked')),
    status_at       timestamptz NOT NULL,
    status_event_id text,
    PRIMARY KEY (profile_id, kind)
);
