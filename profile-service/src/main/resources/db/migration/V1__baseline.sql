-- The first migration of profile-service's own database; the tables of its features follow in later versions.
COMMENT ON SCHEMA public IS 'Rapport profile-service: One profile per person across every channel, with its timeline, identity resolution and the event stream.';
