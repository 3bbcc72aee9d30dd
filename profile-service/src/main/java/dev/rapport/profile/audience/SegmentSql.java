package dev.rapport.profile.audience;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Turns a condition tree into a SQL predicate over {@code profile p}, evaluated where the data lives: traits from the
 * profile row, events through the timeline index. Every value is a bind parameter; JSON values are bound as text and
 * cast in SQL, because the client would send a string bound to a jsonb parameter as a JSON string.
 */
public final class SegmentSql {

    /** A predicate and its parameters, numbered from {@code firstParameter}. */
    public record Predicate(String sql, List<Object> parameters) {
    }

    private final List<Object> parameters = new ArrayList<>();
    private final int offset;
    private final Instant now;

    private SegmentSql(int firstParameter, Instant now) {
        this.offset = firstParameter - 1;
        this.now = now;
    }

    /**
     * @param condition a checked condition tree
     * @param firstParameter the number of the first bind parameter ({@code $n}) the predicate may use
     * @param now the time windows end at
     */
    public static Predicate compile(Condition condition, int firstParameter, Instant now) {
        SegmentSql compiler = new SegmentSql(firstParameter, now);
        String sql = compiler.sql(condition);
        return new Predicate(sql, List.copyOf(compiler.parameters));
    }

    private String bind(Object value) {
        parameters.add(value);
        return "$" + (offset + parameters.size());
    }

    private String sql(Condition condition) {
        return switch (condition) {
            case Condition.All all -> all.conditions().isEmpty() ? "TRUE"
                    : "(" + String.join(" AND ", all.conditions().stream().map(this::sql).toList()) + ")";
            case Condition.Any any -> any.conditions().isEmpty() ? "FALSE"
                    : "(" + String.join(" OR ", any.conditions().stream().map(this::sql).toList()) + ")";
            case Condition.Not not -> "(NOT " + sql(not.condition()) + ")";
            case Condition.Trait trait -> trait(trait);
            case Condition.Event event -> event(event);
        };
    }

    private String trait(Condition.Trait t) {
        String key = bind(t.key());
        return switch (t.operator()) {
            case EXISTS -> "jsonb_exists(p.traits, " + key + ")";
            case EQUALS -> "(p.traits -> " + key + " = " + bind(t.values().get(0).toString()) + "::text::jsonb)";
            case NOT_EQUALS -> "(p.traits -> " + key + " IS DISTINCT FROM " + bind(t.values().get(0).toString())
                    + "::text::jsonb)";
            case IN -> "(p.traits -> " + key + " = ANY(" + bind(t.values().stream().map(JsonNode::toString)
                    .toArray(String[]::new)) + "::text[]::jsonb[]))";
            case GREATER_THAN, LESS_THAN -> {
                String op = t.operator() == Condition.Operator.GREATER_THAN ? ">" : "<";
                JsonNode value = t.values().get(0);
                if (value.isNumber()) {
                    yield "(jsonb_typeof(p.traits -> " + key + ") = 'number' AND (p.traits ->> " + key + ")::numeric "
                            + op + " " + bind(value.decimalValue().toPlainString()) + "::numeric)";
                }
                yield "(jsonb_typeof(p.traits -> " + key + ") = 'string' AND (p.traits ->> " + key + ") " + op + " "
                        + bind(value.asText()) + ")";
            }
        };
    }

    private String event(Condition.Event e) {
        StringBuilder where = new StringBuilder("e.profile_id = p.id AND e.type = ").append(bind(e.type()));
        if (e.within() != null) {
            where.append(" AND e.occurred_at >= ").append(bind(now.minus(e.within()).atOffset(ZoneOffset.UTC)));
        }
        if (!e.channels().isEmpty()) {
            where.append(" AND e.channel = ANY(").append(bind(e.channels().toArray(String[]::new))).append(")");
        }
        if (!e.properties().isEmpty()) {
            ObjectNode contained = JsonNodeFactory.instance.objectNode();
            for (Map.Entry<String, JsonNode> p : e.properties().entrySet()) {
                contained.set(p.getKey(), p.getValue());
            }
            where.append(" AND e.properties @> ").append(bind(contained.toString())).append("::text::jsonb");
        }
        String events = "SELECT 1 FROM event e WHERE " + where;
        long n = e.count();
        return switch (e.comparator()) {
            case AT_LEAST -> n <= 0 ? "TRUE"
                    : n == 1 ? "EXISTS (" + events + ")"
                            : "((SELECT count(*) FROM (" + events + " LIMIT " + n + ") x) >= " + n + ")";
            case AT_MOST -> n == 0 ? "NOT EXISTS (" + events + ")"
                    : "((SELECT count(*) FROM (" + events + " LIMIT " + (n + 1) + ") x) <= " + n + ")";
            case EXACTLY -> n == 0 ? "NOT EXISTS (" + events + ")"
                    : "((SELECT count(*) FROM (" + events + " LIMIT " + (n + 1) + ") x) = " + n + ")";
        };
    }
}
