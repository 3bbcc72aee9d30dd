package dev.rapport.profile;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/** Events and identifiers for tests, unique per call so tests never see each other's data. */
public final class ProfileFixtures {

    private static final AtomicLong PHONES = new AtomicLong(System.nanoTime() % 9_000_000L);

    private ProfileFixtures() {
    }

    public static String id(String prefix) {
        return prefix + "-" + UUID.randomUUID();
    }

    public static String email() {
        return "person-" + UUID.randomUUID().toString().substring(0, 13) + "@example.com";
    }

    /** A valid Moscow mobile number (+7 916 …), as a person would type it. */
    public static String phone() {
        long n = 1_000_000L + PHONES.incrementAndGet() % 9_000_000L;
        String digits = String.valueOf(n);
        return "+7 916 " + digits.substring(0, 3) + "-" + digits.substring(3, 5) + "-" + digits.substring(5, 7);
    }

    /** The E.164 form of {@link #phone()}'s output. */
    public static String e164(String phone) {
        return phone.replaceAll("[^+0-9]", "");
    }

    public static String at(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.ofHours(3)).toString();
    }

    /** A valid event of {@code type} with these identifiers (name, value, name, value, ...). */
    public static Map<String, Object> event(String type, Instant at, Object... identifiers) {
        Map<String, Object> ids = new LinkedHashMap<>();
        for (int i = 0; i < identifiers.length; i += 2) {
            ids.put((String) identifiers[i], identifiers[i + 1]);
        }
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("id", id("evt"));
        event.put("type", type);
        event.put("channel", "web");
        event.put("occurredAt", at(at));
        event.put("identifiers", ids);
        return event;
    }

    public static Map<String, Object> with(Map<String, Object> event, String field, Object value) {
        Map<String, Object> copy = new LinkedHashMap<>(event);
        if (value == null) {
            copy.remove(field);
        } else {
            copy.put(field, value);
        }
        return copy;
    }

    public static Map<String, Object> batch(List<Map<String, Object>> events) {
        return Map.of("events", events);
    }
}
