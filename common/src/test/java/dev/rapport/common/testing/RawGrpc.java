package dev.rapport.common.testing;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;

/**
 * A plain gRPC client that calls any unary method with a serialized request and a bearer token of the test's choosing
 * (or none), so tests can check what a caller outside the service's own clients gets.
 */
public final class RawGrpc implements AutoCloseable {

    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    private final ManagedChannel channel;

    public RawGrpc(String host, int port) {
        this.channel = ManagedChannelBuilder.forAddress(host, port).usePlaintext().build();
    }

    /** Calls {@code fullMethodName} (such as {@code rapport.desk.v1.DeskService/ListOpenTickets}); returns its status. */
    public Status.Code call(String fullMethodName, byte[] request, String bearerToken) {
        try {
            callForBytes(fullMethodName, request, bearerToken);
            return Status.Code.OK;
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode();
        }
    }

    /** Calls {@code fullMethodName} and returns the serialized answer; throws the call's status on failure. */
    public byte[] callForBytes(String fullMethodName, byte[] request, String bearerToken) {
        MethodDescriptor<byte[], byte[]> method = MethodDescriptor.<byte[], byte[]> newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName(fullMethodName)
                .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();
        Metadata headers = new Metadata();
        if (bearerToken != null) {
            headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + bearerToken);
        }
        io.grpc.Channel intercepted = io.grpc.ClientInterceptors.intercept(channel,
                MetadataUtils.newAttachHeadersInterceptor(headers));
        return ClientCalls.blockingUnaryCall(intercepted, method,
                CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), request);
    }

    @Override
    public void close() {
        channel.shutdownNow();
    }
}
