package dev.rapport.campaign.channel;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Which channel a campaign's message goes to, for one person. A long, detailed offer goes only by email. A short one
 * goes by the person's most engaged reachable channel among push, messenger and SMS — the one they were last active
 * on — the cheapest first when they are equally engaged (push, then messenger, then SMS), and by email when none of
 * those reaches them. A campaign may name the channels it allows; it can only use those it has a template for. There
 * is no voice channel: a promotion is never a call.
 */
public final class ChannelChoice {

    /** The short channels, cheapest first. */
    static final List<String> SHORT = List.of("push", "messenger", "sms");

    /** The channel of the person's activity that says how engaged they are on a delivery channel. */
    static final Map<String, List<String>> ACTIVITY = Map.of(
            "push", List.of("push", "app"),
            "messenger", List.of("messenger"),
            "sms", List.of("sms"),
            "email", List.of("email"));

    private ChannelChoice() {
    }

    /**
     * What a message is: whether it is long and detailed (email only), which channels it has a template for, and the
     * channels the campaign allows (empty: any).
     */
    public record Offer(boolean detailed, Set<String> templated, Set<String> allowed) {
    }

    /** What is known of the person: the channels they can be reached on and when they were last active on each. */
    public record Person(Set<String> reachable, Map<String, Instant> lastSeen) {
    }

    /** The chosen channel and why, or no channel and why not. */
    public record Choice(Optional<String> channel, String reason) {
    }

    public static Choice choose(Offer offer, Person person) {
        if (offer.detailed()) {
            return usable("email", offer, person) ? new Choice(Optional.of("email"), "a detailed offer goes by email")
                    : new Choice(Optional.empty(), "a detailed offer goes only by email, and email "
                            + why("email", offer, person));
        }
        List<String> candidates = SHORT.stream().filter(c -> usable(c, offer, person)).toList();
        if (!candidates.isEmpty()) {
            // most recently active first; equally (or never) active: the cheapest, the order of SHORT
            String best = candidates.stream().sorted(Comparator.comparing((String c) -> engagement(c, person),
                    Comparator.reverseOrder()).thenComparing(SHORT::indexOf)).findFirst().orElseThrow();
            Instant at = engagement(best, person);
            return new Choice(Optional.of(best), at.equals(Instant.EPOCH) ? best + ": the cheapest reachable channel"
                    : best + ": the channel the person was last active on (" + at + ")");
        }
        if (usable("email", offer, person)) {
            return new Choice(Optional.of("email"), "email: no push, messenger or SMS reaches the person for it");
        }
        return new Choice(Optional.empty(), "no channel: email " + why("email", offer, person) + "; push, messenger "
                + "and SMS do not reach the person or the campaign has no template or permission for them");
    }

    private static boolean usable(String channel, Offer offer, Person person) {
        return offer.templated().contains(channel) && (offer.allowed().isEmpty() || offer.allowed().contains(channel))
                && person.reachable().contains(channel);
    }

    private static String why(String channel, Offer offer, Person person) {
        if (!offer.templated().contains(channel)) {
            return "has no template";
        }
        if (!offer.allowed().isEmpty() && !offer.allowed().contains(channel)) {
            return "is not among the campaign's channels";
        }
        return "does not reach the person";
    }

    /** When the person was last active in a way that speaks for the channel; the epoch when never. */
    private static Instant engagement(String channel, Person person) {
        return ACTIVITY.get(channel).stream().map(person.lastSeen()::get).filter(Objects::nonNull)
                .max(Comparator.naturalOrder()).orElse(Instant.EPOCH);
    }
}
