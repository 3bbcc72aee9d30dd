-- What a decision reads of every person, kept on the subject row so a decision costs one index probe per person for
-- it: the addresses and consents (copies of their tables, as JSON arrays, times in epoch milliseconds) and which other
-- tables hold rows for the person (`holds`: 1 purchase, 2 decline, 4 ticket, 8 do-not-contact), so those are read only
-- for the people who have some. `seen`: an event of the person was seen (a consent or do-not-contact entry recorded
-- through the API before any event makes a subject row that is not seen). Refreshed by the writers in the same
-- transaction.
ALTER TABLE subject
    ADD COLUMN seen      boolean  NOT NULL DEFAULT true,
    ADD COLUMN addresses jsonb    NOT NULL DEFAULT '[]',
    ADD COLUMN consents  jsonb    NOT NULL DEFAULT '[]',
    ADD COLUMN holds     smallint NOT NULL DEFAULT 0;

-- subjects for consents and do-not-contact entries recorded before any event
INSERT INTO subject (profile_id, first_seen, updated_at, seen)
SELECT profile_id, min(at), now(), false FROM (
    SELECT profile_id, at FROM consent UNION ALL SELECT profile_id, at FROM do_not_contact) x
GROUP BY profile_id
ON CONFLICT (profile_id) DO NOTHING;

-- Brings the decision columns of these subjects up to date with their tables; every writer calls it in its transaction.
CREATE FUNCTION refresh_decision_columns(ids text[]) RETURNS void LANGUAGE sql AS $$
    UPDATE subject s SET
        addresses = COALESCE((SELECT jsonb_agg(jsonb_build_array(a.kind, a.value, a.status,
                                                                 (extract(epoch FROM a.status_at) * 1000)::bigint,
                                                                 a.status_event_id,
                                                                 (extract(epoch FROM a.seen_at) * 1000)::bigint)
                                               ORDER BY a.kind, a.value)
                              FROM address a WHERE a.profile_id = s.profile_id), '[]'),
        consents = COALESCE((SELECT jsonb_agg(jsonb_build_array(c.channel, c.topic, c.status, c.source,
                                                                (extract(epoch FROM c.at) * 1000)::bigint, c.event_id)
                                              ORDER BY c.channel, c.topic)
                             FROM consent c WHERE c.profile_id = s.profile_id), '[]'),
        holds = (CASE WHEN EXISTS (SELECT 1 FROM purchase p WHERE p.profile_id = s.profile_id) THEN 1 ELSE 0 END)
              | (CASE WHEN EXISTS (SELECT 1 FROM decline d WHERE d.profile_id = s.profile_id) THEN 2 ELSE 0 END)
              | (CASE WHEN EXISTS (SELECT 1 FROM ticket t WHERE t.profile_id = s.profile_id) THEN 4 ELSE 0 END)
              | (CASE WHEN EXISTS (SELECT 1 FROM do_not_contact n WHERE n.profile_id = s.profile_id) THEN 8 ELSE 0 END)
    WHERE s.profile_id = ANY(ids) AND s.merged_into IS NULL AND s.erased_at IS NULL
$$;

SELECT refresh_decision_columns(ARRAY(SELECT profile_id FROM subject));
