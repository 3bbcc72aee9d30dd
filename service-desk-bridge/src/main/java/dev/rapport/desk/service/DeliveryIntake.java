package dev.rapport.desk.service;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import dev.rapport.common.error.ErrorKind;
import dev.rapport.common.error.Failures;
import dev.rapport.common.error.RapportException;
import dev.rapport.desk.DeskPayloads;
import dev.rapport.desk.Signatures;
import dev.rapport.desk.TicketChange;
import dev.rapport.desk.config.DeskConfig;
import dev.rapport.desk.repository.DeliveryStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;

/**
 * Takes a desk webhook: verifies it (over the exact bytes, in constant time, the timestamp in its window), reads it,
 * and stores it before it is acknowledged. The events it becomes are recorded later ({@link DeliveryRecorder}), so a
 * desk is answered within milliseconds and nothing is lost while profile-service is down.
 */
@ApplicationScoped
public class DeliveryIntake {

    /** Headers a desk's webhook is verified by. */
    public record Proof(String signature, String timestamp, String secret) {
    }

    /** What became of a delivery: stored, or known already (a redelivery). */
    public record Taken(String deliveryId, String ticketId, boolean duplicate) {
    }

    private final DeliveryStore deliveries;
    private final DeskConfig config;
    private final DeliveryRecorder recorder;
    private final Clock clock;
    private final MeterRegistry metrics;

    public DeliveryIntake(DeliveryStore deliveries, DeskConfig config,
            DeliveryRecorder recorder, Clock clock, MeterRegistry metrics) {
        this.deliveries = deliveries;
        this.config = config;
        this.recorder = recorder;
        this.clock = clock;
        this.metrics = metrics;
    }

    /** Takes a delivery of a desk ({@code zendesk}, {@code freshdesk}, {@code generic}). */
    public Uni<Taken> take(String desk, byte[] body, Proof proof) {
        Instant now = clock.instant();
        verify(desk, body, proof, now);
        TicketChange change;
        try {
            change = DeskPayloads.read(desk, body);
        } catch (DeskPayloads.Invalid e) {
            metrics.counter("rapport.desk.webhooks", "desk", desk, "outcome", "invalid").increment();
            throw RapportException.invalid("The webhook's body is not a ticket change Rapport can read: "
                    + e.getMessage(), e.errors());
        }
        String text = new String(body, StandardCharsets.UTF_8);
        return deliveries.store(desk, change.deliveryId(), change.ticketId(), text, now).map(stored -> {
            metrics.counter("rapport.desk.webhooks", "desk", desk, "outcome", stored ? "stored" : "duplicate")
                    .increment();
            if (stored) {
                recorder.wake();
            }
            return new Taken(change.deliveryId(), change.ticketId(), !stored);
        }).onFailure().transform(f -> Failures.unavailableIfUnreachable(f, "The desk database"));
    }

    private void verify(String desk, byte[] body, Proof proof, Instant now) {
        boolean valid = switch (desk) {
            case "zendesk" -> secret(config.zendeskSecret())
                    .map(s -> Signatures.zendesk(s, proof.timestamp(), body, proof.signature()) && fresh(proof, now))
                    .orElse(false);
            case "freshdesk" -> secret(config.freshdeskSecret())
                    .map(s -> Signatures.sharedSecret(s, proof.secret())).orElse(false);
            case "generic" -> secret(config.genericSecret())
                    .map(s -> Signatures.generic(s, proof.timestamp(), body, proof.signature()) && fresh(proof, now))
                    .orElse(false);
            default -> false;
        };
        if (!valid) {
            metrics.counter("rapport.desk.webhooks", "desk", desk, "outcome", "refused").increment();
            throw new RapportException(ErrorKind.UNAUTHENTICATED, "bad_signature", "The webhook's signature is "
                    + "missing, wrong or too old for the " + desk + " webhook.");
        }
    }

    private boolean fresh(Proof proof, Instant now) {
        return Signatures.fresh(Signatures.timestamp(proof.timestamp()), now, config.signatureMaxAge(),
                config.signatureMaxSkew());
    }

    private static Optional<String> secret(Optional<String> secret) {
        return secret.filter(s -> !s.isBlank());
    }
}
