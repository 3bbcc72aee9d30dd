-- Segments: who a campaign is for, as profile-service evaluates it. The definition is the proto3 JSON of
-- rapport.profile.v1.Segment (profile-service's README lists its nodes); profile-service checked it before it was stored.
CREATE TABLE segment (
    id          text        PRIMARY KEY,
    name        text        NOT NULL,
    description text,
    definition  jsonb       NOT NULL,
    created_by  text,
    created_at  timestamptz NOT NULL
);
CREATE INDEX segment_newest ON segment (created_at DESC);
