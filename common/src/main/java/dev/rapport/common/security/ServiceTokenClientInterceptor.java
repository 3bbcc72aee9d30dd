package dev.rapport.common.security;

import jakarta.inject.Singleton;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.MethodDescriptor;
import io.quarkus.grpc.GlobalInterceptor;

/** Every gRPC client of a Rapport service carries the service's client-credentials token. */
@GlobalInterceptor
@Singleton
public class ServiceTokenClientInterceptor implements ClientInterceptor {

    private final ServiceTokenCallCredentials credentials;

    public ServiceTokenClientInterceptor(ServiceTokens tokens) {
        this.credentials = new ServiceTokenCallCredentials(tokens);
    }

    @Override
    public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(MethodDescriptor<ReqT, RespT> method,
            CallOptions callOptions, Channel next) {
        return next.newCall(method, callOptions.withCallCredentials(credentials));
    }
}
