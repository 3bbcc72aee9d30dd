package dev.rapport.profile.repository;

import static dev.rapport.common.db.SqlValues.utc;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/** Erasure: what is held about a person is deleted; only the profile ids remain, marked erased. */
@ApplicationScoped
public class PrivacyStore {

    /** The profiles of a person, the survivor first, locked; empty when the id is unknown or already erased. */
    public Uni<List<String>> lockPerson(SqlConnection c, String id) {
        return c.preparedQuery("""
                SELECT p.id
                FROM profile p, (SELECT coalesce(q.merged_into, q.id) AS survivor FROM profile q WHERE q.id = $1) s
                WHERE p.erased_at IS NULL AND (p.id = s.survivor OR p.merged_into = s.survivor)
                ORDER BY p.id = s.survivor DESC, p.id FOR UPDATE OF p""")
                .execute(Tuple.of(id))
                .map(rows -> {
                    List<String> ids = new ArrayList<>();
                    rows.forEach(r -> ids.add(r.getString(0)));
                    return ids;
                });
    }

    /** Deletes identifiers, events (published or not), summary rows and conflicts, and clears the traits. */
    public Uni<Void> erase(SqlConnection c, List<String> ids, Instant now) {
        Tuple group = Tuple.of(ids.toArray(String[]::new));
        List<String> statements = List.of(
                "DELETE FROM outbox o USING event e WHERE o.event_id = e.id AND e.profile_id = ANY($1)",
                "DELETE FROM event WHERE profile_id = ANY($1)",
                "DELETE FROM identifier WHERE profile_id = ANY($1)",
                "DELETE FROM profile_channel WHERE profile_id = ANY($1)",
                "DELETE FROM profile_interest WHERE profile_id = ANY($1)",
                "DELETE FROM profile_order WHERE profile_id = ANY($1)",
                "DELETE FROM profile_ticket WHERE profile_id = ANY($1)",
                "DELETE FROM profile_offer WHERE profile_id = ANY($1)",
                "DELETE FROM identity_conflict WHERE profile_id = ANY($1) OR other_profile_id = ANY($1)");
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (String sql : statements) {
            chain = chain.chain(() -> c.preparedQuery(sql).execute(group).replaceWithVoid());
        }
        return chain.chain(() -> c.preparedQuery("""
                UPDATE profile SET traits = '{}', trait_times = '{}', erased_at = $2, updated_at = $2
                WHERE id = ANY($1)""").execute(Tuple.of(ids.toArray(String[]::new), utc(now))).replaceWithVoid());
    }
}
