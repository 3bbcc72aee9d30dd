package dev.rapport.campaign.template;

import java.util.Locale;
import java.util.Map;

import dev.rapport.campaign.config.CampaignConfig.AddressForm;

/**
 * The one voice of every message: how a person is greeted, in the form of address the policy sets and the person's
 * language. Formal Russian greets by name and patronymic («Здравствуйте, Иван Петрович»), informal by first name
 * («Привет, Иван»); a person whose name is unknown is greeted without one, never with an empty gap.
 */
public final class Voice {

    private Voice() {
    }

    /** The greeting, without punctuation after it. */
    public static String greeting(AddressForm form, Map<String, Object> traits) {
        boolean english = "en".equals(language(traits));
        String first = text(traits.get("firstName"));
        String middle = text(traits.get("middleName"));
        if (form == AddressForm.INFORMAL) {
            String hello = english ? "Hi" : "Привет";
            return first == null ? hello : hello + ", " + first;
        }
        if (english) {
            String last = text(traits.get("lastName"));
            return first == null ? "Hello" : "Hello, " + (last == null ? first : first + " " + last);
        }
        if (first == null) {
            return "Здравствуйте";
        }
        return "Здравствуйте, " + (middle == null ? first : first + " " + middle);
    }

    /** The person's language for wording: {@code en} when their locale says English, else {@code ru}. */
    public static String language(Map<String, Object> traits) {
        String locale = text(traits.get("locale"));
        return locale != null && locale.toLowerCase(Locale.ROOT).startsWith("en") ? "en" : "ru";
    }

    private static String text(Object v) {
        if (v == null) {
            return null;
        }
        String s = v.toString().strip();
        return s.isEmpty() ? null : s;
    }
}
