-- The first migration of service-desk-bridge's own database; the tables of its features follow in later versions.
COMMENT ON SCHEMA public IS 'Rapport service-desk-bridge: Service-desk webhooks, the ticket mirror and the call-centre agent''s context.';
