package dev.rapport.suppression;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import dev.rapport.common.error.FieldError;
import dev.rapport.common.error.RapportException;
import dev.rapport.common.text.StorableText;
import dev.rapport.common.vocabulary.Channel;
import dev.rapport.common.vocabulary.Purpose;

/** Checks contact requests as they come from REST or gRPC, naming every field at fault. */
public final class ContactRequests {

    /** Longest profile, campaign, product and category id. */
    public static final int MAX_ID_LENGTH = 128;
    /** Most products, and most categories, one request may name. */
    public static final int MAX_ITEMS = 100;
    private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");

    private ContactRequests() {
    }

    /**
     * A contact request as sent, before checks.
     *
     * @param channel the channel's API name, null when missing
     * @param purpose the purpose's API name, null when missing
     */
    public record Raw(String profileId, String channel, String purpose, String campaignId, List<String> productIds,
            List<String> categories, String topic, boolean commit) {
    }

    /**
     * The checked request, or a {@link RapportException} naming the fields at fault.
     *
     * @param prefix prefix of field names (such as {@code requests[3].}), empty for none
     */
    public static ContactRequest check(Raw raw, String prefix) {
        List<FieldError> errors = new ArrayList<>();
        String profileId = id(raw.profileId(), prefix + "profileId", true, errors);
        Channel channel = null;
        if (blank(raw.channel())) {
            errors.add(new FieldError(prefix + "channel", "is required: one of " + Channel.apiNames()));
        } else {
            channel = Channel.fromApiName(raw.channel()).orElse(null);
            if (channel == null) {
                errors.add(new FieldError(prefix + "channel", "is not a channel; use one of " + Channel.apiNames()));
            }
        }
        Purpose purpose = null;
        if (blank(raw.purpose())) {
            errors.add(new FieldError(prefix + "purpose", "is required: marketing, service or transactional"));
        } else {
            purpose = Purpose.fromApiName(raw.purpose()).orElse(null);
            if (purpose == null) {
                errors.add(new FieldError(prefix + "purpose", "is not a purpose; use marketing, service or transactional"));
            }
        }
        String campaignId = id(raw.campaignId(), prefix + "campaignId", false, errors);
        List<String> products = items(raw.productIds(), prefix + "productIds", errors);
        List<String> categories = items(raw.categories(), prefix + "categories", errors);
        String topic = blank(raw.topic()) ? null : raw.topic().strip();
        if (topic != null && !TOPIC.matcher(topic).matches()) {
            errors.add(new FieldError(prefix + "topic", "must be 1 to 64 letters, digits or _ . : -"));
        }
        if (!errors.isEmpty()) {
            throw RapportException.invalid(errors.size() == 1 ? errors.get(0).field() + ": " + errors.get(0).message()
                    : errors.size() + " fields are invalid", errors);
        }
        return new ContactRequest(profileId, channel, purpose, campaignId, products, categories, topic, raw.commit());
    }

    /** Checks an id: stripped, a storable name of at most {@value #MAX_ID_LENGTH} characters. */
    public static String id(String value, String field, boolean required, List<FieldError> errors) {
        if (blank(value)) {
            if (required) {
                errors.add(new FieldError(field, "is required"));
            }
            return null;
        }
        String v = value.strip();
        String problem = StorableText.nameProblem(v, MAX_ID_LENGTH);
        if (problem != null) {
            errors.add(new FieldError(field, problem));
        }
        return v;
    }

    private static List<String> items(List<String> values, String field, List<FieldError> errors) {
        if (values == null || values.isEmpty()) {
            return List.of();
        }
        if (values.size() > MAX_ITEMS) {
            errors.add(new FieldError(field, "holds " + values.size() + " items; at most " + MAX_ITEMS));
            return List.of();
        }
        List<String> out = new ArrayList<>(values.size());
        for (int i = 0; i < values.size(); i++) {
            String v = id(values.get(i), field + "[" + i + "]", true, errors);
            if (v != null && !out.contains(v)) {
                out.add(v);
            }
        }
        return out;
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
