package dev.rapport.common.grpc;

import jakarta.enterprise.context.ApplicationScoped;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.StatusException;
import io.quarkus.grpc.ExceptionHandler;
import io.quarkus.grpc.ExceptionHandlerProvider;

/** Answers every failed gRPC call through {@link GrpcErrors}, the same table REST uses. */
@ApplicationScoped
public class RapportExceptionHandlerProvider implements ExceptionHandlerProvider {

    @Override
    public <ReqT, RespT> ExceptionHandler<ReqT, RespT> createHandler(ServerCall.Listener<ReqT> listener,
            ServerCall<ReqT, RespT> call, Metadata metadata) {
        return new Handler<>(listener, call, metadata);
    }

    @Override
    public Throwable transform(Throwable failure) {
        return GrpcErrors.toStatusException(failure);
    }

    private static final class Handler<ReqT, RespT> extends ExceptionHandler<ReqT, RespT> {

        Handler(ServerCall.Listener<ReqT> listener, ServerCall<ReqT, RespT> call, Metadata metadata) {
            super(listener, call, metadata);
        }

        @Override
        protected void handleException(Throwable failure, ServerCall<ReqT, RespT> call, Metadata metadata) {
            StatusException se = GrpcErrors.toStatusException(failure);
            try {
                call.close(se.getStatus(), se.getTrailers() != null ? se.getTrailers() : new Metadata());
            } catch (IllegalStateException alreadyClosed) {
                // the call was closed by an earlier failure; nothing more to answer
            }
        }
    }
}
