package dev.rapport.common.db;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

import dev.rapport.common.logging.LogSanitizer;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;

/**
 * Prepares this service's database at start: creates it when missing, then applies the Flyway migrations. When
 * PostgreSQL cannot be reached it says so in one log line, keeps the service not-ready and tries again in the
 * background, instead of failing the start and crash-looping.
 */
@Singleton
public class DatabaseBootstrap {

    private static final Pattern DATABASE_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private final DatabaseConfig config;
    private final Flyway flyway;
    private final String user;
    private final String password;
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "rapport-database-bootstrap");
        t.setDaemon(true);
        return t;
    });

    private volatile String failure = "not started";
    private volatile String lastLogged;
    private volatile String schemaVersion;

    public DatabaseBootstrap(DatabaseConfig config, Flyway flyway,
            @ConfigProperty(name = "quarkus.datasource.username") String user,
            @ConfigProperty(name = "quarkus.datasource.password") Optional<String> password) {
        this.config = config;
        this.flyway = flyway;
        this.user = user;
        this.password = password.orElse("");
    }

    void onStart(@Observes StartupEvent event) {
        if (!DATABASE_NAME.matcher(config.name()).matches()) {
            throw new IllegalArgumentException("rapport.database.name must match " + DATABASE_NAME.pattern());
        }
        if (!attempt()) {
            long every = Math.max(1, config.retryInterval().toMillis());
            retries.scheduleWithFixedDelay(() -> {
                if (attempt()) {
                    retries.shutdown();
                }
            }, every, every, TimeUnit.MILLISECONDS);
        }
    }

    @PreDestroy
    void stop() {
        retries.shutdownNow();
    }

    /** True once the database exists and its schema is migrated. */
    public boolean ready() {
        return failure == null;
    }

    /** Why the database is not ready, or null. */
    public String failure() {
        return failure;
    }

    /** The schema version Flyway reached, or null before. */
    public String schemaVersion() {
        return schemaVersion;
    }

    /** Where the database is, for messages: {@code host:port/name}. */
    public String location() {
        return config.host() + ":" + config.port() + "/" + config.name();
    }

    private synchronized boolean attempt() {
        if (failure == null) {
            return true;
        }
        try {
            if (config.createIfMissing()) {
                createIfMissing();
            }
            MigrateResult result = flyway.migrate();
            schemaVersion = result.targetSchemaVersion != null ? result.targetSchemaVersion : result.initialSchemaVersion;
            failure = null;
            Log.infof("Database %s ready at schema version %s (%d migration(s) applied now)", location(), schemaVersion,
                    result.migrationsExecuted);
            return true;
        } catch (RuntimeException | SQLException e) {
            String reason = rootMessage(e);
            failure = reason;
            if (!reason.equals(lastLogged)) {
                lastLogged = reason;
                Log.errorf("Cannot prepare PostgreSQL database %s: %s. The service stays not-ready and retries every %ss.",
                        location(), reason, config.retryInterval().toSeconds());
            }
            return false;
        }
    }

    private void createIfMissing() throws SQLException {
        String url = "jdbc:postgresql://" + config.host() + ":" + config.port() + "/" + config.maintenanceDatabase();
        Properties props = new Properties();
        props.setProperty("user", user);
        if (!password.isEmpty()) {
            props.setProperty("password", password);
        }
        props.setProperty("connectTimeout", "5");
        try (Connection c = DriverManager.getConnection(url, props)) {
            try (PreparedStatement exists = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
                exists.setString(1, config.name());
                try (ResultSet rs = exists.executeQuery()) {
                    if (rs.next()) {
                        return;
                    }
                }
            }
            try (Statement create = c.createStatement()) {
                // the name is checked against DATABASE_NAME, so it is a plain identifier
                create.execute("CREATE DATABASE " + config.name());
                Log.infof("Created database %s", location());
            } catch (SQLException e) {
                // another replica may have created it at the same moment
                if (!"42P04".equals(e.getSQLState())) {
                    throw e;
                }
            }
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return LogSanitizer.sanitize(message);
    }
}
