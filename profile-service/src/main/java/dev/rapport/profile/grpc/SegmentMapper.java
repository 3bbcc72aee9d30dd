package dev.rapport.profile.grpc;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;

import dev.rapport.common.error.FieldError;
import dev.rapport.common.error.RapportException;
import dev.rapport.profile.EventValidator;
import dev.rapport.profile.audience.Condition;
import dev.rapport.proto.common.v1.Channel;
import dev.rapport.proto.profile.v1.ConditionList;
import dev.rapport.proto.profile.v1.EventCondition;
import dev.rapport.proto.profile.v1.Segment;
import dev.rapport.proto.profile.v1.TraitCondition;

/** Reads and checks a segment of the contract into a condition tree; every fault is named by its path. */
final class SegmentMapper {

    /** Deepest nesting of all/any/not. */
    static final int MAX_DEPTH = 8;
    /** Most nodes in a tree. */
    static final int MAX_NODES = 200;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<FieldError> errors = new ArrayList<>();
    private int nodes;

    private SegmentMapper() {
    }

    static Condition read(Segment segment) {
        SegmentMapper mapper = new SegmentMapper();
        if (!segment.hasCondition()) {
            throw RapportException.invalidField("segment.condition", "is required");
        }
        Condition condition = mapper.condition(segment.getCondition(), "segment.condition", 0);
        if (!mapper.errors.isEmpty()) {
            throw RapportException.invalid(mapper.errors.get(0).field() + ": " + mapper.errors.get(0).message(),
                    mapper.errors);
        }
        return condition;
    }

    private Condition condition(dev.rapport.proto.profile.v1.Condition c, String path, int depth) {
        if (++nodes > MAX_NODES) {
            errors.add(new FieldError(path, "the segment has more than " + MAX_NODES + " conditions"));
            return new Condition.All(List.of());
        }
        if (depth > MAX_DEPTH) {
            errors.add(new FieldError(path, "nests deeper than " + MAX_DEPTH + " levels"));
            return new Condition.All(List.of());
        }
        return switch (c.getKindCase()) {
            case ALL -> new Condition.All(list(c.getAll(), path + ".all", depth));
            case ANY -> new Condition.Any(list(c.getAny(), path + ".any", depth));
            case NOT -> new Condition.Not(condition(c.getNot(), path + ".not", depth + 1));
            case TRAIT -> trait(c.getTrait(), path + ".trait");
            case EVENT -> event(c.getEvent(), path + ".event");
            case KIND_NOT_SET -> {
                errors.add(new FieldError(path, "must be one of all, any, not, trait, event"));
                yield new Condition.All(List.of());
            }
        };
    }

    private List<Condition> list(ConditionList list, String path, int depth) {
        List<Condition> out = new ArrayList<>();
        for (int i = 0; i < list.getConditionsCount(); i++) {
            out.add(condition(list.getConditions(i), path + ".conditions[" + i + "]", depth + 1));
        }
        return out;
    }

    private Condition trait(TraitCondition t, String path) {
        if (t.getKey().isBlank() || t.getKey().length() > 100) {
            errors.add(new FieldError(path + ".key", "is required, at most 100 characters"));
        }
        List<JsonNode> values = new ArrayList<>();
        for (com.google.protobuf.Value v : t.getValuesList()) {
            values.add(json(v));
        }
        Condition.Operator op = switch (t.getOperator()) {
            case TRAIT_OPERATOR_EQUALS -> Condition.Operator.EQUALS;
            case TRAIT_OPERATOR_NOT_EQUALS -> Condition.Operator.NOT_EQUALS;
            case TRAIT_OPERATOR_IN -> Condition.Operator.IN;
            case TRAIT_OPERATOR_EXISTS -> Condition.Operator.EXISTS;
            case TRAIT_OPERATOR_GREATER_THAN -> Condition.Operator.GREATER_THAN;
            case TRAIT_OPERATOR_LESS_THAN -> Condition.Operator.LESS_THAN;
            default -> {
                errors.add(new FieldError(path + ".operator", "is required"));
                yield Condition.Operator.EXISTS;
            }
        };
        int expected = switch (op) {
            case EXISTS -> 0;
            case IN -> -1;
            default -> 1;
        };
        if (expected >= 0 && values.size() != expected) {
            errors.add(new FieldError(path + ".values", "needs exactly " + expected + " value(s) for " + op));
        } else if (expected < 0 && (values.isEmpty() || values.size() > 1000)) {
            errors.add(new FieldError(path + ".values", "needs 1 to 1000 values for IN"));
        }
        if ((op == Condition.Operator.GREATER_THAN || op == Condition.Operator.LESS_THAN) && values.size() == 1
                && !values.get(0).isNumber() && !values.get(0).isTextual()) {
            errors.add(new FieldError(path + ".values", "must be a number or a string to compare with"));
        }
        return new Condition.Trait(t.getKey(), op, values);
    }

    private Condition event(EventCondition e, String path) {
        if (!EventValidator.TYPE.matcher(e.getType()).matches()) {
            errors.add(new FieldError(path + ".type", "is required: an event type such as order_placed"));
        }
        Duration within = null;
        if (e.hasWithin()) {
            within = Duration.ofSeconds(e.getWithin().getSeconds(), e.getWithin().getNanos());
            if (within.isNegative() || within.isZero()) {
                errors.add(new FieldError(path + ".within", "must be positive"));
            }
        }
        if (e.getCount() < 0) {
            errors.add(new FieldError(path + ".count", "must not be negative"));
        }
        Condition.Comparator comparator = switch (e.getComparator()) {
            case COMPARATOR_AT_MOST -> Condition.Comparator.AT_MOST;
            case COMPARATOR_EXACTLY -> Condition.Comparator.EXACTLY;
            default -> Condition.Comparator.AT_LEAST;
        };
        long count = e.getCount() == 0 && e.getComparator() == dev.rapport.proto.profile.v1.Comparator.COMPARATOR_UNSPECIFIED
                ? 1 : e.getCount();
        Map<String, JsonNode> properties = new LinkedHashMap<>();
        e.getPropertiesMap().forEach((k, v) -> properties.put(k, json(v)));
        List<String> channels = new ArrayList<>();
        for (Channel ch : e.getChannelsList()) {
            if (ch == Channel.CHANNEL_UNSPECIFIED || ch == Channel.UNRECOGNIZED) {
                errors.add(new FieldError(path + ".channels", "holds an unknown channel"));
            } else {
                channels.add(ProfileMapper.apiName(ch));
            }
        }
        return new Condition.Event(e.getType(), properties, within, comparator, count, channels);
    }

    private static JsonNode json(com.google.protobuf.Value value) {
        try {
            return JSON.readTree(JsonFormat.printer().print(value));
        } catch (InvalidProtocolBufferException | com.fasterxml.jackson.core.JsonProcessingException e) {
            throw RapportException.invalidField("segment", "holds a value that is not JSON");
        }
    }
}
