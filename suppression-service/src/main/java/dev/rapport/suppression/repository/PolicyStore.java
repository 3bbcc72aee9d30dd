package dev.rapport.suppression.repository;

import static dev.rapport.common.db.SqlValues.instant;
import static dev.rapport.common.db.SqlValues.utc;

import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.rapport.suppression.Policy;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/** The contact policy: one JSON document with a version, the defaults until someone writes one. */
@ApplicationScoped
public class PolicyStore {

    /** The policy in force, its version (0 for the defaults) and who set it when. */
    public record Stored(Policy policy, int version, Instant updatedAt, String updatedBy) {
    }

    private final Pool pool;
    private final ObjectMapper json;

    public PolicyStore(Pool pool, ObjectMapper json) {
        this.pool = pool;
        this.json = json;
    }

    public Uni<Stored> current() {
        return pool.query("SELECT document::text, version, updated_at, updated_by FROM policy WHERE id = 1").execute()
                .map(rows -> {
                    for (Row r : rows) {
                        return new Stored(read(r.getString(0)), r.getInteger(1), instant(r.getOffsetDateTime(2)),
                                r.getString(3));
                    }
                    return new Stored(Policy.defaults(), 0, null, null);
                });
    }

    /** Replaces the policy; answers the stored one with its new version. */
    public Uni<Stored> replace(Policy policy, Instant at, String by) {
        return pool.preparedQuery("""
                INSERT INTO policy AS p (id, document, version, updated_at, updated_by) VALUES (1, $1::text::jsonb, 1, $2, $3)
                ON CONFLICT (id) DO UPDATE SET document = EXCLUDED.document, version = p.version + 1,
                    updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by
                RETURNING version""").execute(Tuple.of(write(policy), utc(at), by))
                .map(rows -> new Stored(policy, rows.iterator().next().getInteger(0), at, by));
    }

    private Policy read(String document) {
        try {
            return Policy.check(json.readValue(document, Policy.Draft.class));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the stored policy is not readable", e);
        }
    }

    private String write(Policy policy) {
        try {
            return json.writeValueAsString(policy.toDraft());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
