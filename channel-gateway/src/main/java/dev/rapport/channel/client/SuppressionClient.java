package dev.rapport.channel.client;

import java.time.temporal.ChronoUnit;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Timeout;

import dev.rapport.proto.suppression.v1.DecideRequest;
import dev.rapport.proto.suppression.v1.DecideResponse;
import dev.rapport.proto.suppression.v1.SuppressionService;
import io.quarkus.grpc.GrpcClient;
import io.smallrye.faulttolerance.api.AsynchronousNonBlocking;
import io.smallrye.mutiny.Uni;

/**
 * suppression-service as the gateway asks it whether a marketing or service message may go to a person now: without
 * commit when the message is accepted (a denial is the caller's answer), with commit right before the hand-off (the
 * contact counts against the person's caps).
 */
@ApplicationScoped
public class SuppressionClient {

    private final SuppressionService suppression;

    public SuppressionClient(@GrpcClient("suppression") SuppressionService suppression) {
        this.suppression = suppression;
    }

    @AsynchronousNonBlocking
    @Timeout(value = 5, unit = ChronoUnit.SECONDS)
    @CircuitBreaker(requestVolumeThreshold = 20, failureRatio = 0.5, delay = 5, delayUnit = ChronoUnit.SECONDS)
    public Uni<DecideResponse> decide(DecideRequest request) {
        return suppression.decide(request);
    }
}
