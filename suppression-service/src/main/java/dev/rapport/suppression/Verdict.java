package dev.rapport.suppression;

import java.time.Instant;
import java.util.List;

/**
 * A decision with every reason that applies.
 *
 * @param profileId the profile decided for (the survivor when the request named a merged-away id)
 * @param decision allow, deny or defer
 * @param retryAt when a deferred contact may go; null otherwise
 * @param reasons every reason that applies; empty on allow
 */
public record Verdict(String profileId, Decision decision, Instant retryAt, List<Reason> reasons) {

    public Verdict {
        reasons = List.copyOf(reasons);
    }

    /**
     * The verdict the reasons make: allow when none applies; deny when any of them does not lift by itself (an
     * opt-out, an open ticket, an unreachable address, a state that cannot be read); otherwise defer, to the time the
     * last of them lifts (a cap that frees a place at midnight, quiet hours that end at nine, a grace period): a
     * message is held, not dropped, for what passes on its own.
     */
    public static Verdict of(String profileId, List<Reason> reasons) {
        if (reasons.isEmpty()) {
            return new Verdict(profileId, Decision.ALLOW, null, List.of());
        }
        Instant retryAt = null;
        for (Reason r : reasons) {
            if (r.until() == null) {
                return new Verdict(profileId, Decision.DENY, null, reasons);
            }
            retryAt = retryAt == null || r.until().isAfter(retryAt) ? r.until() : retryAt;
        }
        return new Verdict(profileId, Decision.DEFER, retryAt, reasons);
    }
}
