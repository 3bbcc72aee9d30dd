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
     * The verdict the reasons make: deny when any reason denies, defer (to the latest time any deferral lifts) when
     * only quiet hours apply, allow when none does.
     */
    public static Verdict of(String profileId, List<Reason> reasons) {
        if (reasons.isEmpty()) {
            return new Verdict(profileId, Decision.ALLOW, null, List.of());
        }
        Instant retryAt = null;
        for (Reason r : reasons) {
            if (r.rule() != Rule.QUIET_HOURS) {
                return new Verdict(profileId, Decision.DENY, null, reasons);
            }
            retryAt = retryAt == null || r.until().isAfter(retryAt) ? r.until() : retryAt;
        }
        return new Verdict(profileId, Decision.DEFER, retryAt, reasons);
    }
}
