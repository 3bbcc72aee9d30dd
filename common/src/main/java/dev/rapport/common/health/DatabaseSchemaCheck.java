package dev.rapport.common.health;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import dev.rapport.common.db.DatabaseBootstrap;

/** Ready only once this service's database exists and its Flyway migrations are applied. */
@Readiness
@ApplicationScoped
public class DatabaseSchemaCheck implements HealthCheck {

    private final DatabaseBootstrap bootstrap;

    public DatabaseSchemaCheck(DatabaseBootstrap bootstrap) {
        this.bootstrap = bootstrap;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder builder = HealthCheckResponse.named("database-schema")
                .withData("database", bootstrap.location());
        if (bootstrap.ready()) {
            String version = bootstrap.schemaVersion();
            return builder.withData("version", version == null ? "none" : version).up().build();
        }
        return builder.withData("error", bootstrap.failure()).down().build();
    }
}
