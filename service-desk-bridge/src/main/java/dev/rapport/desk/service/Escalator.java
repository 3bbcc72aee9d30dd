package dev.rapport.desk.service;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.Value;

import dev.rapport.common.db.DatabaseBootstrap;
import dev.rapport.common.logging.LogSanitizer;
import dev.rapport.common.stream.EventTypes;
import dev.rapport.desk.TicketChange;
import dev.rapport.desk.TicketEvents;
import dev.rapport.desk.client.ProfileClient;
import dev.rapport.desk.client.ZendeskClient;
import dev.rapport.desk.config.DeskConfig;
import dev.rapport.desk.repository.EscalationStore;
import dev.rapport.desk.repository.EscalationStore.Escalation;
import dev.rapport.desk.repository.EscalationStore.Message;
import dev.rapport.desk.repository.TicketStore;
import dev.rapport.proto.common.v1.Channel;
import dev.rapport.proto.profile.v1.Event;
import dev.rapport.proto.profile.v1.Identifier;
import dev.rapport.proto.profile.v1.IdentifierKind;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * Takes an escalated conversation to a person: opens a ticket in Zendesk (Create Ticket, with an idempotency key of the
 * conversation, so a retry after a timeout or a replica taking over never opens a second one) carrying the reason and
 * the conversation's latest messages, then records {@code ticket_opened} on the person's profile and mirrors the
 * ticket, so marketing pauses as for any ticket. Each step is retried with a growing pause while Zendesk or
 * profile-service cannot take it; one refused for good is kept as {@code failed} with the reason, logged and counted.
 */
@Singleton
public class Escalator {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(
            ZoneOffset.UTC);
    private static final Map<String, IdentifierKind> KINDS = Map.of("email", IdentifierKind.IDENTIFIER_KIND_EMAIL,
            "phone", IdentifierKind.IDENTIFIER_KIND_PHONE, "externalId", IdentifierKind.IDENTIFIER_KIND_EXTERNAL_ID,
            "loyaltyCard", IdentifierKind.IDENTIFIER_KIND_LOYALTY_CARD,
            "telegramId", IdentifierKind.IDENTIFIER_KIND_TELEGRAM_ID,
            "whatsappId", IdentifierKind.IDENTIFIER_KIND_WHATSAPP_ID,
            "anonymousId", IdentifierKind.IDENTIFIER_KIND_ANONYMOUS_ID,
            "deviceId", IdentifierKind.IDENTIFIER_KIND_DEVICE_ID,
            "pushToken", IdentifierKind.IDENTIFIER_KIND_PUSH_TOKEN);

    private final Pool pool;
    private final EscalationStore escalations;
    private final TicketStore tickets;
    private final ZendeskClient zendesk;
    private final ProfileClient profiles;
    private final DeskConfig config;
    private final DatabaseBootstrap database;
    private final Vertx vertx;
    private final Clock clock;
    private final MeterRegistry metrics;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();
    private volatile long timer = -1;
    private volatile boolean stopping;

    public Escalator(Pool pool, EscalationStore escalations, TicketStore tickets, ZendeskClient zendesk,
            ProfileClient profiles, DeskConfig config, DatabaseBootstrap database, Vertx vertx, Clock clock,
            MeterRegistry metrics) {
        this.pool = pool;
        this.escalations = escalations;
        this.tickets = tickets;
        this.zendesk = zendesk;
        this.profiles = profiles;
        this.config = config;
        this.database = database;
        this.vertx = vertx;
        this.clock = clock;
        this.metrics = metrics;
    }

    void onStart(@Observes StartupEvent event) {
        if (!zendesk.configured() && config.escalationEnabled()) {
            Log.warn("Zendesk's API is not set up (rapport.desk.zendesk-api-url): unhappy conversations are kept as "
                    + "escalations but no ticket is opened for them until it is");
        }
        timer = vertx.setPeriodic(config.escalationInterval().toMillis(), id -> wake());
    }

    void onStop(@Observes ShutdownEvent event) {
        stopping = true;
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    /** Asks for a round soon; rounds never overlap, and a wake during one causes another. */
    public void wake() {
        if (stopping || !database.ready() || !zendesk.configured()) {
            return;
        }
        if (!running.compareAndSet(false, true)) {
            again.set(true);
            return;
        }
        again.set(false);
        round().subscribe().with(n -> finish(n, null), f -> finish(0, f));
    }

    private void finish(int handled, Throwable failure) {
        running.set(false);
        if (failure != null && !stopping) {
            Log.warnf("Cannot work on escalations now (%s); they stay stored and are tried again",
                    LogSanitizer.sanitize(String.valueOf(failure.getMessage())));
        }
        if (failure == null && (handled == config.escalationBatchSize() || again.getAndSet(false))) {
            vertx.runOnContext(this::wake);
        }
    }

    /** One round: takes the escalations due and moves each as far as it goes; answers how many it took. */
    public Uni<Integer> round() {
        Instant now = clock.instant();
        return escalations.claim(config.escalationBatchSize(), now, config.escalationLease())
                .onItem().transformToMulti(due -> Multi.createFrom().iterable(due))
                .onItem().transformToUni(this::advance).concatenate()
                .collect().asList().map(List::size);
    }

    private Uni<Void> advance(Escalation e) {
        Uni<String> ticket = e.ticketId() != null ? Uni.createFrom().item(e.ticketId()) : open(e);
        return ticket.chain(id -> record(e, id)).onFailure().recoverWithUni(f -> later(e, f));
    }

    /** Opens the ticket in Zendesk; answers its id. */
    private Uni<String> open(Escalation e) {
        return escalations.recent(e.conversationId(), config.escalationMessages()).chain(messages -> {
            String trigger = messages.stream().filter(m -> m.eventId().equals(e.triggerEventId())).map(Message::text)
                    .findFirst().orElse(messages.isEmpty() ? "" : messages.get(messages.size() - 1).text());
            return zendesk.create("rapport-escalation-" + digest(e.conversationId()), ticket(e, trigger, messages));
        }).call(id -> escalations.created(e.conversationId(), id, clock.instant()).invoke(() -> {
            metrics.counter("rapport.desk.escalations", "outcome", "ticket_created").increment();
            Log.infof("Zendesk ticket %s opened for the unhappy conversation %s", id,
                    LogSanitizer.sanitize(e.conversationId()));
        }));
    }

    /** Create Ticket's {@code ticket}: the reason, where it came from, the latest messages, the requester if known. */
    ObjectNode ticket(Escalation e, String trigger, List<Message> messages) {
        String where = e.channel() == null ? "an unknown channel" : e.channel();
        if (e.source() != null && !e.source().equals(e.channel())) {
            where += " (" + e.source() + ")";
        }
        StringBuilder body = new StringBuilder("Rapport found this customer unhappy and opened this ticket so that a "
                + "person answers.\nWhy: ").append(e.reason()).append("\nChannel: ").append(where)
                .append(" · conversation ").append(e.conversationId()).append(" · Rapport profile ")
                .append(e.profileId()).append("\n\nLatest messages, oldest first:\n");
        for (Message m : messages) {
            body.append(TIME.format(m.occurredAt())).append(" UTC [").append(m.channel() == null ? "?" : m.channel())
                    .append("] ").append(m.text()).append('\n');
        }
        String summary = trigger.strip().replaceAll("\\s+", " ");
        ObjectNode ticket = JSON.createObjectNode().put("subject", "Unhappy customer on " + where + ": "
                + (summary.length() > 80 ? summary.substring(0, 80) + "…" : summary))
                .put("priority", "high").put("external_id", "rapport-conversation-" + digest(e.conversationId()));
        ticket.putObject("comment").put("body", body.toString()).put("public", false);
        ObjectNode requester = ticket.putObject("requester");
        String email = e.identifiers().get("email");
        String phone = e.identifiers().get("phone");
        requester.put("name", phone != null ? "Customer " + phone : "Rapport customer " + e.profileId());
        if (email != null) {
            requester.put("email", email);
        }
        ticket.putArray("tags").add("rapport").add("rapport_escalation").add(e.channel() == null ? "unknown"
                : e.channel());
        return ticket;
    }

    /** Records {@code ticket_opened} on the profile and mirrors the ticket. */
    private Uni<Void> record(Escalation e, String zendeskId) {
        Instant now = clock.instant();
        String subject = "Unhappy customer on " + (e.channel() == null ? "an unknown channel" : e.channel());
        Event.Builder event = Event.newBuilder().setId("desk-escalation-" + digest(e.conversationId()))
                .setType(EventTypes.TICKET_OPENED).setChannel(Channel.CHANNEL_SERVICE_DESK)
                .setOccurredAt(Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()))
                .setProperties(Struct.newBuilder().putFields("ticketId", text("zendesk-" + zendeskId))
                        .putFields("desk", text("zendesk")).putFields("deskTicketId", text(zendeskId))
                        .putFields("status", text("new")).putFields("subject", text(subject))
                        .putFields("reason", text("escalated: " + e.reason()))
                        .putFields("conversationId", text(e.conversationId())));
        e.identifiers().forEach((kind, value) -> {
            IdentifierKind k = KINDS.get(kind);
            if (k != null) {
                event.addIdentifiers(Identifier.newBuilder().setKind(k).setValue(value));
            }
        });
        if (event.getIdentifiersCount() == 0) {
            return escalations.failed(e.conversationId(), "the ticket " + zendeskId + " is open in Zendesk, but the "
                    + "message named its sender by no identifier, so the ticket cannot be put on the profile")
                    .invoke(() -> failedCount());
        }
        return profiles.record(List.of(event.build())).chain(response -> {
            if (response.getAcceptedCount() == 0) {
                String why = response.getRejectedList().stream().flatMap(r -> r.getErrorsList().stream())
                        .map(f -> f.getField() + " " + f.getMessage()).toList().toString();
                return escalations.failed(e.conversationId(), "profile-service refused the ticket_opened event: "
                        + why).invoke(() -> failedCount());
            }
            String profile = response.getAccepted(0).getProfileId();
            TicketChange change = new TicketChange("zendesk", "escalation", zendeskId, true, "new", subject,
                    e.identifiers().get("email"), e.identifiers().get("phone"), now, null, null);
            return pool.withTransaction(c -> tickets.apply(c, change, profile, now)
                    .chain(() -> escalations.opened(c, e.conversationId(), now)))
                    .invoke(() -> metrics.counter("rapport.desk.escalations", "outcome", "opened").increment());
        });
    }

    private Uni<Void> later(Escalation e, Throwable failure) {
        String error = LogSanitizer.sanitize(String.valueOf(failure.getMessage()));
        boolean refused = failure instanceof ZendeskClient.Refused || failure instanceof StatusRuntimeException s
                && s.getStatus().getCode() == Status.Code.INVALID_ARGUMENT;
        if (refused) {
            Log.errorf("The escalation of conversation %s cannot be completed and is kept as failed: %s",
                    LogSanitizer.sanitize(e.conversationId()), error);
            return escalations.failed(e.conversationId(), error).invoke(() -> failedCount());
        }
        Duration pause = Duration.ofSeconds(1L << Math.min(e.attempts(), 8));
        if (pause.compareTo(config.deliveryMaxBackoff()) > 0) {
            pause = config.deliveryMaxBackoff();
        }
        metrics.counter("rapport.desk.escalations", "outcome", "retried").increment();
        return escalations.retry(e.conversationId(), clock.instant().plus(pause), error);
    }

    private void failedCount() {
        metrics.counter("rapport.desk.escalations", "outcome", "failed").increment();
    }

    private static Value text(String s) {
        return Value.newBuilder().setStringValue(s).build();
    }

    private static String digest(String s) {
        return TicketEvents.digest(s);
    }
}
