-- The mirror keeps the requester's email and phone as the desk last sent them, so a later delivery of the same ticket
-- that names the requester by the desk's own id only (Zendesk's event subscriptions) and a reconciliation can still
-- be recorded on the person. They are cleared when the person is erased.
ALTER TABLE ticket ADD COLUMN requester_email text;
ALTER TABLE ticket ADD COLUMN requester_phone text;
-- Reconciliation against the desk's API: when the ticket was last checked there, and why the bridge closed it when
-- the desk never said so (its solved webhook was lost, or the desk no longer has the ticket).
ALTER TABLE ticket ADD COLUMN checked_at timestamptz;
ALTER TABLE ticket ADD COLUMN closed_reason text;

-- Open tickets by age: the reconciler's question.
CREATE INDEX ticket_open_by_age ON ticket (opened_at) WHERE status = 'open';
