package dev.rapport.channel.rules;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import org.apache.commons.validator.routines.EmailValidator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;

import dev.rapport.channel.Content;
import dev.rapport.channel.Outgoing;
import dev.rapport.common.error.ErrorKind;
import dev.rapport.common.error.FieldError;
import dev.rapport.common.error.RapportException;
import dev.rapport.common.text.SmsSegments;
import dev.rapport.common.text.StorableText;

/**
 * What a message must be before the gateway takes it: the request well-formed (else {@code 400} naming each field),
 * then the channel's rules kept (else {@code 422 channel_rule} naming the rule): an email needs a subject and a body,
 * an SMS at most the configured number of parts (GSM-7 160/153, UCS-2 70/67 per part), a push payload at most FCM's
 * 4,096 bytes, a messenger text at most Telegram's 4,096 characters.
 */
public final class ChannelRules {

    public static final Set<String> CHANNELS = Set.of("email", "sms", "push", "messenger");
    public static final Set<String> PURPOSES = Set.of("marketing", "service", "transactional");
    /** FCM's limit for a message's payload. */
    public static final int PUSH_PAYLOAD_BYTES = 4096;
    /** Telegram's limit for a message's text; WhatsApp's is the same. */
    public static final int MESSENGER_CHARS = 4096;
    private static final int EMAIL_BODY_CHARS = 512 * 1024;
    private static final Pattern PUSH_TOKEN = Pattern.compile("[A-Za-z0-9:_\\-.]{8,4096}");
    private static final Pattern TELEGRAM = Pattern.compile("telegram:-?[0-9]{1,20}");
    private static final Pattern WHATSAPP = Pattern.compile("whatsapp:[0-9]{6,20}");
    private static final EmailValidator EMAILS = EmailValidator.getInstance(false, false);
    private static final PhoneNumberUtil PHONES = PhoneNumberUtil.getInstance();
    private static final ObjectMapper JSON = new ObjectMapper();

    /** How a message that keeps the rules goes out. */
    public record Checked(int segments, String encoding) {
    }

    private final int maxSmsParts;
    private final String phoneRegion;

    public ChannelRules(int maxSmsParts, String phoneRegion) {
        this.maxSmsParts = maxSmsParts;
        this.phoneRegion = phoneRegion;
    }

    /** Checks the request's form: every field at fault is named at once. */
    public void checkForm(Outgoing m, Instant now) {
        List<FieldError> errors = new ArrayList<>();
        name(errors, "id", m.id(), true);
        name(errors, "profileId", m.profileId(), true);
        name(errors, "campaignId", m.campaignId(), false);
        if (m.channel() == null || m.channel().isBlank()) {
            errors.add(new FieldError("channel", "is required"));
        } else if (!CHANNELS.contains(m.channel())) {
            errors.add(new FieldError("channel", "must be email, sms, push or messenger"));
        }
        if (m.purpose() == null || m.purpose().isBlank()) {
            errors.add(new FieldError("purpose", "is required"));
        } else if (!PURPOSES.contains(m.purpose())) {
            errors.add(new FieldError("purpose", "must be marketing, service or transactional"));
        }
        if (m.content() == null) {
            errors.add(new FieldError("content", "is required"));
        } else {
            text(errors, "content.subject", m.content().subject());
            text(errors, "content.html", m.content().html());
            text(errors, "content.text", m.content().text());
            text(errors, "content.title", m.content().title());
            text(errors, "content.body", m.content().body());
            m.content().data().forEach((k, v) -> {
                name(errors, "content.data", k, true);
                text(errors, "content.data." + k, v);
            });
        }
        if (m.productIds().size() > 50) {
            errors.add(new FieldError("productIds", "must name at most 50 products"));
        }
        for (int i = 0; i < m.productIds().size(); i++) {
            name(errors, "productIds[" + i + "]", m.productIds().get(i), true);
        }
        if (m.expiresAt() != null && !m.expiresAt().isAfter(now)) {
            errors.add(new FieldError("expiresAt", "must be in the future"));
        }
        if (m.to() != null && CHANNELS.contains(m.channel()) && addressProblem(m.channel(), m.to()) != null) {
            errors.add(new FieldError("to", addressProblem(m.channel(), m.to())));
        }
        if (!errors.isEmpty()) {
            throw RapportException.invalid("The message cannot be sent as it is.", errors);
        }
    }

    /** Checks the channel's rules on a well-formed request; answers how it goes out. */
    public Checked checkRules(String channel, Content c) {
        List<FieldError> broken = new ArrayList<>();
        Checked out = new Checked(1, null);
        switch (channel) {
            case "email" -> {
                if (blank(c.subject())) {
                    broken.add(new FieldError("content.subject", "an email needs a subject"));
                } else if (c.subject().length() > 998 || c.subject().contains("\n") || c.subject().contains("\r")) {
                    broken.add(new FieldError("content.subject", "a subject is one line of at most 998 characters"));
                }
                if (blank(c.html()) && blank(c.text())) {
                    broken.add(new FieldError("content", "an email needs html or text"));
                }
                if (length(c.html()) > EMAIL_BODY_CHARS || length(c.text()) > EMAIL_BODY_CHARS) {
                    broken.add(new FieldError("content", "an email body is at most " + EMAIL_BODY_CHARS
                            + " characters"));
                }
            }
            case "sms" -> {
                if (blank(c.text())) {
                    broken.add(new FieldError("content.text", "an SMS needs text"));
                } else {
                    SmsSegments.Count count = SmsSegments.of(c.text());
                    out = new Checked(count.segments(), count.encoding() == SmsSegments.Encoding.GSM_7 ? "GSM-7"
                            : "UCS-2");
                    if (count.segments() > maxSmsParts) {
                        broken.add(new FieldError("content.text", "takes " + count.segments() + " SMS parts in "
                                + out.encoding() + "; at most " + maxSmsParts + " are sent"));
                    }
                }
            }
            case "push" -> {
                if (blank(c.title()) && blank(c.body())) {
                    broken.add(new FieldError("content", "a push needs a title or a body"));
                } else if (pushPayload(c) > PUSH_PAYLOAD_BYTES) {
                    broken.add(new FieldError("content", "a push payload is at most " + PUSH_PAYLOAD_BYTES
                            + " bytes; this one is " + pushPayload(c)));
                }
            }
            default -> {
                if (blank(c.text())) {
                    broken.add(new FieldError("content.text", "a messenger message needs text"));
                } else if (c.text().codePointCount(0, c.text().length()) > MESSENGER_CHARS) {
                    broken.add(new FieldError("content.text", "a messenger message is at most " + MESSENGER_CHARS
                            + " characters"));
                }
            }
        }
        if (!broken.isEmpty()) {
            throw new RapportException(ErrorKind.UNPROCESSABLE, "channel_rule", "The content breaks the rules of "
                    + "channel " + channel + ".", broken);
        }
        return out;
    }

    /** An address as the channel's provider takes it (a phone in E.164), or null when it is not one. */
    public String normalise(String channel, String address) {
        if (addressProblem(channel, address) != null) {
            return null;
        }
        if (channel.equals("sms")) {
            try {
                return PHONES.format(PHONES.parse(address.strip(), phoneRegion),
                        PhoneNumberUtil.PhoneNumberFormat.E164);
            } catch (NumberParseException e) {
                return null;
            }
        }
        return address.strip();
    }

    /** What is wrong with an address on a channel, or null. */
    public String addressProblem(String channel, String address) {
        if (address == null || address.isBlank()) {
            return "is empty";
        }
        String a = address.strip();
        return switch (channel) {
            case "email" -> EMAILS.isValid(a) ? null : "is not a valid email address";
            case "sms" -> {
                try {
                    yield PHONES.isValidNumber(PHONES.parse(a, phoneRegion)) ? null : "is not a valid phone number";
                } catch (NumberParseException e) {
                    yield "is not a phone number";
                }
            }
            case "push" -> PUSH_TOKEN.matcher(a).matches() ? null : "is not a push token";
            default -> TELEGRAM.matcher(a).matches() || WHATSAPP.matcher(a).matches() ? null
                    : "must be telegram:<chat id> or whatsapp:<WhatsApp id>";
        };
    }

    /** The bytes of a push as FCM counts them: its notification and data. */
    static int pushPayload(Content c) {
        ObjectNode n = JSON.createObjectNode();
        if (c.title() != null) {
            n.put("title", c.title());
        }
        if (c.body() != null) {
            n.put("body", c.body());
        }
        ObjectNode data = n.putObject("data");
        c.data().forEach(data::put);
        return n.toString().getBytes(StandardCharsets.UTF_8).length;
    }

    private static void name(List<FieldError> errors, String field, String value, boolean required) {
        if (value == null || value.isBlank()) {
            if (required) {
                errors.add(new FieldError(field, "is required"));
            }
            return;
        }
        String problem = StorableText.nameProblem(value, 128);
        if (problem != null) {
            errors.add(new FieldError(field, problem));
        }
    }

    /** Text a channel can carry: no NUL or other control characters but tab and line breaks. */
    private static void text(List<FieldError> errors, String field, String value) {
        if (value != null && StorableText.textProblem(value, EMAIL_BODY_CHARS) != null) {
            errors.add(new FieldError(field, StorableText.textProblem(value, EMAIL_BODY_CHARS)));
        }
    }

    private static int length(String s) {
        return s == null ? 0 : s.length();
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
