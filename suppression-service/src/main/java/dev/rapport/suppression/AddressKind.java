package dev.rapport.suppression;

import java.util.List;
import java.util.Optional;

import dev.rapport.common.vocabulary.Channel;

/** Identifier kinds a person can be reached at, by their identifier names, and the channels they serve. */
public enum AddressKind {
    EMAIL("email"), PHONE("phone"), PUSH_TOKEN("pushToken"), TELEGRAM_ID("telegramId"), WHATSAPP_ID("whatsappId");

    private final String identifier;

    AddressKind(String identifier) {
        this.identifier = identifier;
    }

    /** The identifier name on events: {@code email}, {@code pushToken}, ... */
    public String identifier() {
        return identifier;
    }

    public static Optional<AddressKind> fromIdentifier(String name) {
        for (AddressKind k : values()) {
            if (k.identifier.equals(name)) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }

    /**
     * The kinds of address a channel delivers to; empty for channels that need none (web, app, store, social,
     * service desk: the person comes to them).
     */
    public static List<AddressKind> forChannel(Channel channel) {
        return switch (channel) {
            case EMAIL -> List.of(EMAIL);
            case SMS, CALL_CENTER -> List.of(PHONE);
            case PUSH -> List.of(PUSH_TOKEN);
            case MESSENGER -> List.of(TELEGRAM_ID, WHATSAPP_ID);
            default -> List.of();
        };
    }
}
