package dev.rapport.suppression.service;

import java.time.Clock;

import jakarta.enterprise.context.ApplicationScoped;

import dev.rapport.common.error.Failures;
import dev.rapport.suppression.Policy;
import dev.rapport.suppression.config.SuppressionConfig;
import dev.rapport.suppression.repository.PolicyStore;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;

/**
 * The contact policy in force, read from the database at most every {@code policy-refresh} per replica. While the
 * database cannot be read, the last policy read stays in force.
 */
@ApplicationScoped
public class Policies {

    private record Cached(PolicyStore.Stored stored, long readAt) {
    }

    private final PolicyStore store;
    private final SuppressionConfig config;
    private final Clock clock;
    private volatile Cached cached;

    public Policies(PolicyStore store, SuppressionConfig config, Clock clock) {
        this.store = store;
        this.config = config;
        this.clock = clock;
    }

    /** The policy in force. */
    public Uni<PolicyStore.Stored> current() {
        Cached c = cached;
        long now = System.nanoTime();
        if (c != null && now - c.readAt() < config.policyRefresh().toNanos()) {
            return Uni.createFrom().item(c.stored());
        }
        return store.current().invoke(stored -> cached = new Cached(stored, now))
                .onFailure().recoverWithUni(failure -> {
                    if (c != null) {
                        Log.debugf("Policy not readable (%s); the last one read stays in force", failure.toString());
                        return Uni.createFrom().item(c.stored());
                    }
                    return Uni.createFrom().failure(Failures.unavailableIfUnreachable(failure, "The policy database"));
                });
    }

    /** Replaces the policy; it applies at once on this replica, within {@code policy-refresh} on the others. */
    public Uni<PolicyStore.Stored> replace(Policy policy, String by) {
        return store.replace(policy, clock.instant(), by)
                .invoke(stored -> cached = new Cached(stored, System.nanoTime()))
                .onFailure().transform(f -> Failures.unavailableIfUnreachable(f, "The policy database"));
    }
}
