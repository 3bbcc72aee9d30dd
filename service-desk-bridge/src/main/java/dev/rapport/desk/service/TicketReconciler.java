package dev.rapport.desk.service;

import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.rapport.common.db.DatabaseBootstrap;
import dev.rapport.common.logging.LogSanitizer;
import dev.rapport.desk.Ticket;
import dev.rapport.desk.client.ZendeskClient;
import dev.rapport.desk.config.DeskConfig;
import dev.rapport.desk.repository.DeliveryStore;
import dev.rapport.desk.repository.TicketStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;

/**
 * Keeps a lost {@code solved} webhook from pausing a person's marketing for ever: tickets open longer than
 * {@code reconcile-after} are checked against Zendesk's ticket API (each again after {@code reconcile-every}). One the
 * desk says is solved or closed, or no longer has at all (404), is closed here: a delivery saying so, with the reason,
 * is stored and recorded like any webhook, so the person's profile gets {@code ticket_resolved} (and nothing is lost
 * while profile-service is down). Each closing is logged with its reason and kept on the mirror's row. Only Zendesk has
 * an API the bridge reads; tickets of the other desks are not reconciled.
 */
@Singleton
public class TicketReconciler {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final TicketStore tickets;
    private final DeliveryStore deliveries;
    private final DeliveryRecorder recorder;
    private final ZendeskClient zendesk;
    private final DeskConfig config;
    private final DatabaseBootstrap database;
    private final Vertx vertx;
    private final Clock clock;
    private final MeterRegistry metrics;
    private final AtomicBoolean running = new AtomicBoolean();
    private volatile long timer = -1;

    public TicketReconciler(TicketStore tickets, DeliveryStore deliveries, DeliveryRecorder recorder,
            ZendeskClient zendesk, DeskConfig config, DatabaseBootstrap database, Vertx vertx, Clock clock,
            MeterRegistry metrics) {
        this.tickets = tickets;
        this.deliveries = deliveries;
        this.recorder = recorder;
        this.zendesk = zendesk;
        this.config = config;
        this.database = database;
        this.vertx = vertx;
        this.clock = clock;
        this.metrics = metrics;
    }

    void onStart(@Observes StartupEvent event) {
        if (zendesk.configured()) {
            timer = vertx.setPeriodic(config.reconcileInterval().toMillis(), id -> wake());
        } else {
            Log.info("Zendesk's API is not set up (rapport.desk.zendesk-api-url): tickets are not reconciled");
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    private void wake() {
        if (!database.ready() || !running.compareAndSet(false, true)) {
            return;
        }
        round().subscribe().with(n -> running.set(false), f -> {
            running.set(false);
            Log.warnf("Cannot reconcile tickets now (%s); the next round tries again",
                    LogSanitizer.sanitize(String.valueOf(f.getMessage())));
        });
    }

    /** One round: checks the tickets due; answers how many it closed. */
    public Uni<Integer> round() {
        Instant now = clock.instant();
        return tickets.dueForCheck("zendesk", now.minus(config.reconcileAfter()), now.minus(config.reconcileEvery()),
                now, config.reconcileBatchSize())
                .onItem().transformToMulti(due -> Multi.createFrom().iterable(due))
                .onItem().transformToUni(this::check).concatenate()
                .collect().asList().map(closed -> Math.toIntExact(closed.stream().filter(Boolean::booleanValue)
                        .count()));
    }

    /** Checks one ticket; answers whether it was closed. */
    private Uni<Boolean> check(Ticket t) {
        return zendesk.status(t.externalId()).chain(status -> {
            if (status.isEmpty()) {
                return close(t, "closed", "the desk no longer has the ticket (Zendesk's API answered 404 for it)",
                        "gone");
            }
            String s = status.get();
            if (s.equals("solved") || s.equals("closed")) {
                return close(t, s, "Zendesk's API says the ticket is " + s + "; its webhook did not arrive",
                        "solved");
            }
            metrics.counter("rapport.desk.reconciliation", "outcome", "open").increment();
            return Uni.createFrom().item(false);
        }).onFailure().recoverWithItem(f -> {
            metrics.counter("rapport.desk.reconciliation", "outcome", "failed").increment();
            Log.warnf("Cannot check ticket %s in Zendesk now (%s); it is checked again in %s", t.id(),
                    LogSanitizer.sanitize(String.valueOf(f.getMessage())), config.reconcileEvery());
            return false;
        });
    }

    private Uni<Boolean> close(Ticket t, String status, String reason, String outcome) {
        Instant now = clock.instant();
        // one closing per opening: a ticket reopened later and lost again is closed again
        String deliveryId = "reconcile:" + t.externalId() + ":" + t.openedAt().toEpochMilli();
        ObjectNode body = JSON.createObjectNode().put("id", deliveryId);
        ObjectNode ticket = body.putObject("ticket").put("id", t.externalId()).put("status", status)
                .put("updatedAt", now.toString()).put("reason", reason);
        if (t.subject() != null) {
            ticket.put("subject", t.subject());
        }
        return deliveries.store(t.desk(), deliveryId, t.externalId(), body.toString() + "\n", now).map(stored -> {
            metrics.counter("rapport.desk.reconciliation", "outcome", outcome).increment();
            Log.warnf("Ticket %s closed by reconciliation: %s", t.id(), reason);
            recorder.wake();
            return true;
        });
    }
}
