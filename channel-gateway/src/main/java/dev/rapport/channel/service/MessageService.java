package dev.rapport.channel.service;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.google.protobuf.Value;

import dev.rapport.channel.Message;
import dev.rapport.channel.Outgoing;
import dev.rapport.channel.client.ProfileClient;
import dev.rapport.channel.client.SuppressionClient;
import dev.rapport.channel.config.ChannelConfig;
import dev.rapport.channel.repository.MessageStore;
import dev.rapport.channel.rules.ChannelRules;
import dev.rapport.common.error.ErrorKind;
import dev.rapport.common.error.FieldError;
import dev.rapport.common.error.Failures;
import dev.rapport.common.error.RapportException;
import dev.rapport.proto.common.v1.Channel;
import dev.rapport.proto.common.v1.Purpose;
import dev.rapport.proto.profile.v1.Identifier;
import dev.rapport.proto.profile.v1.IdentifierKind;
import dev.rapport.proto.profile.v1.Profile;
import dev.rapport.proto.suppression.v1.Decision;
import dev.rapport.proto.suppression.v1.DecideRequest;
import dev.rapport.proto.suppression.v1.DecideResponse;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * Takes messages: checks the request and the channel's rules, answers the first result for an id seen before (a
 * conflict when the same id comes with another request), finds the address on the profile when none is given, asks
 * suppression-service about marketing and service messages (a denial is the caller's answer, a deferral holds the
 * message until then) and stores the message before it answers, so the dispatcher hands it off and nothing is lost.
 */
@ApplicationScoped
public class MessageService {

    private static final ObjectMapper CANONICAL = new ObjectMapper()
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
    private static final Map<String, IdentifierKind> ADDRESS_KIND = Map.of("email", IdentifierKind.IDENTIFIER_KIND_EMAIL,
            "sms", IdentifierKind.IDENTIFIER_KIND_PHONE, "push", IdentifierKind.IDENTIFIER_KIND_PUSH_TOKEN);
    /** The identifiers a message's events may name its person by, best first. */
    private static final List<IdentifierKind> IDENTITIES = List.of(IdentifierKind.IDENTIFIER_KIND_EXTERNAL_ID,
            IdentifierKind.IDENTIFIER_KIND_EMAIL, IdentifierKind.IDENTIFIER_KIND_PHONE,
            IdentifierKind.IDENTIFIER_KIND_LOYALTY_CARD, IdentifierKind.IDENTIFIER_KIND_TELEGRAM_ID,
            IdentifierKind.IDENTIFIER_KIND_WHATSAPP_ID, IdentifierKind.IDENTIFIER_KIND_ANONYMOUS_ID);

    /** What the caller is answered: the message, its status then, its SMS parts, when a held one goes. */
    public record Accepted(String messageId, String status, int segments, String encoding, Instant retryAt,
            boolean duplicate) {
    }

    /** A message with its history. */
    public record Found(Message message, List<MessageStore.StatusChange> history) {
    }

    private final ChannelRules rules;
    private final MessageStore store;
    private final ProfileClient profiles;
    private final SuppressionClient suppression;
    private final Dispatcher dispatcher;
    private final Pool pool;
    private final Clock clock;
    private final String defaultLanguage;

    public MessageService(MessageStore store, ProfileClient profiles, SuppressionClient suppression,
            Dispatcher dispatcher, Pool pool, Clock clock, ChannelConfig config,
            @ConfigProperty(name = "rapport.phone.default-region", defaultValue = "RU") String phoneRegion) {
        this.rules = new ChannelRules(config.smsMaxParts(), phoneRegion);
        this.store = store;
        this.profiles = profiles;
        this.suppression = suppression;
        this.dispatcher = dispatcher;
        this.pool = pool;
        this.clock = clock;
        this.defaultLanguage = config.defaultLanguage();
    }

    /** Takes a message, or refuses it with a clear reason (nothing is stored then). */
    public Uni<Accepted> accept(Outgoing o) {
        Instant now = clock.instant();
        ChannelRules.Checked checked;
        try {
            rules.checkForm(o, now);
            checked = rules.checkRules(o.channel(), o.content());
            if (!dispatcher.serves(o.channel())) {
                throw new RapportException(ErrorKind.UNPROCESSABLE, "no_provider", "No provider is configured for "
                        + "channel " + o.channel() + ": the message could never go.", List.of(new FieldError("channel",
                                "has no provider configured")));
            }
        } catch (RapportException e) {
            return Uni.createFrom().failure(e);
        }
        String digest = digest(o);
        return store.find(o.id()).chain(existing -> existing != null ? first(existing, digest)
                : profiles.profile(o.profileId()).chain(found -> {
                    Profile p = found.orElseThrow(() -> new RapportException(ErrorKind.UNPROCESSABLE,
                            "unknown_profile", "No person has the profile id " + o.profileId() + ".",
                            List.of(new FieldError("profileId", "is not a known profile"))));
                    String address = o.to() != null ? rules.normalise(o.channel(), o.to()) : address(p, o.channel());
                    if (address == null) {
                        throw new RapportException(ErrorKind.UNPROCESSABLE, "no_address", "The person has no "
                                + o.channel() + " address and the message names none.", List.of(new FieldError("to",
                                        "is required: the profile has no " + o.channel() + " address")));
                    }
                    String identity = identity(p);
                    if (identity == null) {
                        throw new RapportException(ErrorKind.UNPROCESSABLE, "unknown_profile", "The profile "
                                + o.profileId() + " has no identifier to record the message on.", List.of(
                                        new FieldError("profileId", "has no identifiers")));
                    }
                    Message draft = new Message(o.id(), p.getId(), o.channel(), o.purpose(), address, o.content(),
                            o.campaignId(), o.productIds(), checked.segments(), checked.encoding(), "queued", null,
                            null, 0, now, o.expiresAt(), null, now, language(p));
                    if (!dispatcher.takes(draft)) {
                        throw new RapportException(ErrorKind.UNPROCESSABLE, "no_provider", "No provider is configured "
                                + "for this " + o.channel() + " address.", List.of(new FieldError("to",
                                        "has no provider configured")));
                    }
                    return decide(draft, false).chain(d -> store(draft, d, digest, identity, now));
                }))
                .onFailure(f -> !(f instanceof RapportException))
                .transform(f -> Failures.unavailableIfUnreachable(f, "A service the gateway needs"));
    }

    /** A message by id, with its history. */
    public Uni<Found> message(String id) {
        if (id == null || id.isBlank() || id.length() > 128) {
            return Uni.createFrom().failure(RapportException.notFound("message_not_found", "No message has this id."));
        }
        return store.find(id).chain(s -> {
            if (s == null) {
                return Uni.createFrom().failure(RapportException.notFound("message_not_found", "No message has the "
                        + "id " + id + "."));
            }
            return store.history(id).map(h -> new Found(s.message(), h));
        });
    }

    /** The same id again: the first answer for the same request, a conflict for another. */
    private Uni<Accepted> first(MessageStore.Stored existing, String digest) {
        if (!existing.requestDigest().equals(digest)) {
            return Uni.createFrom().failure(new RapportException(ErrorKind.CONFLICT, "message_id_reused",
                    "A message with the id " + existing.message().id() + " was sent with other content.",
                    List.of(new FieldError("id", "was used for another message"))));
        }
        Message m = existing.message();
        return store.history(m.id()).map(h -> {
            String firstStatus = h.isEmpty() ? m.status() : h.get(0).status();
            Instant retryAt = firstStatus.equals("held") ? m.nextAttemptAt() : null;
            return new Accepted(m.id(), firstStatus, m.segments(), m.encoding(), retryAt, true);
        });
    }

    private Uni<Accepted> store(Message draft, DecideResponse decision, String digest, String identity, Instant now) {
        if (decision != null && decision.getDecision() == Decision.DECISION_DENY) {
            return Uni.createFrom().failure(new RapportException(ErrorKind.UNPROCESSABLE, "suppressed",
                    "suppression-service does not allow this message to " + draft.profileId() + " now.",
                    decision.getReasonsList().stream().map(r -> new FieldError(Dispatcher.rule(r.getRule()),
                            r.getDetail())).toList()));
        }
        boolean held = decision != null && decision.getDecision() == Decision.DECISION_DEFER;
        Instant at = held ? Instant.ofEpochSecond(decision.getRetryAt().getSeconds(), decision.getRetryAt()
                .getNanos()) : now;
        Message m = new Message(draft.id(), draft.profileId(), draft.channel(), draft.purpose(), draft.address(),
                draft.content(), draft.campaignId(), draft.productIds(), draft.segments(), draft.encoding(),
                held ? "held" : "queued", null, null, 0, at, draft.expiresAt(), null, now, draft.language());
        String detail = held ? "held until " + at + ": " + Dispatcher.reasons(decision) : "accepted";
        return pool.withTransaction(c -> store.insert(c, m, digest, identity, detail, now)).chain(inserted -> {
            if (!inserted) {
                // another request with the same id was stored in between
                return store.find(m.id()).chain(existing -> first(existing, digest));
            }
            if (!held) {
                dispatcher.wake();
            }
            return Uni.createFrom().item(new Accepted(m.id(), m.status(), m.segments(), m.encoding(), held ? at
                    : null, false));
        });
    }

    /** suppression-service's decision on a marketing or service message; null for a transactional one. */
    Uni<DecideResponse> decide(Message m, boolean commit) {
        if (!m.decided()) {
            return Uni.createFrom().nullItem();
        }
        return suppression.decide(request(m, commit));
    }

    static DecideRequest request(Message m, boolean commit) {
        DecideRequest.Builder r = DecideRequest.newBuilder().setProfileId(m.profileId())
                .setChannel(Channel.valueOf("CHANNEL_" + m.channel().toUpperCase()))
                .setPurpose(Purpose.valueOf("PURPOSE_" + m.purpose().toUpperCase())).addAllProductIds(m.productIds())
                .setCommit(commit);
        if (m.campaignId() != null) {
            r.setCampaignId(m.campaignId());
        }
        return r.build();
    }

    /** The profile's address on a channel, or null. */
    private static String address(Profile p, String channel) {
        if (channel.equals("messenger")) {
            for (Identifier i : p.getIdentifiersList()) {
                if (i.getKind() == IdentifierKind.IDENTIFIER_KIND_TELEGRAM_ID) {
                    return "telegram:" + i.getValue();
                }
            }
            for (Identifier i : p.getIdentifiersList()) {
                if (i.getKind() == IdentifierKind.IDENTIFIER_KIND_WHATSAPP_ID) {
                    return "whatsapp:" + i.getValue();
                }
            }
            return null;
        }
        IdentifierKind kind = ADDRESS_KIND.get(channel);
        return p.getIdentifiersList().stream().filter(i -> i.getKind() == kind).map(Identifier::getValue).findFirst()
                .orElse(null);
    }

    /** The person's language, from the profile's {@code locale} ({@code ru-RU} is {@code ru}), else the default. */
    private String language(Profile p) {
        Value locale = p.getTraits().getFieldsMap().get("locale");
        String tag = locale == null ? "" : locale.getStringValue().strip();
        String language = Locale.forLanguageTag(tag.replace('_', '-')).getLanguage();
        return language.isEmpty() ? defaultLanguage : language;
    }

    /** An identifier of the profile's own, {@code kind:value}, that its events name the person by. */
    private static String identity(Profile p) {
        for (IdentifierKind kind : IDENTITIES) {
            for (Identifier i : p.getIdentifiersList()) {
                if (i.getKind() == kind) {
                    return kind.name().substring("IDENTIFIER_KIND_".length()).toLowerCase() + ":" + i.getValue();
                }
            }
        }
        return null;
    }

    /** What tells one request from another under the same id: everything it asks for, in a fixed order. */
    static String digest(Outgoing o) {
        Map<String, Object> all = new TreeMap<>();
        all.put("profileId", o.profileId());
        all.put("channel", o.channel());
        all.put("purpose", o.purpose());
        all.put("to", o.to());
        all.put("content", o.content());
        all.put("campaignId", o.campaignId());
        all.put("productIds", o.productIds());
        all.put("expiresAt", o.expiresAt() == null ? null : o.expiresAt().toString());
        try {
            byte[] bytes = CANONICAL.writeValueAsBytes(all);
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot digest a message", e);
        }
    }
}
