package dev.rapport.desk.escalation;

import java.util.List;
import java.util.Objects;

/**
 * Decides whether an inbound customer message (SMS, messenger, web chat bot, a public social-media mention) reads as
 * unhappy, so the conversation can be escalated to a human agent. The interface exists so that a model-based scorer
 * can replace the lexicon ({@link LexiconScorer}) without its callers changing.
 */
public interface UnhappinessScorer {

    /**
     * Scores one message.
     *
     * @param text the message as the customer wrote it; never null (an implementation rejects null with a
     *        {@link NullPointerException}); blank text reads as fine
     * @return the score, its verdict and the cues behind it
     */
    Score score(String text);

    /**
     * What a scorer made of a message.
     *
     * @param value how unhappy the message reads, higher being unhappier; the scale is the implementation's, so compare
     *        {@code unhappy} rather than a fixed number
     * @param unhappy whether the message reads as unhappy, the verdict an escalation acts on
     * @param evidence the cues that fired, in the order they appear, as the words matched (lower-cased, {@code ё} as
     *        {@code е}), a negated cue with its negation ({@code "не доволен"}, {@code "not bad"}); so a ticket can say
     *        why it was opened; never null
     */
    record Score(double value, boolean unhappy, List<String> evidence) {

        /** Copies the evidence, so a score cannot change after it is made. */
        public Score {
            evidence = List.copyOf(Objects.requireNonNull(evidence, "evidence"));
        }
    }
}
