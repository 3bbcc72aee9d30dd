package dev.rapport.channel.tracking;

import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import dev.rapport.channel.Message;
import dev.rapport.channel.config.ChannelConfig;
import dev.rapport.channel.tracking.EmailTracking.Tracked;

/**
 * The gateway's email tracking as providers and the tracking endpoints use it: the signed tokens, and an email as it
 * goes, with its tracking when it is on ({@code rapport.channel.tracking.enabled}).
 */
@ApplicationScoped
public class Tracking {

    private final TrackingTokens tokens;
    private final EmailTracking email;
    private final boolean enabled;

    public Tracking(ChannelConfig config) {
        this.tokens = new TrackingTokens(config.tracking().secret());
        this.email = new EmailTracking(tokens, config.tracking().baseUrl());
        this.enabled = config.tracking().enabled();
    }

    /** The tokens tracking links carry. */
    public TrackingTokens tokens() {
        return tokens;
    }

    /** An email as it goes: tracked, or as the caller wrote it when tracking is off. */
    public Tracked email(Message m) {
        return enabled ? email.track(m) : new Tracked(m.content().html(), m.content().text(), Map.of());
    }
}
