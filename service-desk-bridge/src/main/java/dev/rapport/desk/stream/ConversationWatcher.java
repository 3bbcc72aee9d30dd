package dev.rapport.desk.stream;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;


import dev.rapport.common.stream.EventHandler;
import dev.rapport.common.stream.EventTypes;
import dev.rapport.common.stream.StreamEvent;
import dev.rapport.desk.config.DeskConfig;
import dev.rapport.desk.escalation.UnhappinessScorer;
import dev.rapport.desk.repository.DeliveryStore;
import dev.rapport.desk.repository.EscalationStore;
import dev.rapport.desk.repository.EscalationStore.Message;
import dev.rapport.desk.repository.OutcomeStore;
import dev.rapport.desk.repository.TicketStore;
import dev.rapport.desk.service.Escalator;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * The bridge's consumer of the event stream. Every {@code inbound_message} (SMS, messenger, the web chat bot, a public
 * social mention: any channel) is kept with its conversation and scored; one that reads as unhappy escalates its
 * conversation, once: the {@link Escalator} opens a ticket in the desk with the conversation's latest messages, and
 * the ticket pauses marketing like any other. A {@code profile_erased} makes the bridge forget the person's messages
 * and the email, phone and subject it mirrored, and the outcomes agents recorded. Idempotent: an event that comes
 * again changes nothing.
 */
@ApplicationScoped
public class ConversationWatcher implements EventHandler {

    /** The longest message text kept; the rest of a longer one is cut off. */
    static final int MAX_TEXT = 4000;

    private final Pool pool;
    private final EscalationStore escalations;
    private final TicketStore tickets;
    private final DeliveryStore deliveries;
    private final OutcomeStore outcomes;
    private final UnhappinessScorer scorer;
    private final Escalator escalator;
    private final DeskConfig config;
    private final Clock clock;
    private final MeterRegistry metrics;

    public ConversationWatcher(Pool pool, EscalationStore escalations, TicketStore tickets, DeliveryStore deliveries,
            OutcomeStore outcomes, UnhappinessScorer scorer, Escalator escalator, DeskConfig config, Clock clock,
            MeterRegistry metrics) {
        this.outcomes = outcomes;
        this.pool = pool;
        this.escalations = escalations;
        this.tickets = tickets;
        this.deliveries = deliveries;
        this.scorer = scorer;
        this.escalator = escalator;
        this.config = config;
        this.clock = clock;
        this.metrics = metrics;
    }

    /** A message found unhappy, with why. */
    private record Unhappy(Message message, StreamEvent event, String reason) {
    }

    @Override
    public Uni<Void> apply(List<StreamEvent> events) {
        List<Message> messages = new ArrayList<>();
        List<Unhappy> unhappy = new ArrayList<>();
        Set<String> erased = new LinkedHashSet<>();
        for (StreamEvent e : events) {
            if (e.type().equals(EventTypes.INBOUND_MESSAGE)) {
                Message m = message(e);
                if (m == null) {
                    metrics.counter("rapport.desk.inbound.messages", "outcome", "without_text").increment();
                    continue;
                }
                messages.add(m);
                UnhappinessScorer.Score score = scorer.score(m.text());
                metrics.counter("rapport.desk.inbound.messages", "outcome", score.unhappy() ? "unhappy" : "fine")
                        .increment();
                if (score.unhappy() && config.escalationEnabled()) {
                    unhappy.add(new Unhappy(m, e, "reads as unhappy (score " + String.format("%.2f", score.value())
                            + "): " + String.join(", ", score.evidence())));
                }
            } else if (e.type().equals(EventTypes.PROFILE_ERASED)) {
                erased.add(e.profileId());
                erased.addAll(e.erasedIds());
            }
        }
        if (messages.isEmpty() && erased.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<String> escalated = new ArrayList<>();
        return pool.withTransaction(c -> {
            Uni<Void> chain = escalations.keep(c, messages);
            for (Unhappy u : unhappy) {
                chain = chain.chain(() -> escalations.escalate(c, u.message(), u.event().identifiers(), u.reason(),
                        clock.instant()).invoke(isNew -> {
                            if (isNew) {
                                escalated.add(u.message().conversationId());
                            }
                        }).replaceWithVoid());
            }
            if (!erased.isEmpty()) {
                List<String> ids = List.copyOf(erased);
                chain = chain.chain(() -> escalations.forget(c, ids)).chain(() -> tickets.forget(c, ids))
                        .chain(() -> deliveries.forget(c, ids)).chain(() -> outcomes.forget(c, ids)).replaceWithVoid();
            }
            return chain;
        }).invoke(() -> {
            for (String conversation : escalated) {
                metrics.counter("rapport.desk.escalations", "outcome", "escalated").increment();
                Log.infof("Conversation %s reads as unhappy: a ticket is opened for it", conversation);
            }
            if (!escalated.isEmpty()) {
                escalator.wake();
            }
        });
    }

    /** The message of an {@code inbound_message}, or null when it has no text. */
    static Message message(StreamEvent e) {
        String text = e.property("text");
        if (text == null) {
            return null;
        }
        if (text.length() > MAX_TEXT) {
            text = text.substring(0, MAX_TEXT);
        }
        String conversation = e.property("conversationId");
        if (conversation == null) {
            // without one, a person's messages on a channel are one conversation
            conversation = (e.channel() == null ? "unknown" : e.channel()) + ":" + e.profileId();
        }
        return new Message(e.id(), conversation, e.profileId(), e.channel(), e.property("source"), text,
                e.occurredAt());
    }
}
