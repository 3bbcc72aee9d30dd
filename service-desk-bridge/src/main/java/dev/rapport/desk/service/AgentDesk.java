package dev.rapport.desk.service;

import java.time.Clock;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.commons.validator.routines.EmailValidator;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.Value;

import dev.rapport.common.error.ErrorKind;
import dev.rapport.common.error.FieldError;
import dev.rapport.common.error.Failures;
import dev.rapport.common.error.RapportException;
import dev.rapport.common.stream.EventTypes;
import dev.rapport.common.text.StorableText;
import dev.rapport.desk.AgentContext;
import dev.rapport.desk.Happening;
import dev.rapport.desk.LikelyReasons;
import dev.rapport.desk.Ticket;
import dev.rapport.desk.client.ProfileClient;
import dev.rapport.desk.repository.OutcomeStore;
import dev.rapport.desk.repository.OutcomeStore.Outcome;
import dev.rapport.desk.repository.TicketStore;
import dev.rapport.proto.common.v1.Channel;
import dev.rapport.proto.profile.v1.Event;
import dev.rapport.proto.profile.v1.Identifier;
import dev.rapport.proto.profile.v1.IdentifierKind;
import dev.rapport.proto.profile.v1.Profile;
import io.smallrye.mutiny.Uni;

/**
 * The call-centre agent's questions and answers: who is calling and what they did (the context), and what came of the
 * call (an outcome, recorded as events on the person's profile so suppression acts on it on every channel).
 */
@ApplicationScoped
public class AgentDesk {

    /** How many of the latest events the context reads. */
    static final int RECENT = 300;
    private static final EmailValidator EMAILS = EmailValidator.getInstance(false, false);
    private static final PhoneNumberUtil PHONES = PhoneNumberUtil.getInstance();

    /** A customer as the agent sees them. */
    public record View(Profile profile, List<Ticket> openTickets, AgentContext context, List<Outcome> outcomes) {
    }

    private final ProfileClient profiles;
    private final TicketStore tickets;
    private final OutcomeStore outcomes;
    private final Clock clock;
    private final String phoneRegion;

    public AgentDesk(ProfileClient profiles, TicketStore tickets, OutcomeStore outcomes, Clock clock,
            @ConfigProperty(name = "rapport.phone.default-region", defaultValue = "RU") String phoneRegion) {
        this.profiles = profiles;
        this.tickets = tickets;
        this.outcomes = outcomes;
        this.clock = clock;
        this.phoneRegion = phoneRegion;
    }

    /** The customer found by exactly one of phone, email or profile id, the likely reasons in English. */
    public Uni<View> context(String phone, String email, String profileId) {
        return context(phone, email, profileId, LikelyReasons.Words.ENGLISH);
    }

    /** The customer found by exactly one of phone, email or profile id, the likely reasons said in these words. */
    public Uni<View> context(String phone, String email, String profileId, LikelyReasons.Words words) {
        int given = (blank(phone) ? 0 : 1) + (blank(email) ? 0 : 1) + (blank(profileId) ? 0 : 1);
        if (given != 1) {
            return Uni.createFrom().failure(RapportException.invalid("Give exactly one of phone, email or profileId.",
                    List.of(new FieldError(given == 0 ? "phone" : "profileId", given == 0 ? "one of phone, email or "
                            + "profileId is required" : "only one of phone, email or profileId may be given"))));
        }
        Uni<String> id;
        if (!blank(profileId)) {
            String problem = StorableText.nameProblem(profileId.strip(), 128);
            if (problem != null) {
                return Uni.createFrom().failure(RapportException.invalidField("profileId", problem));
            }
            id = Uni.createFrom().item(profileId.strip());
        } else {
            Identifier identifier;
            try {
                identifier = !blank(phone) ? phone(phone) : email(email);
            } catch (RapportException e) {
                return Uni.createFrom().failure(e);
            }
            id = profiles.resolve(identifier).map(found -> found.orElseThrow(() -> RapportException.notFound(
                    "profile_not_found", "No customer has this " + (blank(phone) ? "email" : "phone") + ".")));
        }
        return id.chain(found -> view(found, words)).onFailure(f -> !(f instanceof RapportException)).transform(AgentDesk::unavailable);
    }

    private Uni<View> view(String profileId, LikelyReasons.Words words) {
        return profiles.profile(profileId).chain(found -> {
            Profile p = found.orElseThrow(() -> RapportException.notFound("profile_not_found",
                    "No customer has the profile id " + profileId + "."));
            return Uni.combine().all().unis(profiles.timeline(p.getId(), RECENT), tickets.openTickets(p.getId()),
                    outcomes.latest(p.getId(), 20)).asTuple().map(t -> {
                        List<Happening> recent = t.getItem1().stream().map(Happening::of).toList();
                        AgentContext context = AgentContext.of(recent, t.getItem2(),
                                p.getSummary().getPurchasesList(), p.getSummary().getPendingOrdersList(),
                                p.getSummary().getDeclinedOffersList(), clock.instant(), zone(p), words);
                        return new View(p, t.getItem2(), context, t.getItem3());
                    });
        });
    }

    /**
     * Records an outcome: {@code declined} becomes {@code offer_declined}, {@code accepted} {@code offer_accepted} and
     * a pending {@code order_placed}, {@code callback_requested} an event of that name, all on channel
     * {@code call_center}; then it is stored. A product is required for a decline or an acceptance and must be one the
     * customer's history names (viewed, ordered, offered, declined): the agent offers what the context shows.
     */
    public Uni<Outcome> record(String profileId, String productId, String outcome, String note, String agent) {
        List<FieldError> errors = new ArrayList<>();
        if (blank(profileId)) {
            errors.add(new FieldError("profileId", "is required"));
        }
        if (blank(outcome)) {
            errors.add(new FieldError("outcome", "is required"));
        } else if (!Set.of("declined", "accepted", "callback_requested").contains(outcome)) {
            errors.add(new FieldError("outcome", "must be declined, accepted or callback_requested"));
        } else if (blank(productId) && !outcome.equals("callback_requested")) {
            errors.add(new FieldError("productId", "is required for an offer " + outcome));
        }
        if (!blank(productId) && StorableText.nameProblem(productId.strip(), 128) != null) {
            errors.add(new FieldError("productId", StorableText.nameProblem(productId.strip(), 128)));
        }
        if (note != null && StorableText.textProblem(note, 2000) != null) {
            errors.add(new FieldError("note", StorableText.textProblem(note, 2000)));
        }
        if (!errors.isEmpty()) {
            return Uni.createFrom().failure(RapportException.invalid("The outcome cannot be recorded.", errors));
        }
        String product = blank(productId) ? null : productId.strip();
        String text = blank(note) ? null : note.strip();
        return view(profileId.strip(), LikelyReasons.Words.ENGLISH).chain(v -> {
            if (product != null && !products(v).contains(product)) {
                return Uni.createFrom().failure(new RapportException(ErrorKind.UNPROCESSABLE, "unknown_product",
                        "The customer's history names no product " + product + ".", List.of(new FieldError(
                                "productId", "is not a product this customer viewed, ordered, was offered or "
                                        + "declined"))));
            }
            Instant now = clock.instant();
            String id = UUID.randomUUID().toString();
            String order = outcome.equals("accepted") ? "call-" + id.substring(0, 8) : null;
            List<Event> events = events(id, v.profile(), product, outcome, text, order, now);
            return profiles.record(events).chain(response -> {
                if (response.getRejectedCount() > 0) {
                    return Uni.createFrom().failure(RapportException.invalid("profile-service refused the outcome's "
                            + "events.", response.getRejected(0).getErrorsList().stream().map(e -> new FieldError(
                                    e.getField(), e.getMessage())).toList()));
                }
                Outcome o = new Outcome(id, v.profile().getId(), product, outcome, text, agent, order, now);
                return outcomes.store(o).replaceWith(o);
            });
        }).onFailure(f -> !(f instanceof RapportException)).transform(AgentDesk::unavailable);
    }

    /** An outcome by id. */
    public Uni<Outcome> outcome(String id) {
        return outcomes.find(id).map(o -> {
            if (o == null) {
                throw RapportException.notFound("outcome_not_found", "No outcome has the id " + id + ".");
            }
            return o;
        });
    }

    /**
     * The products the customer's history names (bought, ordered, declined, of interest, named by a recent event),
     * interests first: what an agent may record an outcome for.
     */
    public static Set<String> products(View v) {
        Set<String> names = new LinkedHashSet<>();
        v.profile().getSummary().getInterestsList().forEach(i -> names.add(i.getValue()));
        v.context().timeline().forEach(h -> {
            Optional.ofNullable(h.text("productId")).ifPresent(names::add);
            names.addAll(h.texts("productIds"));
        });
        names.addAll(v.profile().getSummary().getPurchasesList());
        names.addAll(v.profile().getSummary().getDeclinedOffersList());
        return names;
    }

    private List<Event> events(String id, Profile p, String product, String outcome, String note, String order,
            Instant now) {
        Struct.Builder props = Struct.newBuilder().putFields("outcomeId", text(id)).putFields("source", text("agent"));
        if (product != null) {
            props.putFields("productId", text(product));
        }
        if (note != null) {
            props.putFields("note", text(note));
        }
        String type = switch (outcome) {
            case "declined" -> EventTypes.OFFER_DECLINED;
            case "accepted" -> EventTypes.OFFER_ACCEPTED;
            default -> "callback_requested";
        };
        List<Event> out = new ArrayList<>();
        out.add(event("agent-" + id, type, props.build(), p, now));
        if (order != null) {
            out.add(event("agent-" + id + "-order", EventTypes.ORDER_PLACED, Struct.newBuilder()
                    .putFields("orderId", text(order)).putFields("status", text("pending"))
                    .putFields("productIds", Value.newBuilder().setListValue(ListValue.newBuilder()
                            .addValues(text(product))).build())
                    .putFields("outcomeId", text(id)).build(), p, now));
        }
        return out;
    }

    private static Event event(String id, String type, Struct properties, Profile p, Instant now) {
        Event.Builder e = Event.newBuilder().setId(id).setType(type).setChannel(Channel.CHANNEL_CALL_CENTER)
                .setOccurredAt(Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()))
                .setProperties(properties);
        // the profile's own identifiers find it again (the first of each kind is enough)
        Set<IdentifierKind> kinds = new HashSet<>();
        for (Identifier i : p.getIdentifiersList()) {
            if (kinds.add(i.getKind()) && i.getKind() != IdentifierKind.IDENTIFIER_KIND_PUSH_TOKEN
                    && i.getKind() != IdentifierKind.IDENTIFIER_KIND_DEVICE_ID) {
                e.addIdentifiers(i);
            }
        }
        return e.build();
    }

    private Identifier phone(String raw) {
        try {
            var number = PHONES.parse(raw.strip(), phoneRegion);
            if (!PHONES.isValidNumber(number)) {
                throw RapportException.invalidField("phone", "is not a valid phone number");
            }
            return Identifier.newBuilder().setKind(IdentifierKind.IDENTIFIER_KIND_PHONE)
                    .setValue(PHONES.format(number, PhoneNumberUtil.PhoneNumberFormat.E164)).build();
        } catch (NumberParseException e) {
            throw RapportException.invalidField("phone", "is not a phone number");
        }
    }

    private static Identifier email(String raw) {
        if (!EMAILS.isValid(raw.strip())) {
            throw RapportException.invalidField("email", "is not a valid email address");
        }
        return Identifier.newBuilder().setKind(IdentifierKind.IDENTIFIER_KIND_EMAIL).setValue(raw.strip()).build();
    }

    /** The customer's time zone (trait {@code timezone}), Moscow when unset or unknown. */
    public static ZoneId zone(Profile p) {
        Value tz = p.getTraits().getFieldsMap().get("timezone");
        if (tz != null && tz.hasStringValue()) {
            try {
                return ZoneId.of(tz.getStringValue());
            } catch (DateTimeException e) {
                return ZoneId.of("Europe/Moscow");
            }
        }
        return ZoneId.of("Europe/Moscow");
    }

    private static Value text(String s) {
        return Value.newBuilder().setStringValue(s).build();
    }

    /** A failure of profile-service or the database: the agent may try again. */
    private static Throwable unavailable(Throwable f) {
        Throwable mapped = Failures.unavailableIfUnreachable(f, "A service the agent's desk needs");
        return mapped instanceof RapportException ? mapped : new RapportException(ErrorKind.UNAVAILABLE,
                "dependency_unavailable", "profile-service cannot answer right now; try again.");
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
