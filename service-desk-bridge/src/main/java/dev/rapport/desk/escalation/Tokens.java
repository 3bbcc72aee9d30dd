package dev.rapport.desk.escalation;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A message cut into the tokens the lexicon is matched against: words (letters and digits, lower-cased, {@code ё} as
 * {@code е}, an apostrophe or hyphen inside a word kept: {@code doesn't}, {@code какой-то}), runs of {@code !} and
 * {@code ?} ({@code "!"}, {@code "!!"}, {@code "!!!"} for three or more, {@code "?!"} for a mix), each emoji as one
 * token, and the punctuation that ends a clause or a sentence. Plain functions.
 */
final class Tokens {

    /** What a token is. Everything but a word ends the reach of a negation. */
    enum Type {
        /** Letters and digits. */
        WORD,
        /** One emoji or other pictograph; {@code :)} and {@code :(} are read as 🙂 and 🙁. */
        EMOJI,
        /** A run of {@code !} or {@code ?}: ends a sentence and may itself be a cue. */
        MARKS,
        /** A comma, colon, dash, bracket, quote or the like. */
        CLAUSE,
        /** A full stop, an ellipsis or a line break. */
        SENTENCE
    }

    /**
     * One token.
     *
     * @param text the normalised text the lexicon is matched against
     * @param type what it is
     * @param shouted a word of two or more letters, all capitals
     */
    record Token(String text, Type type, boolean shouted) {

        boolean word() {
            return type == Type.WORD;
        }

        boolean endsSentence() {
            return type == Type.MARKS || type == Type.SENTENCE;
        }
    }

    private Tokens() {
    }

    /** The tokens of a text, in order. */
    static List<Token> of(String text) {
        String s = Normalizer.normalize(text, Normalizer.Form.NFC);
        List<Token> out = new ArrayList<>(Math.min(s.length() / 4 + 4, 1 << 16));
        int n = s.length();
        int i = 0;
        while (i < n) {
            int cp = s.codePointAt(i);
            if (wordChar(cp)) {
                i = word(s, i, out);
            } else if (cp == '!' || cp == '?') {
                i = marks(s, i, out);
            } else if ((cp == ':' || cp == ';' || cp == '=') && emoticon(s, i) != 0) {
                int end = emoticon(s, i);
                out.add(new Token(s.charAt(end - 1) == ')' ? "🙂" : "🙁", Type.EMOJI, false));
                i = end;
            } else if ((cp == ')' || cp == '(') && i + 1 < n && s.charAt(i + 1) == cp) {
                int end = i;
                while (end < n && s.charAt(end) == cp) {
                    end++;
                }
                out.add(new Token(cp == ')' ? "🙂" : "🙁", Type.EMOJI, false));
                i = end;
            } else {
                Token t = other(cp);
                if (t != null) {
                    out.add(t);
                }
                i += Character.charCount(cp);
            }
        }
        return out;
    }

    /** The normalised form of one word: lower case, {@code ё} as {@code е}, apostrophes as {@code '}. */
    static String normalise(String word) {
        return word.toLowerCase(Locale.ROOT).replace('ё', 'е').replace('’', '\'').replace('ʼ', '\'');
    }

    private static int word(String s, int start, List<Token> out) {
        int n = s.length();
        int i = start;
        int letters = 0;
        boolean lower = false;
        while (i < n) {
            int cp = s.codePointAt(i);
            if (wordChar(cp)) {
                if (Character.isLetter(cp)) {
                    letters++;
                    lower |= !Character.isUpperCase(cp);
                }
                i += Character.charCount(cp);
            } else if (inner(cp) && i + 1 < n && Character.isLetter(s.codePointAt(i + 1))) {
                i++;
            } else {
                break;
            }
        }
        out.add(new Token(normalise(s.substring(start, i)), Type.WORD, letters >= 2 && !lower));
        return i;
    }

    private static int marks(String s, int start, List<Token> out) {
        int n = s.length();
        int i = start;
        boolean bang = false;
        boolean question = false;
        while (i < n && (s.charAt(i) == '!' || s.charAt(i) == '?')) {
            bang |= s.charAt(i) == '!';
            question |= s.charAt(i) == '?';
            i++;
        }
        String mark = bang ? "!" : "?";
        out.add(new Token(bang && question ? "?!" : mark.repeat(Math.min(i - start, 3)), Type.MARKS, false));
        return i;
    }

    /** The end of {@code :)}, {@code :-(}, {@code ;)}, {@code =)} and the like starting at {@code i}, or 0. */
    private static int emoticon(String s, int i) {
        int j = i + 1;
        if (j < s.length() && s.charAt(j) == '-') {
            j++;
        }
        if (j < s.length() && (s.charAt(j) == ')' || s.charAt(j) == '(')) {
            return j + 1;
        }
        return 0;
    }

    private static Token other(int cp) {
        if ((Character.isWhitespace(cp) && cp != '\n' && cp != '\r') || Character.isSpaceChar(cp)) {
            return null;
        }
        return switch (Character.getType(cp)) {
            case Character.OTHER_SYMBOL -> new Token(Character.toString(cp), Type.EMOJI, false);
            // variation selectors, zero-width joiners, skin tones: parts of an emoji, not tokens
            case Character.NON_SPACING_MARK, Character.ENCLOSING_MARK, Character.FORMAT, Character.MODIFIER_SYMBOL,
                    Character.CONTROL -> cp == '\n' || cp == '\r' ? new Token(".", Type.SENTENCE, false) : null;
            default -> cp == '.' || cp == '…' ? new Token(".", Type.SENTENCE, false)
                    : new Token(Character.toString(cp), Type.CLAUSE, false);
        };
    }

    private static boolean wordChar(int cp) {
        return Character.isLetterOrDigit(cp);
    }

    /** An apostrophe or hyphen, kept inside a word when a letter follows. */
    private static boolean inner(int cp) {
        return cp == '\'' || cp == '’' || cp == 'ʼ' || cp == '-' || cp == '‐';
    }
}
