package dev.rapport.common.db;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Where this service's own PostgreSQL database is and how it is prepared at start. */
@ConfigMapping(prefix = "rapport.database")
public interface DatabaseConfig {

    /** Host of the PostgreSQL server. */
    @WithDefault("localhost")
    String host();

    /** Port of the PostgreSQL server. */
    @WithDefault("5432")
    int port();

    /** Name of this service's database; it belongs to this service alone. */
    String name();

    /**
     * Create the database at start when it is missing (needs the CREATEDB privilege). Turn it off where databases are
     * provisioned by the platform.
     */
    @WithDefault("true")
    boolean createIfMissing();

    /** Database to connect to when creating this service's database. */
    @WithDefault("postgres")
    String maintenanceDatabase();

    /** How long to wait between attempts when the database cannot be reached at start. */
    @WithDefault("5s")
    Duration retryInterval();
}
