package dev.rapport.profile.grpc;

import jakarta.annotation.security.RolesAllowed;

import dev.rapport.common.security.Roles;
import dev.rapport.proto.profile.v1.MutinyProfileServiceGrpc;
import io.quarkus.grpc.GrpcService;

/**
 * The gRPC face of this service ({@code rapport.profile.v1.ProfileService}), for Rapport's other services only: every call needs a
 * client-credentials token with the {@code service} role. RPCs not yet built answer {@code UNIMPLEMENTED}.
 */
@GrpcService
@RolesAllowed(Roles.SERVICE)
public class ProfileGrpcService extends MutinyProfileServiceGrpc.ProfileServiceImplBase {
}
