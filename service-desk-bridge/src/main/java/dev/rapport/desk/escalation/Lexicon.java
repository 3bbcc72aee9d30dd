package dev.rapport.desk.escalation;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The cues {@link LexiconScorer} looks for, read from a tab-separated file with the columns cue, weight, language,
 * kind; {@code #} starts a comment line. A cue is one or more elements separated by spaces, each a word, a stem (a
 * prefix ending in {@code *}: {@code ужас*} is {@code ужас}, {@code ужасный}, {@code ужасно}, …), a run of marks
 * ({@code !!!}) or an emoji. A line that does not read, or a cue given twice, is refused with its line number, so a
 * mistake in the file fails the build's tests rather than weakening the scorer quietly.
 */
final class Lexicon {

    /** The bundled lexicon on the classpath. */
    static final String DEFAULT_RESOURCE = "escalation/lexicon.tsv";

    private static final Set<String> LANGUAGES = Set.of("ru", "en", "any");

    /** What a cue does. */
    enum Kind {
        /** Raises the score by its weight; negated ({@code не плохо}) it lowers it by half its weight. */
        NEGATIVE,
        /** Lowers the score by its weight; negated ({@code не доволен}) it raises it by its weight. */
        POSITIVE,
        /** What should happen ({@code работает}, {@code arrived}): nothing by itself, negated it raises the score. */
        EXPECTED,
        /** Matched so its words are not read otherwise ({@code не за что}); no weight. */
        NEUTRAL,
        /** Negates the first cue starting within {@link LexiconScorer#NEGATION_WINDOW} words after it. */
        NEGATOR,
        /** A negator that also negates the cue just before it: Russian {@code нет} in {@code проблем нет}. */
        NEGATOR_BOTH,
        /** Multiplies the weight of the cue it precedes by its weight. */
        INTENSIFIER,
        /** Multiplies the weights of the cues before it in its sentence by its weight ({@code but}, {@code но}). */
        CONTRAST;

        static Kind of(String name) {
            return valueOf(name.toUpperCase(Locale.ROOT).replace('-', '_'));
        }

        boolean polar() {
            return this == NEGATIVE || this == POSITIVE || this == EXPECTED;
        }

        boolean negates() {
            return this == NEGATOR || this == NEGATOR_BOTH;
        }
    }

    /**
     * One cue.
     *
     * @param text the cue as written in the file, normalised
     * @param elements its elements; a stem keeps its {@code *}
     * @param weight its weight, or the factor of an intensifier or contrast
     * @param language {@code ru}, {@code en} or {@code any}: for the reader of the file, every cue applies to every
     *        message
     * @param kind what it does
     */
    record Cue(String text, List<String> elements, double weight, String language, Kind kind) {

        /** How specific the match is: literal characters matched, a whole word counting one more than its stem. */
        int specificity() {
            int s = 0;
            for (String e : elements) {
                s += e.endsWith("*") ? e.length() - 1 : e.length() + 1;
            }
            return s;
        }
    }

    /**
     * A cue found in a message.
     *
     * @param cue the cue
     * @param start the index of its first token
     * @param end the index after its last token
     */
    record Match(Cue cue, int start, int end) {
    }

    private final Map<String, List<Cue>> byWord = new HashMap<>();
    private final Map<String, List<Cue>> byStem = new HashMap<>();
    private final int size;
    private int longestStem;

    private Lexicon(List<Cue> cues) {
        for (Cue c : cues) {
            String first = c.elements().get(0);
            if (first.endsWith("*")) {
                String stem = first.substring(0, first.length() - 1);
                byStem.computeIfAbsent(stem, k -> new ArrayList<>()).add(c);
                longestStem = Math.max(longestStem, stem.length());
            } else {
                byWord.computeIfAbsent(first, k -> new ArrayList<>()).add(c);
            }
        }
        size = cues.size();
    }

    /** The bundled lexicon. */
    static Lexicon bundled() {
        try (InputStream in = Lexicon.class.getClassLoader().getResourceAsStream(DEFAULT_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(DEFAULT_RESOURCE + " is not on the classpath");
            }
            return parse(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines().toList(),
                    DEFAULT_RESOURCE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads a lexicon.
     *
     * @param source what to call the lines in an error
     * @throws IllegalArgumentException naming the line that does not read
     */
    static Lexicon parse(List<String> lines, String source) {
        List<Cue> cues = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank() || line.stripLeading().startsWith("#")) {
                continue;
            }
            String where = source + " line " + (i + 1) + ": ";
            String[] columns = line.split("\t", -1);
            if (columns.length != 4) {
                throw new IllegalArgumentException(where + "expected cue, weight, language, kind separated by tabs");
            }
            Cue cue = cue(columns, where);
            Integer before = seen.putIfAbsent(cue.text(), i + 1);
            if (before != null) {
                throw new IllegalArgumentException(where + "'" + cue.text() + "' is on line " + before + " already");
            }
            cues.add(cue);
        }
        return new Lexicon(cues);
    }

    private static Cue cue(String[] columns, String where) {
        String text = Tokens.normalise(columns[0].strip());
        if (text.isEmpty()) {
            throw new IllegalArgumentException(where + "no cue");
        }
        List<String> elements = List.of(text.split(" +"));
        for (String e : elements) {
            String bare = e.endsWith("*") ? e.substring(0, e.length() - 1) : e;
            List<Tokens.Token> tokens = Tokens.of(bare);
            if (tokens.size() != 1 || !tokens.get(0).text().equals(bare)
                    || e.endsWith("*") && (!tokens.get(0).word() || bare.length() < 2)) {
                throw new IllegalArgumentException(where + "'" + e + "' is not one word, stem, mark or emoji");
            }
        }
        double weight;
        try {
            weight = Double.parseDouble(columns[1].strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(where + "weight '" + columns[1] + "' is not a number", e);
        }
        if (!(weight >= 0) || Double.isInfinite(weight)) {
            throw new IllegalArgumentException(where + "weight must be zero or more");
        }
        String language = columns[2].strip();
        if (!LANGUAGES.contains(language)) {
            throw new IllegalArgumentException(where + "language '" + language + "' is not ru, en or any");
        }
        Kind kind;
        try {
            kind = Kind.of(columns[3].strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + "kind '" + columns[3] + "' is not known", e);
        }
        return new Cue(text, elements, weight, language, kind);
    }

    /** How many cues there are. */
    int size() {
        return size;
    }

    /** The cues found in the tokens, left to right, none overlapping, the most specific where several start. */
    List<Match> matches(List<Tokens.Token> tokens) {
        List<Match> out = new ArrayList<>();
        int i = 0;
        while (i < tokens.size()) {
            Cue best = best(tokens, i, null);
            if (best == null) {
                i++;
            } else {
                out.add(new Match(best, i, i + best.elements().size()));
                i += best.elements().size();
            }
        }
        return out;
    }

    /** The most specific cue of the kind (any kind when null) that starts at token {@code i}, or null. */
    Cue best(List<Tokens.Token> tokens, int i, Kind only) {
        String first = tokens.get(i).text();
        Cue best = null;
        best = better(best, byWord.get(first), tokens, i, only);
        if (tokens.get(i).word()) {
            for (int k = Math.min(first.length(), longestStem); k >= 2; k--) {
                best = better(best, byStem.get(first.substring(0, k)), tokens, i, only);
            }
        }
        return best;
    }

    private static Cue better(Cue best, List<Cue> candidates, List<Tokens.Token> tokens, int i, Kind only) {
        if (candidates == null) {
            return best;
        }
        for (Cue c : candidates) {
            if ((only == null || c.kind() == only) && fits(c, tokens, i)
                    && (best == null || c.elements().size() > best.elements().size()
                    || c.elements().size() == best.elements().size() && c.specificity() > best.specificity())) {
                best = c;
            }
        }
        return best;
    }

    private static boolean fits(Cue c, List<Tokens.Token> tokens, int i) {
        if (i + c.elements().size() > tokens.size()) {
            return false;
        }
        for (int k = 0; k < c.elements().size(); k++) {
            String e = c.elements().get(k);
            Tokens.Token t = tokens.get(i + k);
            boolean ok = e.endsWith("*") ? t.word() && t.text().startsWith(e.substring(0, e.length() - 1))
                    : t.text().equals(e);
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
