package dev.rapport.channel;

import java.util.Map;

/**
 * What a message says. Email has {@code subject} and {@code html} and/or {@code text}; push has {@code title},
 * {@code body} and {@code data}; SMS and messengers have {@code text}.
 */
public record Content(String subject, String html, String text, String title, String body, Map<String, String> data) {

    public Content {
        data = data == null ? Map.of() : Map.copyOf(data);
    }
}
