package dev.rapport.profile;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

/**
 * Where a timeline page ends: the time and id of its last event. On the wire it is opaque (base64url); a cursor that
 * does not decode is refused.
 */
public record TimelineCursor(Instant occurredAt, String eventId) {

    public String encode() {
        String raw = occurredAt.getEpochSecond() + "." + occurredAt.getNano() + ":" + eventId;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    /** The cursor, or null when {@code text} is not one. */
    public static TimelineCursor decode(String text) {
        try {
            String raw = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
            int colon = raw.indexOf(':');
            int dot = raw.indexOf('.');
            if (colon < 0 || dot < 0 || dot > colon) {
                return null;
            }
            long seconds = Long.parseLong(raw.substring(0, dot));
            int nanos = Integer.parseInt(raw.substring(dot + 1, colon));
            String id = raw.substring(colon + 1);
            if (id.isEmpty() || nanos < 0 || nanos > 999_999_999) {
                return null;
            }
            return new TimelineCursor(Instant.ofEpochSecond(seconds, nanos), id);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
