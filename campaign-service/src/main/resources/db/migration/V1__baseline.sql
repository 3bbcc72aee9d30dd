-- The first migration of campaign-service's own database; the tables of its features follow in later versions.
COMMENT ON SCHEMA public IS 'Rapport campaign-service: Segments, templates, campaigns, triggers, journeys and next-best-action offers.';
