package dev.rapport.common.vocabulary;

import java.util.Locale;
import java.util.Optional;

/** Why a message is sent; it selects which suppression rules apply. */
public enum Purpose {
    MARKETING, SERVICE, TRANSACTIONAL;

    private final String apiName = name().toLowerCase(Locale.ROOT);

    /** The name used on the wire: {@code marketing}, {@code service}, {@code transactional}. */
    public String apiName() {
        return apiName;
    }

    /** The purpose with this API name. */
    public static Optional<Purpose> fromApiName(String name) {
        for (Purpose p : values()) {
            if (p.apiName().equals(name)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
