package dev.rapport.profile;

import java.util.Locale;

import org.apache.commons.validator.routines.EmailValidator;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;

import dev.rapport.common.text.StorableText;

/**
 * Brings identifiers to one form, so the same person is found however a channel wrote them: phones to E.164 with
 * libphonenumber (numbers without a country code are read in the default region), emails trimmed, lower-cased and
 * validated with Apache Commons Validator, other identifiers trimmed. Intake and look-ups use the same normaliser.
 */
public final class IdentifierNormalizer {

    /** Longest identifier value accepted. */
    public static final int MAX_LENGTH = 256;

    private static final EmailValidator EMAILS = EmailValidator.getInstance(false, false);

    private final PhoneNumberUtil phones = PhoneNumberUtil.getInstance();
    private final String defaultRegion;

    /** @param defaultRegion ISO 3166 region assumed for phone numbers without a country code, such as {@code RU} */
    public IdentifierNormalizer(String defaultRegion) {
        if (!phones.getSupportedRegions().contains(defaultRegion)) {
            throw new IllegalArgumentException("unknown phone region " + defaultRegion);
        }
        this.defaultRegion = defaultRegion;
    }

    /** The outcome: a normalised identifier, or what is wrong with the raw value. */
    public sealed interface Result permits Valid, Invalid {
    }

    /** A normalised identifier. */
    public record Valid(Identifier identifier) implements Result {
    }

    /** A value that cannot be an identifier of its kind. */
    public record Invalid(String message) implements Result {
    }

    public Result normalize(IdentifierKind kind, String raw) {
        if (raw == null) {
            return new Invalid("is required");
        }
        String value = raw.strip();
        if (value.isEmpty()) {
            return new Invalid("must not be blank");
        }
        String problem = StorableText.nameProblem(value, MAX_LENGTH);
        if (problem != null) {
            return new Invalid(problem);
        }
        return switch (kind) {
            case EMAIL -> email(value);
            case PHONE -> phone(value);
            default -> new Valid(new Identifier(kind, value));
        };
    }

    private Result email(String value) {
        String lower = value.toLowerCase(Locale.ROOT);
        if (!EMAILS.isValid(lower)) {
            return new Invalid("is not a valid email address");
        }
        return new Valid(new Identifier(IdentifierKind.EMAIL, lower));
    }

    private Result phone(String value) {
        try {
            PhoneNumber number = phones.parse(value, defaultRegion);
            if (!phones.isValidNumber(number)) {
                return new Invalid("is not a valid phone number");
            }
            return new Valid(new Identifier(IdentifierKind.PHONE,
                    phones.format(number, PhoneNumberUtil.PhoneNumberFormat.E164)));
        } catch (NumberParseException e) {
            return new Invalid("is not a phone number");
        }
    }
}
