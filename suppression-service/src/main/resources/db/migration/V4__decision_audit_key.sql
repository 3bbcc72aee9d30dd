-- The audit is only ever read per person (newest first) and moved or dropped per person: its primary key becomes
-- (profile_id, id), so each kept decision costs one index entry instead of two (the identity key and the per-person
-- index). Ids stay unique on their own: they come from the identity.
ALTER TABLE decision_audit DROP CONSTRAINT decision_audit_pkey;
DROP INDEX decision_audit_profile;
ALTER TABLE decision_audit ADD PRIMARY KEY (profile_id, id);
