package dev.rapport.common.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;

import org.junit.jupiter.api.Test;

class StartupDependencyReportTest {

    @Test
    void hidesCredentialsOfRedisUrls() {
        assertThat(StartupDependencyReport.withoutCredentials("redis://user:s3cret@cache:6379/0"))
                .isEqualTo("redis://cache:6379/0");
        assertThat(StartupDependencyReport.withoutCredentials("redis://cache:6379")).isEqualTo("redis://cache:6379");
    }

    @Test
    void saysConnectionRefusedEvenWhenTheJdkGivesNoMessage() {
        assertThat(StartupDependencyReport.reason(new IOException(new ConnectException()))).isEqualTo("connection refused");
        assertThat(StartupDependencyReport.reason(new IOException("unknown host keycloak"))).isEqualTo("unknown host keycloak");
    }
}
