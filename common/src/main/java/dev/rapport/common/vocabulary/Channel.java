package dev.rapport.common.vocabulary;

import java.util.Locale;
import java.util.Optional;

/** The channels of docs/api.md, by their API names. */
public enum Channel {
    WEB, APP, EMAIL, SMS, PUSH, MESSENGER, CALL_CENTER, STORE, SOCIAL, SERVICE_DESK;

    private final String apiName = name().toLowerCase(Locale.ROOT);

    /** The name used on the wire: {@code web}, {@code call_center}, ... */
    public String apiName() {
        return apiName;
    }

    /** The channel with this API name. */
    public static Optional<Channel> fromApiName(String name) {
        for (Channel c : values()) {
            if (c.apiName().equals(name)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    /** The API names, comma-separated, for error messages. */
    public static String apiNames() {
        StringBuilder out = new StringBuilder();
        for (Channel c : values()) {
            out.append(out.isEmpty() ? "" : ", ").append(c.apiName());
        }
        return out.toString();
    }
}
