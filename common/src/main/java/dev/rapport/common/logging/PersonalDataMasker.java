package dev.rapport.common.logging;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.google.i18n.phonenumbers.PhoneNumberMatch;
import com.google.i18n.phonenumbers.PhoneNumberUtil;

/**
 * Masks personal data in free text before it is logged: email addresses, phone numbers (found by libphonenumber, so
 * dates, times and ids are left alone) and bearer tokens. It is the safety net behind the rule that code logs ids,
 * never an email, a phone, a name or a token.
 */
public final class PersonalDataMasker {

    /** Addresses in any script (иван@пример.рф, 用户@例子.广告) as well as ASCII, and punycode top-level domains. */
    private static final Pattern EMAIL = Pattern.compile(
            "([\\p{L}\\p{N}._%+\\-])[\\p{L}\\p{M}\\p{N}._%+\\-]*@([\\p{L}\\p{N}\\-])[\\p{L}\\p{M}\\p{N}\\-]*"
                    + "((?:\\.[\\p{L}\\p{M}\\p{N}\\-]+)*\\.(?:[\\p{L}\\p{M}]{2,}|xn--[A-Za-z0-9\\-]+))");
    private static final Pattern JWT = Pattern.compile("eyJ[A-Za-z0-9_\\-]+\\.[A-Za-z0-9_\\-]+\\.[A-Za-z0-9_\\-]*");
    private static final Pattern BEARER = Pattern.compile("(?i)(bearer\\s+)[A-Za-z0-9._~+/=\\-]{8,}");
    private static final Pattern UUID = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final int MIN_PHONE_DIGITS = 7;

    private final PhoneNumberUtil phones = PhoneNumberUtil.getInstance();
    private final String defaultRegion;

    /**
     * @param defaultRegion region assumed for phone numbers written without a country code, such as {@code RU}
     */
    public PersonalDataMasker(String defaultRegion) {
        this.defaultRegion = defaultRegion;
    }

    /** The text with every email, phone number and bearer token masked; the same instance when nothing was found. */
    public String mask(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String out = text;
        if (out.indexOf('@') >= 0) {
            out = EMAIL.matcher(out).replaceAll("$1***@$2***$3");
        }
        if (out.contains("eyJ")) {
            out = JWT.matcher(out).replaceAll("eyJ***");
        }
        Matcher bearer = BEARER.matcher(out);
        if (bearer.find()) {
            out = bearer.replaceAll("$1***");
        }
        if (countDigits(out) >= MIN_PHONE_DIGITS) {
            out = maskPhones(out);
        }
        return out;
    }

    private String maskPhones(String text) {
        List<int[]> uuids = new ArrayList<>();
        Matcher uuid = UUID.matcher(text);
        while (uuid.find()) {
            uuids.add(new int[] { uuid.start(), uuid.end() });
        }
        List<int[]> spans = new ArrayList<>();
        for (PhoneNumberMatch match : phones.findNumbers(text, defaultRegion, PhoneNumberUtil.Leniency.VALID,
                Long.MAX_VALUE)) {
            if (!glued(text, match.start(), match.end()) && !inside(uuids, match.start())) {
                spans.add(new int[] { match.start(), match.end() });
            }
        }
        if (spans.isEmpty()) {
            return text;
        }
        StringBuilder out = new StringBuilder(text);
        for (int i = spans.size() - 1; i >= 0; i--) {
            int[] span = spans.get(i);
            out.replace(span[0], span[1], maskDigits(text.substring(span[0], span[1])));
        }
        return out.toString();
    }

    /** A number written against letters or digits is part of an id, not a phone number. */
    private static boolean glued(String text, int start, int end) {
        return start > 0 && Character.isLetterOrDigit(text.charAt(start - 1))
                || end < text.length() && Character.isLetterOrDigit(text.charAt(end));
    }

    private static boolean inside(List<int[]> spans, int position) {
        for (int[] span : spans) {
            if (position >= span[0] && position < span[1]) {
                return true;
            }
        }
        return false;
    }

    /** Keeps a leading {@code +} and the last two digits, replaces every other digit with {@code *}. */
    static String maskDigits(String phone) {
        int digits = countDigits(phone);
        StringBuilder out = new StringBuilder(phone.length());
        int seen = 0;
        for (int i = 0; i < phone.length(); i++) {
            char c = phone.charAt(i);
            if (Character.isDigit(c)) {
                seen++;
                out.append(seen > digits - 2 ? c : '*');
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static int countDigits(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            if (Character.isDigit(s.charAt(i))) {
                n++;
            }
        }
        return n;
    }
}
