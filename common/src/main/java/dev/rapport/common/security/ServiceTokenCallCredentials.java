package dev.rapport.common.security;

import java.util.concurrent.Executor;

import io.grpc.CallCredentials;
import io.grpc.Metadata;
import io.grpc.Status;

import dev.rapport.common.logging.LogSanitizer;
import io.quarkus.logging.Log;

/** Puts this service's client-credentials token on an outgoing gRPC call as {@code authorization: Bearer …}. */
final class ServiceTokenCallCredentials extends CallCredentials {

    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private final ServiceTokens tokens;

    ServiceTokenCallCredentials(ServiceTokens tokens) {
        this.tokens = tokens;
    }

    @Override
    public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
        tokens.getTokens().subscribe().with(t -> {
            Metadata headers = new Metadata();
            headers.put(AUTHORIZATION, "Bearer " + t.getAccessToken());
            applier.apply(headers);
        }, failure -> {
            Log.warnf("Cannot obtain a client-credentials token for a call to %s: %s", info.getAuthority(),
                    LogSanitizer.sanitize(failure.getMessage()));
            applier.fail(Status.UNAVAILABLE.withDescription("cannot obtain a service token from Keycloak")
                    .withCause(failure));
        });
    }
}
