package dev.rapport.channel.provider;

import dev.rapport.channel.config.ChannelConfig;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.ext.web.client.WebClient;

/** The HTTP client a provider calls its API with. */
final class ProviderClients {

    private ProviderClients() {
    }

    /**
     * A client with as many connections to the provider as the dispatcher runs hand-offs at once (Vert.x's default of
     * five would cap a provider answering in 100 ms at 50 messages a second, whatever the concurrency).
     */
    static WebClient create(Vertx vertx, ChannelConfig config) {
        return WebClient.create(vertx, new WebClientOptions().setMaxPoolSize(Math.max(5, config.dispatchConcurrency()))
                .setKeepAlive(true));
    }
}
