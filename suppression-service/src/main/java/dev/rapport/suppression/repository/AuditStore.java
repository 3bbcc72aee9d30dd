package dev.rapport.suppression.repository;

import static dev.rapport.common.db.SqlValues.instant;
import static dev.rapport.common.db.SqlValues.list;
import static dev.rapport.common.db.SqlValues.utc;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.rapport.suppression.ContactRequest;
import dev.rapport.suppression.Reason;
import dev.rapport.suppression.Rule;
import dev.rapport.suppression.Verdict;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/** The audit of committed decisions: what was asked, what was answered and why, by whom, when. */
@ApplicationScoped
public class AuditStore {

    /** A committed decision to keep. */
    public record Entry(ContactRequest request, Verdict verdict, Instant decidedAt, String caller) {
    }

    /** A kept decision. */
    public record Recorded(long id, String profileId, Instant decidedAt, String channel, String purpose,
            String campaignId, String topic, List<String> productIds, List<String> categories, String decision,
            Instant retryAt, List<Reason> reasons, String caller) {
    }

    private static final JsonFactory JSON_FACTORY = new JsonFactory();

    private final Pool pool;
    private final ObjectMapper json;

    public AuditStore(Pool pool, ObjectMapper json) {
        this.pool = pool;
        this.json = json;
    }

    /** Keeps the entries, in one statement. */
    public Uni<Void> record(List<Entry> entries) {
        if (entries.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        int n = entries.size();
        String[] profiles = new String[n];
        OffsetDateTime[] at = new OffsetDateTime[n];
        String[] channels = new String[n];
        String[] purposes = new String[n];
        String[] campaigns = new String[n];
        String[] topics = new String[n];
        String[] products = new String[n];
        String[] categories = new String[n];
        String[] decisions = new String[n];
        OffsetDateTime[] retry = new OffsetDateTime[n];
        String[] reasons = new String[n];
        String[] callers = new String[n];
        for (int i = 0; i < n; i++) {
            Entry e = entries.get(i);
            profiles[i] = e.verdict().profileId();
            at[i] = utc(e.decidedAt());
            channels[i] = e.request().channel().apiName();
            purposes[i] = e.request().purpose().apiName();
            campaigns[i] = e.request().campaignId();
            topics[i] = e.request().topic();
            products[i] = String.join("\u001f", e.request().productIds());
            categories[i] = String.join("\u001f", e.request().categories());
            decisions[i] = e.verdict().decision().apiName();
            retry[i] = utc(e.verdict().retryAt());
            reasons[i] = reasonsJson(e.verdict().reasons());
            callers[i] = e.caller();
        }
        return pool.preparedQuery("""
                INSERT INTO decision_audit (profile_id, decided_at, channel, purpose, campaign_id, topic, product_ids,
                                            categories, decision, retry_at, reasons, caller)
                SELECT p, t, ch, pu, ca, tp, string_to_array(pr, chr(31)), string_to_array(cg, chr(31)), d, r,
                       rs::jsonb, cl
                FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                            $8::text[], $9::text[], $10::timestamptz[], $11::text[], $12::text[])
                     AS u(p, t, ch, pu, ca, tp, pr, cg, d, r, rs, cl)""")
                .execute(Tuple.from(new Object[] { profiles, at, channels, purposes, campaigns, topics, products,
                        categories, decisions, retry, reasons, callers }))
                .replaceWithVoid();
    }

    /** A page of a person's kept decisions, newest first, before the id {@code before} (null for the newest). */
    public Uni<List<Recorded>> page(String profileId, Long before, int limit) {
        return pool.preparedQuery("""
                SELECT id, profile_id, decided_at, channel, purpose, campaign_id, topic, product_ids, categories,
                       decision, retry_at, reasons::text, caller
                FROM decision_audit WHERE profile_id = $1 AND ($2::bigint IS NULL OR id < $2)
                ORDER BY id DESC LIMIT $3""").execute(Tuple.of(profileId, before, limit)).map(rows -> {
                    List<Recorded> out = new ArrayList<>();
                    for (Row r : rows) {
                        out.add(new Recorded(r.getLong(0), r.getString(1), instant(r.getOffsetDateTime(2)),
                                r.getString(3), r.getString(4), r.getString(5), r.getString(6),
                                list(r.getArrayOfStrings(7)), list(r.getArrayOfStrings(8)), r.getString(9),
                                instant(r.getOffsetDateTime(10)), reasons(r.getString(11)), r.getString(12)));
                    }
                    return out;
                });
    }

    private static String reasonsJson(List<Reason> reasons) {
        StringWriter out = new StringWriter(64 + 160 * reasons.size());
        try (JsonGenerator g = JSON_FACTORY.createGenerator(out)) {
            g.writeStartArray();
            for (Reason r : reasons) {
                g.writeStartObject();
                g.writeStringField("rule", r.rule().apiName());
                g.writeStringField("detail", r.detail());
                if (r.sourceEventId() != null) {
                    g.writeStringField("sourceEventId", r.sourceEventId());
                }
                if (r.until() != null) {
                    g.writeStringField("until", r.until().toString());
                }
                g.writeEndObject();
            }
            g.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private List<Reason> reasons(String text) {
        try {
            List<Reason> out = new ArrayList<>();
            for (JsonNode r : json.readTree(text)) {
                out.add(new Reason(Rule.valueOf(r.path("rule").asText().toUpperCase(java.util.Locale.ROOT)),
                        r.path("detail").asText(), r.hasNonNull("sourceEventId") ? r.get("sourceEventId").asText() : null,
                        r.hasNonNull("until") ? Instant.parse(r.get("until").asText()) : null));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
