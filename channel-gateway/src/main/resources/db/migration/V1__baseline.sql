-- The first migration of channel-gateway's own database; the tables of its features follow in later versions.
COMMENT ON SCHEMA public IS 'Rapport channel-gateway: Durable sending over email, SMS, push and messengers; provider webhooks and tracking.';
