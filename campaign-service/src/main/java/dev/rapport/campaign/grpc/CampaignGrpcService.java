package dev.rapport.campaign.grpc;

import jakarta.annotation.security.RolesAllowed;

import dev.rapport.common.security.Roles;
import dev.rapport.proto.campaign.v1.MutinyCampaignServiceGrpc;
import io.quarkus.grpc.GrpcService;

/**
 * The gRPC face of this service ({@code rapport.campaign.v1.CampaignService}), for Rapport's other services only: every call needs a
 * client-credentials token with the {@code service} role. RPCs not yet built answer {@code UNIMPLEMENTED}.
 */
@GrpcService
@RolesAllowed(Roles.SERVICE)
public class CampaignGrpcService extends MutinyCampaignServiceGrpc.CampaignServiceImplBase {
}
