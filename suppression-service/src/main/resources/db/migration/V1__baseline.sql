-- The first migration of suppression-service's own database; the tables of its features follow in later versions.
COMMENT ON SCHEMA public IS 'Rapport suppression-service: Who may be contacted, about what, on which channel, now, and why.';
