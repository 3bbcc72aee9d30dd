package dev.rapport.common.text;

import java.text.BreakIterator;
import java.util.Locale;
import java.util.Objects;

/**
 * How many SMS parts a text takes, so that what Rapport counts (and bills, and warns about) matches what the carrier
 * will send.
 *
 * <p>One SMS carries 140 octets of user data. In the GSM 03.38 default alphabet a character is a 7-bit septet, so 160
 * fit; in UCS-2 a character is 16 bits, so 70 fit. A longer text is sent as a concatenated SMS whose parts each lose 6
 * octets to the user-data header that says "part i of n", leaving 153 septets or 67 UCS-2 units per part. That is why
 * the first part does not keep 160 once a second one is needed: every part carries the header. These are the
 * capacities Twilio's documentation gives for a segment.
 *
 * <p>A single character outside the GSM 03.38 basic and extension tables (a Cyrillic letter, {@code ç}, a backtick, an
 * emoji) cannot be written in septets, and a message has one encoding, so the whole text goes out as UCS-2. The
 * extension characters ({@code \f ^ { } \ [ ~ ] | €}) are written as the escape septet plus a code, so they cost two
 * septets in GSM-7, but only one code unit in UCS-2 like any other BMP character.
 *
 * <p>Parts are cut where a reader would not notice: a handset may show each part as it arrives, so nothing that is one
 * character to the reader is split. The unit that stays whole is the extended grapheme cluster (Unicode UAX #29): it
 * covers a surrogate pair, a flag (two regional indicators), an emoji ZWJ sequence, a letter with its combining
 * accents, and CR LF. An escape pair is a single character and so also stays whole. When a character does not fit in
 * what is left of a part, it moves to the next part and the rest of that part stays empty, so a text can need more
 * parts than its units divided by 153 (or 67) suggest. Only a cluster longer than a whole part (say a letter under
 * seventy combining marks) is cut, at code point boundaries, because it cannot fit anywhere.
 *
 * <p>The empty text is GSM-7 with 0 units and 0 segments: nothing is sent for it (a Twilio-style API refuses a message
 * without a body), and reporting one segment would bill a part that never leaves.
 */
public final class SmsSegments {

    /** The two alphabets a text can go out in. */
    public enum Encoding { GSM_7, UCS_2 }

    /**
     * How a text goes out: its encoding, its units (septets for GSM-7, UTF-16 code units for UCS-2) and parts.
     *
     * @param encoding GSM-7 when every character is in the GSM 03.38 tables, else UCS-2
     * @param units septets (an extension character counts 2) or UTF-16 code units (an emoji counts 2)
     * @param segments the number of SMS parts; 0 only for the empty text
     */
    public record Count(Encoding encoding, int units, int segments) { }

    /** 140 octets as septets, the capacity of a message sent in one part. */
    private static final int GSM_SINGLE = 160;
    /** What is left of 140 octets as septets after the 6-octet concatenation header. */
    private static final int GSM_PART = 153;
    /** 140 octets as 16-bit units. */
    private static final int UCS_SINGLE = 70;
    /** What is left of 140 octets as 16-bit units after the 6-octet concatenation header. */
    private static final int UCS_PART = 67;

    /**
     * The GSM 03.38 basic table in code order, 128 positions. Position 0x1B is the escape to the extension table, not
     * a character: a text holding U+001B itself cannot be written in septets.
     */
    private static final String BASIC = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001BÆæßÉ"
            + " !\"#¤%&'()*+,-./0123456789:;<=>?"
            + "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
            + "¿abcdefghijklmnopqrstuvwxyzäöñüà";
    private static final int ESCAPE = 0x1B;
    /** The characters of the GSM 03.38 extension table, each sent as the escape septet plus its code. */
    private static final String EXTENSION = "\f^{}\\[~]|€";

    private SmsSegments() {
    }

    /**
     * Counts the encoding, units and parts of {@code text}.
     *
     * @param text the message body, not null
     * @return its count; the empty text is {@code (GSM_7, 0, 0)}
     */
    public static Count of(String text) {
        Objects.requireNonNull(text, "text");
        if (text.isEmpty()) {
            return new Count(Encoding.GSM_7, 0, 0);
        }
        int septets = septets(text, 0, text.length());
        Encoding encoding = septets >= 0 ? Encoding.GSM_7 : Encoding.UCS_2;
        int units = septets >= 0 ? septets : text.length();
        int single = encoding == Encoding.GSM_7 ? GSM_SINGLE : UCS_SINGLE;
        if (units <= single) {
            return new Count(encoding, units, 1);
        }
        return new Count(encoding, units, parts(text, encoding));
    }

    /** Fills parts of the concatenated capacity cluster by cluster; a cluster that does not fit starts a new part. */
    private static int parts(String text, Encoding encoding) {
        int capacity = encoding == Encoding.GSM_7 ? GSM_PART : UCS_PART;
        // A new instance per call: BreakIterator keeps state and is not safe to share between threads.
        BreakIterator clusters = BreakIterator.getCharacterInstance(Locale.ROOT);
        clusters.setText(text);
        int parts = 1;
        int used = 0;
        for (int start = clusters.first(), end = clusters.next(); end != BreakIterator.DONE;
                start = end, end = clusters.next()) {
            int cost = cost(text, start, end, encoding);
            if (cost <= capacity) {
                if (used + cost > capacity) {
                    parts++;
                    used = 0;
                }
                used += cost;
                continue;
            }
            // Longer than a whole part: it must be cut, so cut it between code points, never inside a surrogate pair.
            for (int i = start; i < end; ) {
                int next = i + Character.charCount(text.codePointAt(i));
                int pointCost = cost(text, i, Math.min(next, end), encoding);
                if (used + pointCost > capacity) {
                    parts++;
                    used = 0;
                }
                used += pointCost;
                i = next;
            }
        }
        return parts;
    }

    private static int cost(String text, int start, int end, Encoding encoding) {
        return encoding == Encoding.GSM_7 ? septets(text, start, end) : end - start;
    }

    /** The septets of {@code text[start, end)} in GSM-7, or -1 if a character there is in neither table. */
    private static int septets(String text, int start, int end) {
        int septets = 0;
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            int code = BASIC.indexOf(c);
            if (code >= 0 && code != ESCAPE) {
                septets += 1;
            } else if (EXTENSION.indexOf(c) >= 0) {
                septets += 2;
            } else {
                return -1;
            }
        }
        return septets;
    }
}
