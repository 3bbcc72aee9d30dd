package dev.rapport.campaign.repository;

import static dev.rapport.common.db.SqlValues.instant;
import static dev.rapport.common.db.SqlValues.utc;

import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/** The stored segments. */
@ApplicationScoped
public class SegmentStore {

    /** A segment as stored: its definition is the proto3 JSON of {@code rapport.profile.v1.Segment}. */
    public record Stored(String id, String name, String description, JsonObject definition, String createdBy,
            Instant createdAt) {
    }

    private final Pool pool;

    public SegmentStore(Pool pool) {
        this.pool = pool;
    }

    public Uni<Stored> insert(Stored s) {
        return pool.preparedQuery("INSERT INTO segment (id, name, description, definition, created_by, created_at) "
                + "VALUES ($1, $2, $3, $4, $5, $6)").execute(Tuple.from(new Object[] { s.id(), s.name(),
                        s.description(), s.definition(), s.createdBy(), utc(s.createdAt()) }))
                .replaceWith(s);
    }

    /** A segment, or null. */
    public Uni<Stored> find(String id) {
        return pool.preparedQuery("SELECT id, name, description, definition, created_by, created_at FROM segment "
                + "WHERE id = $1").execute(Tuple.of(id)).map(rows -> rows.size() == 0 ? null
                        : stored(rows.iterator().next()));
    }

    private static Stored stored(Row r) {
        return new Stored(r.getString(0), r.getString(1), r.getString(2), (JsonObject) r.getJson(3), r.getString(4),
                instant(r.getOffsetDateTime(5)));
    }
}
