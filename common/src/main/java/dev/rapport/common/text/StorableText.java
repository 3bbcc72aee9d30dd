package dev.rapport.common.text;

import java.util.Iterator;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import dev.rapport.common.error.FieldError;

/**
 * What a string must be before it reaches the database, checked where it enters, so one hostile value is refused with
 * its field named instead of failing a whole batch in PostgreSQL (which refuses NUL in {@code text} and {@code jsonb},
 * and text that is not valid Unicode). Two strengths:
 *
 * <ul>
 * <li><b>names</b> (ids, identifiers, labels): no control characters at all, no unpaired surrogates, no bidirectional
 * formatting characters (which make an id display as another);</li>
 * <li><b>free text</b> (a message a stranger wrote, a note, a reason): tab and line breaks allowed, right-to-left text
 * allowed, but no NUL or other control characters and no unpaired surrogates, and bounded in length.</li>
 * </ul>
 * JSON objects (traits, properties) are free text throughout, keys included, and bounded in depth.
 */
public final class StorableText {

    /** Longest string value inside traits or properties, in characters. */
    public static final int MAX_VALUE_LENGTH = 16_384;
    /** Longest key inside traits or properties. */
    public static final int MAX_KEY_LENGTH = 128;
    /** Deepest nesting of objects and arrays inside traits or properties (the object itself is depth 1). */
    public static final int MAX_DEPTH = 8;

    private StorableText() {
    }

    /** What makes a name unstorable, or null when it is fine. */
    public static String nameProblem(String value, int maxLength) {
        if (value.length() > maxLength) {
            return "must be at most " + maxLength + " characters";
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c)) {
                return "must not contain control characters";
            }
            if (isBidiControl(c)) {
                return "must not contain bidirectional formatting characters";
            }
            if (Character.isSurrogate(c) && !pairedAt(value, i)) {
                return "is not valid Unicode (an unpaired surrogate)";
            }
            if (Character.isHighSurrogate(c)) {
                i++;
            }
        }
        return null;
    }

    /** What makes free text unstorable, or null when it is fine. */
    public static String textProblem(String value, int maxLength) {
        if (value.length() > maxLength) {
            return "must be at most " + maxLength + " characters";
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c) && c != '\t' && c != '\n' && c != '\r') {
                return c == 0 ? "must not contain NUL characters" : "must not contain control characters";
            }
            if (Character.isSurrogate(c) && !pairedAt(value, i)) {
                return "is not valid Unicode (an unpaired surrogate)";
            }
            if (Character.isHighSurrogate(c)) {
                i++;
            }
        }
        return null;
    }

    /**
     * The first value or key of a JSON object that could not be stored, named by its path under {@code field} (such as
     * {@code properties.items[2].name}), or null when all is fine.
     */
    public static FieldError jsonProblem(String field, JsonNode node) {
        return walk(field, node, 1);
    }

    private static FieldError walk(String path, JsonNode node, int depth) {
        if (node.isContainerNode() && depth > MAX_DEPTH) {
            return new FieldError(path, "nests deeper than " + MAX_DEPTH + " levels");
        }
        if (node.isTextual()) {
            String problem = textProblem(node.textValue(), MAX_VALUE_LENGTH);
            return problem == null ? null : new FieldError(path, problem);
        }
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                String key = e.getKey();
                String child = path + "." + key;
                String problem = textProblem(key, MAX_KEY_LENGTH);
                if (problem != null) {
                    return new FieldError(path, "holds a key that " + problem);
                }
                FieldError inner = walk(child, e.getValue(), depth + 1);
                if (inner != null) {
                    return inner;
                }
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                FieldError inner = walk(path + "[" + i + "]", node.get(i), depth + 1);
                if (inner != null) {
                    return inner;
                }
            }
        }
        return null;
    }

    private static boolean pairedAt(String s, int i) {
        char c = s.charAt(i);
        return Character.isHighSurrogate(c) ? i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))
                : i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }

    /** Unicode's bidirectional formatting characters: marks, embeddings, overrides and isolates. */
    static boolean isBidiControl(char c) {
        return c == '\u200E' || c == '\u200F' || c == '\u061C' || c >= '\u202A' && c <= '\u202E'
                || c >= '\u2066' && c <= '\u2069';
    }
}
