package dev.rapport.common.logging;

/**
 * Makes an untrusted string safe to put in a log line: control characters (CR, LF, ESC, ...) become {@code _}, so a
 * caller cannot forge log lines, and long values are cut.
 */
public final class LogSanitizer {

    /** Longest value kept, in characters. */
    public static final int MAX_LENGTH = 200;

    private LogSanitizer() {
    }

    public static String sanitize(String value) {
        if (value == null) {
            return "null";
        }
        int length = Math.min(value.length(), MAX_LENGTH);
        StringBuilder out = new StringBuilder(length + 1);
        for (int i = 0; i < length; i++) {
            char c = value.charAt(i);
            out.append(Character.isISOControl(c) || c == '\u2028' || c == '\u2029' ? '_' : c);
        }
        if (value.length() > MAX_LENGTH) {
            out.append('…');
        }
        return out.toString();
    }
}
