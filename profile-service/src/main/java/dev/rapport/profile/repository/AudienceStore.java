package dev.rapport.profile.repository;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.rapport.profile.Identifier;
import dev.rapport.profile.IdentifierKind;
import dev.rapport.profile.audience.SegmentSql;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/** Evaluates segments against live profiles, in the database. */
@ApplicationScoped
public class AudienceStore {

    /** A member of an audience: where to reach the person and the traits asked for. */
    public record Member(String profileId, List<Identifier> addresses, ObjectNode traits) {
    }

    private static final String LIVE = "p.merged_into IS NULL AND p.erased_at IS NULL";

    private final Pool pool;
    private final ObjectMapper json;

    public AudienceStore(Pool pool, ObjectMapper json) {
        this.pool = pool;
        this.json = json;
    }

    /** How many live profiles match. */
    public Uni<Long> count(SegmentSql.Predicate predicate) {
        return pool.preparedQuery("SELECT count(*) FROM profile p WHERE " + LIVE + " AND " + predicate.sql())
                .execute(Tuple.from(predicate.parameters())).map(rows -> rows.iterator().next().getLong(0));
    }

    /**
     * The live profiles that match, in id order, read a page at a time so no transaction or connection is held while the
     * caller consumes them.
     *
     * @param predicate compiled with its first parameter at {@code $3}
     * @param traitKeys traits to return with each member
     * @param pageSize profiles per query
     */
    public Multi<Member> stream(SegmentSql.Predicate predicate, Set<String> traitKeys, int pageSize) {
        String sql = """
                SELECT p.id, p.traits::text,
                  (SELECT coalesce(json_agg(json_build_array(i.kind, i.value) ORDER BY i.kind, i.value), '[]')
                     FROM identifier i WHERE i.profile_id = p.id AND i.kind = ANY($1))::text
                FROM profile p WHERE %s AND p.id > $2 AND %s ORDER BY p.id LIMIT %d"""
                .formatted(LIVE, predicate.sql(), pageSize);
        String[] addressKinds = java.util.Arrays.stream(IdentifierKind.values()).filter(IdentifierKind::address)
                .map(IdentifierKind::apiName).toArray(String[]::new);
        AtomicReference<String> last = new AtomicReference<>("");
        return Multi.createBy().repeating().uni(() -> {
            List<Object> params = new ArrayList<>();
            params.add(addressKinds);
            params.add(last.get());
            params.addAll(predicate.parameters());
            return pool.preparedQuery(sql).execute(Tuple.from(params)).map(rows -> {
                List<Member> page = new ArrayList<>(rows.size());
                for (Row row : rows) {
                    page.add(member(row, traitKeys));
                }
                if (!page.isEmpty()) {
                    last.set(page.get(page.size() - 1).profileId());
                }
                return page;
            });
        }).whilst(page -> page.size() == pageSize).onItem().disjoint();
    }

    private Member member(Row row, Set<String> traitKeys) {
        List<Identifier> addresses = new ArrayList<>();
        for (JsonNode pair : tree(row.getString(2))) {
            IdentifierKind.fromApiName(pair.get(0).asText())
                    .ifPresent(kind -> addresses.add(new Identifier(kind, pair.get(1).asText())));
        }
        ObjectNode all = (ObjectNode) tree(row.getString(1));
        ObjectNode traits = json.createObjectNode();
        for (String key : traitKeys) {
            if (all.has(key)) {
                traits.set(key, all.get(key));
            }
        }
        return new Member(row.getString(0), addresses, traits);
    }

    private JsonNode tree(String text) {
        try {
            return json.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
