package dev.rapport.suppression.grpc;

import jakarta.annotation.security.RolesAllowed;

import dev.rapport.common.security.Roles;
import dev.rapport.proto.suppression.v1.MutinySuppressionServiceGrpc;
import io.quarkus.grpc.GrpcService;

/**
 * The gRPC face of this service ({@code rapport.suppression.v1.SuppressionService}), for Rapport's other services only: every call needs a
 * client-credentials token with the {@code service} role. RPCs not yet built answer {@code UNIMPLEMENTED}.
 */
@GrpcService
@RolesAllowed(Roles.SERVICE)
public class SuppressionGrpcService extends MutinySuppressionServiceGrpc.SuppressionServiceImplBase {
}
