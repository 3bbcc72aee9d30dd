package dev.rapport.suppression;

import java.util.Locale;
import java.util.Optional;

/** A consent statement. */
public enum ConsentStatus {
    OPTED_IN, OPTED_OUT;

    public String apiName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<ConsentStatus> fromApiName(String name) {
        for (ConsentStatus s : values()) {
            if (s.apiName().equals(name)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }
}
