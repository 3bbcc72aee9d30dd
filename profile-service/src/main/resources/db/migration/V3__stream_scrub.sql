-- Erasures whose entries already published on the event stream are still to be removed from it (StreamScrubber). The
-- row is written in the erasure's transaction, so the removal survives a restart or Redis being down, and goes once
-- every partition was swept.
CREATE TABLE stream_scrub (
    id           bigserial   PRIMARY KEY,
    profile_ids  text[]      NOT NULL,
    requested_at timestamptz NOT NULL
);
