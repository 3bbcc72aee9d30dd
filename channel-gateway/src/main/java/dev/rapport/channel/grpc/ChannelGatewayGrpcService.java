package dev.rapport.channel.grpc;

import jakarta.annotation.security.RolesAllowed;

import dev.rapport.common.security.Roles;
import dev.rapport.proto.channel.v1.MutinyChannelGatewayServiceGrpc;
import io.quarkus.grpc.GrpcService;

/**
 * The gRPC face of this service ({@code rapport.channel.v1.ChannelGatewayService}), for Rapport's other services only: every call needs a
 * client-credentials token with the {@code service} role. RPCs not yet built answer {@code UNIMPLEMENTED}.
 */
@GrpcService
@RolesAllowed(Roles.SERVICE)
public class ChannelGatewayGrpcService extends MutinyChannelGatewayServiceGrpc.ChannelGatewayServiceImplBase {
}
