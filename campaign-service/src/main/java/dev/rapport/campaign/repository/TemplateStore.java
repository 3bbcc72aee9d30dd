package dev.rapport.campaign.repository;

import static dev.rapport.common.db.SqlValues.instant;
import static dev.rapport.common.db.SqlValues.utc;

import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/** The stored templates. */
@ApplicationScoped
public class TemplateStore {

    /** A template as stored: its parts are Qute sources. */
    public record Stored(String id, String name, String channel, String subject, String html, String text,
            String title, String body, String createdBy, Instant createdAt) {
    }

    private static final String COLUMNS = "id, name, channel, subject, html, text, title, body, created_by, created_at";

    private final Pool pool;

    public TemplateStore(Pool pool) {
        this.pool = pool;
    }

    public Uni<Stored> insert(Stored t) {
        return pool.preparedQuery("INSERT INTO template (" + COLUMNS + ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, "
                + "$10)").execute(Tuple.from(new Object[] { t.id(), t.name(), t.channel(), t.subject(), t.html(),
                        t.text(), t.title(), t.body(), t.createdBy(), utc(t.createdAt()) })).replaceWith(t);
    }

    /** A template, or null. */
    public Uni<Stored> find(String id) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM template WHERE id = $1").execute(Tuple.of(id))
                .map(rows -> rows.size() == 0 ? null : stored(rows.iterator().next()));
    }

    private static Stored stored(Row r) {
        return new Stored(r.getString(0), r.getString(1), r.getString(2), r.getString(3), r.getString(4),
                r.getString(5), r.getString(6), r.getString(7), r.getString(8), instant(r.getOffsetDateTime(9)));
    }
}
