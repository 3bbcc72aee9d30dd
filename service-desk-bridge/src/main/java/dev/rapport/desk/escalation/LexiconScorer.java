package dev.rapport.desk.escalation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import dev.rapport.desk.escalation.Lexicon.Cue;
import dev.rapport.desk.escalation.Lexicon.Kind;
import dev.rapport.desk.escalation.Lexicon.Match;
import dev.rapport.desk.escalation.Tokens.Token;

/**
 * Scores Russian and English messages with the weighted cues of {@code escalation/lexicon.tsv}: words, stems (for
 * Russian endings), phrases, marks and emoji. Plain Java; the score is the sum of the cues found:
 *
 * <ul>
 * <li>a negative cue ({@code ужас*}, {@code refund}, {@code 😡}, {@code !!!}) adds its weight, a positive one
 * ({@code спасибо}, {@code happy}, {@code 🙂}) takes its weight away;</li>
 * <li>a negator ({@code не}, {@code никто}, {@code без}, {@code not}, {@code no one}, {@code doesn't}) turns the first
 * cue starting within {@link #NEGATION_WINDOW} words after it, in the same clause: a negated positive or a negated
 * expectation ({@code не доволен}, {@code не работает}, {@code never arrived}) adds its weight, a negated negative
 * ({@code не плохо}, {@code no problem}) takes half its weight away. Intensifiers between the negator and the cue do
 * not count as words ({@code не очень доволен}); Russian {@code нет} also turns the cue just before it
 * ({@code проблем нет}). Words written as one ({@code неплохо}, {@code недоволен}) and idioms ({@code не за что},
 * {@code не могу дождаться}, {@code can't wait}) are cues of their own, matched before negation is read;</li>
 * <li>an intensifier ({@code очень}, {@code совсем}, {@code so}, {@code absolutely}) multiplies the cue it precedes;
 * one that is negative itself ({@code ужасно}) is an intensifier only before a positive cue ({@code ужасно рада});
 * a contrast ({@code но}, {@code but}) halves the cues before it in its sentence; a cue in capitals counts half as
 * much again, and a message mostly in capitals adds {@link #SHOUTING_WEIGHT}.</li>
 * </ul>
 *
 * A message whose score is {@link #THRESHOLD} or more reads as unhappy: one strong cue ({@code безобразие},
 * {@code worst}) is enough, a mild one ({@code опять}, {@code still}) needs another. Thread-safe; the time taken is
 * linear in the length of the text.
 */
@ApplicationScoped
public class LexiconScorer implements UnhappinessScorer {

    /** The score from which a message reads as unhappy. */
    public static final double THRESHOLD = 2.0;

    /** How many words after a negator the cue it negates may start, not counting intensifiers. */
    public static final int NEGATION_WINDOW = 2;

    /** What a message mostly in capitals adds. */
    public static final double SHOUTING_WEIGHT = 1.0;

    /** How much more a cue written in capitals counts. */
    static final double SHOUTED_CUE_FACTOR = 1.5;

    /** How much of its weight a negated negative cue takes away. */
    static final double REASSURANCE_FACTOR = 0.5;

    /** At most this many cues are named in the evidence. */
    static final int MAX_EVIDENCE = 20;

    /** The evidence naming a message mostly in capitals. */
    static final String SHOUTING = "CAPS";

    private final Lexicon lexicon;

    /** A scorer with the bundled lexicon, {@code escalation/lexicon.tsv} on the classpath. */
    public LexiconScorer() {
        this(Bundled.LEXICON);
    }

    LexiconScorer(Lexicon lexicon) {
        this.lexicon = lexicon;
    }

    /**
     * Scores one message.
     *
     * @param text the message; blank or cue-less text is fine with a value of 0
     * @throws NullPointerException when text is null: a message without text has nothing to score
     */
    @Override
    public Score score(String text) {
        Objects.requireNonNull(text, "text");
        List<Token> tokens = Tokens.of(text);
        List<Match> matches = resolveDoubleReadings(tokens, lexicon.matches(tokens));
        int[] at = new int[tokens.size()];
        Arrays.fill(at, -1);
        for (int m = 0; m < matches.size(); m++) {
            for (int t = matches.get(m).start(); t < matches.get(m).end(); t++) {
                at[t] = m;
            }
        }
        double value = 0;
        Set<String> evidence = new LinkedHashSet<>();
        for (int m = 0; m < matches.size(); m++) {
            Match match = matches.get(m);
            if (!match.cue().kind().polar()) {
                continue;
            }
            value += contribution(tokens, matches, at, m, evidence);
        }
        if (shouting(tokens)) {
            value += SHOUTING_WEIGHT;
            evidence.add(SHOUTING);
        }
        List<String> named = new ArrayList<>(evidence);
        return new Score(value, value >= THRESHOLD, named.subList(0, Math.min(named.size(), MAX_EVIDENCE)));
    }

    /** What the polar cue {@code matches[m]} adds to the score, naming it in the evidence when it counts. */
    private static double contribution(List<Token> tokens, List<Match> matches, int[] at, int m,
            Set<String> evidence) {
        Match match = matches.get(m);
        Cue cue = match.cue();
        // look back for a negator, skipping intensifiers and other negators ("никто не"), within the clause
        int negator = -1;
        double inner = 1;
        int words = 0;
        for (int t = match.start() - 1; t >= 0 && tokens.get(t).word(); t--) {
            Match before = at[t] < 0 ? null : matches.get(at[t]);
            Kind kind = before == null ? null : before.cue().kind();
            if (kind != null && kind.polar()) {
                break;
            } else if (kind != null && kind.negates()) {
                negator = before.start();
            } else if (kind == Kind.INTENSIFIER) {
                inner = Math.max(inner, before.cue().weight());
            } else if (++words >= NEGATION_WINDOW) {
                break;
            }
            t = before == null ? t : before.start();
        }
        int end = match.end();
        boolean negatedAfter = negator < 0 && end < tokens.size() && at[end] >= 0
                && matches.get(at[end]).cue().kind() == Kind.NEGATOR_BOTH;
        boolean negated = negator >= 0 || negatedAfter;
        int from = negator >= 0 ? negator : match.start();
        int to = negatedAfter ? matches.get(at[end]).end() : end;
        double factor = negated ? outerIntensifier(tokens, matches, at, from) : inner;
        for (int t = match.start(); t < match.end(); t++) {
            if (tokens.get(t).shouted()) {
                factor *= SHOUTED_CUE_FACTOR;
                break;
            }
        }
        factor *= contrast(tokens, matches, at, match.end());
        double w = cue.weight() * factor;
        double contribution = switch (cue.kind()) {
            case NEGATIVE -> negated ? -cue.weight() * REASSURANCE_FACTOR : w;
            case POSITIVE -> negated ? w : -w;
            case EXPECTED -> negated ? w : 0;
            default -> 0;
        };
        if (contribution != 0 || cue.kind() == Kind.NEGATIVE) {
            evidence.add(surface(tokens, from, to));
        }
        return contribution;
    }

    /** The factor of an intensifier just before a negator: {@code совсем не работает}, {@code absolutely not}. */
    private static double outerIntensifier(List<Token> tokens, List<Match> matches, int[] at, int negator) {
        int t = negator - 1;
        if (t >= 0 && tokens.get(t).word() && at[t] >= 0 && matches.get(at[t]).cue().kind() == Kind.INTENSIFIER) {
            return matches.get(at[t]).cue().weight();
        }
        return 1;
    }

    /** The factor of a contrast later in the sentence ({@code спасибо, но…}), 1 when there is none. */
    private static double contrast(List<Token> tokens, List<Match> matches, int[] at, int from) {
        for (int t = from; t < tokens.size() && !tokens.get(t).endsSentence(); t++) {
            if (at[t] >= 0 && matches.get(at[t]).cue().kind() == Kind.CONTRAST) {
                return matches.get(at[t]).cue().weight();
            }
        }
        return 1;
    }

    /**
     * An intensifier that is a negative cue as well ({@code ужасно}, {@code terribly}) intensifies only a positive cue
     * that follows within the negation window ({@code ужасно рада}); otherwise it is read as the negative cue
     * ({@code это ужасно}, {@code ужасно долго}).
     */
    private List<Match> resolveDoubleReadings(List<Token> tokens, List<Match> matches) {
        List<Match> out = new ArrayList<>(matches);
        for (int m = 0; m < out.size(); m++) {
            Match match = out.get(m);
            if (match.cue().kind() != Kind.INTENSIFIER) {
                continue;
            }
            Cue negative = lexicon.best(tokens, match.start(), Kind.NEGATIVE);
            if (negative == null || negative.elements().size() != match.end() - match.start()) {
                continue;
            }
            boolean beforePositive = false;
            for (int n = m + 1; n < out.size() && out.get(n).start() - match.end() < NEGATION_WINDOW; n++) {
                if (!clause(tokens, match.end(), out.get(n).start())) {
                    break;
                }
                Kind kind = out.get(n).cue().kind();
                if (kind.polar()) {
                    beforePositive = kind == Kind.POSITIVE;
                    break;
                }
            }
            if (!beforePositive) {
                out.set(m, new Match(negative, match.start(), match.end()));
            }
        }
        return out;
    }

    /** Whether tokens {@code [from, to)} are all words, so nothing ends a clause between two cues. */
    private static boolean clause(List<Token> tokens, int from, int to) {
        for (int t = from; t < to; t++) {
            if (!tokens.get(t).word()) {
                return false;
            }
        }
        return true;
    }

    /** Whether the message is mostly in capitals: three or more shouted words, half of its words or more. */
    private static boolean shouting(List<Token> tokens) {
        int words = 0;
        int shouted = 0;
        for (Token t : tokens) {
            if (t.word()) {
                words++;
                shouted += t.shouted() ? 1 : 0;
            }
        }
        return shouted >= 3 && shouted * 2 >= words;
    }

    private static String surface(List<Token> tokens, int from, int to) {
        StringBuilder s = new StringBuilder();
        for (int t = from; t < to; t++) {
            if (!s.isEmpty()) {
                s.append(' ');
            }
            s.append(tokens.get(t).text());
        }
        return s.toString();
    }

    /** The bundled lexicon, read once, when the first scorer is made. */
    private static final class Bundled {
        static final Lexicon LEXICON = Lexicon.bundled();
    }
}
