package dev.rapport.campaign.template;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.rapport.campaign.client.ProfileClient;
import dev.rapport.campaign.repository.TemplateStore;
import dev.rapport.campaign.repository.TemplateStore.Stored;
import dev.rapport.campaign.template.Renderer.Rendered;
import dev.rapport.common.error.ErrorKind;
import dev.rapport.common.error.Failures;
import dev.rapport.common.error.RapportException;
import io.smallrye.mutiny.Uni;

/** Templates: checked by {@link Renderer} before they are stored, rendered for a person profile-service knows. */
@ApplicationScoped
public class Templates {

    private final TemplateStore store;
    private final Renderer renderer;
    private final ProfileClient profiles;
    private final Clock clock;

    public Templates(TemplateStore store, Renderer renderer, ProfileClient profiles, Clock clock) {
        this.store = store;
        this.renderer = renderer;
        this.profiles = profiles;
        this.clock = clock;
    }

    public Uni<Stored> create(String name, String channel, String subject, String html, String text, String title,
            String body, String by) {
        Map<String, String> parts = new LinkedHashMap<>();
        parts.put("subject", subject);
        parts.put("html", html);
        parts.put("text", text);
        parts.put("title", title);
        parts.put("body", body);
        renderer.check(channel, parts);
        return store.insert(new Stored("tpl-" + UUID.randomUUID(), name, channel, subject, html, text, title, body,
                by, clock.instant()));
    }

    public Uni<Stored> find(String id) {
        return store.find(id).map(t -> {
            if (t == null) {
                throw RapportException.notFound("template_not_found", "No template has the id " + id + ".");
            }
            return t;
        });
    }

    /** The template rendered for the person. */
    public Uni<Rendered> render(String id, String profileId) {
        return find(id).chain(t -> profiles.traits(profileId)
                .onFailure().transform(f -> Failures.unavailableIfUnreachable(f, "profile-service"))
                .map(traits -> renderer.render(t, traits.orElseThrow(() -> new RapportException(
                        ErrorKind.UNPROCESSABLE, "unknown_profile", "profile-service has no person "
                                + profileId + ".")))));
    }
}
