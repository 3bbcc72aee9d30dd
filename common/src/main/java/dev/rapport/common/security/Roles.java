package dev.rapport.common.security;

/** The realm roles of Keycloak realm {@code rapport}; {@code admin} is a composite holding every user role. */
public final class Roles {

    /** Shops, CRMs and apps: post events, send transactional messages, read profiles. */
    public static final String INTEGRATOR = "integrator";
    /** Segments, templates, campaigns, policy. */
    public static final String MARKETER = "marketer";
    /** Call-centre agents: agent context and outcomes. */
    public static final String AGENT = "agent";
    /** Everything, erasure included. */
    public static final String ADMIN = "admin";
    /** Rapport's own services calling each other over gRPC with client-credentials tokens. */
    public static final String SERVICE = "service";

    private Roles() {
    }
}
