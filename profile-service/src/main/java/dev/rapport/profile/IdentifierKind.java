package dev.rapport.profile;

import java.util.Optional;

/**
 * The kinds of identifiers a person is recognised by. Declaration order is precedence: when an event's identifiers point
 * at profiles that cannot be merged, the event goes with the profile of the first kind in this order.
 */
public enum IdentifierKind {
    /** The company's own customer id; authoritative, never merged with another externalId. */
    EXTERNAL_ID("externalId", false, false),
    EMAIL("email", false, true),
    PHONE("phone", false, true),
    LOYALTY_CARD("loyaltyCard", false, false),
    TELEGRAM_ID("telegramId", false, true),
    WHATSAPP_ID("whatsappId", false, true),
    /** Push tokens of the person's devices; many per profile, the least recently seen dropped beyond the bound. */
    PUSH_TOKEN("pushToken", true, true),
    /** Device ids; many per profile, bounded. */
    DEVICE_ID("deviceId", true, false),
    /** Web cookie ids; many per profile, bounded. */
    ANONYMOUS_ID("anonymousId", true, false);

    private final String apiName;
    private final boolean bounded;
    private final boolean address;

    IdentifierKind(String apiName, boolean bounded, boolean address) {
        this.apiName = apiName;
        this.bounded = bounded;
        this.address = address;
    }

    /** The name used on the wire and in storage, such as {@code anonymousId}. */
    public String apiName() {
        return apiName;
    }

    /** Whether a profile may hold many of this kind, the least recently seen dropped beyond a bound. */
    public boolean bounded() {
        return bounded;
    }

    /** Whether a message can be sent to it (email, phone, push token, messenger ids). */
    public boolean address() {
        return address;
    }

    public static Optional<IdentifierKind> fromApiName(String name) {
        for (IdentifierKind kind : values()) {
            if (kind.apiName.equals(name)) {
                return Optional.of(kind);
            }
        }
        return Optional.empty();
    }
}
