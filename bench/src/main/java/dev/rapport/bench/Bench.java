package dev.rapport.bench;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.ObjectMapper;

/** What every benchmark needs: where things are, tokens, the machine, and the report. */
final class Bench {

    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .version(HttpClient.Version.HTTP_1_1).build();

    private Bench() {
    }

    static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    static String jdbc(String database) {
        return "jdbc:postgresql://" + env("RAPPORT_DB_HOST", "127.0.0.1") + ":" + env("RAPPORT_DB_PORT", "5432") + "/"
                + database + "?user=" + env("RAPPORT_DB_USER", "rapport") + "&password="
                + env("RAPPORT_DB_PASSWORD", "rapport") + "&reWriteBatchedInserts=true";
    }

    /** A demo user's access token from Keycloak. */
    static String token(String user) throws IOException, InterruptedException {
        return token(Map.of("grant_type", "password", "client_id", "rapport-cli", "username", user, "password", user));
    }

    /** A service's client-credentials token, with its secret from {@code RAPPORT_<CLIENT>_SECRET}. */
    static String serviceToken(String clientId) throws IOException, InterruptedException {
        String secret = env("RAPPORT_" + clientId.toUpperCase(java.util.Locale.ROOT).replace('-', '_') + "_SECRET", "");
        return token(Map.of("grant_type", "client_credentials", "client_id", clientId, "client_secret", secret));
    }

    private static String token(Map<String, String> params) throws IOException, InterruptedException {
        String form = params.entrySet().stream().map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(env("RAPPORT_KEYCLOAK_URL",
                "http://localhost:8180") + "/realms/rapport/protocol/openid-connect/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("no token: " + r.body());
        }
        return JSON.readTree(r.body()).get("access_token").asText();
    }

    /** The machine, for the report. */
    static String machine() {
        String cpu = "unknown CPU";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).strip()).orElse(cpu);
        } catch (IOException ignored) {
            // not Linux
        }
        long memory = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getTotalMemorySize();
        return "%s, %d cores, %d GiB, %s %s, Java %s".formatted(cpu, Runtime.getRuntime().availableProcessors(),
                memory >> 30, System.getProperty("os.name"), System.getProperty("os.version"),
                System.getProperty("java.version"));
    }

    /** The first column of the first row of a query. */
    static String one(Connection db, String sql) throws SQLException {
        try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** The planner's estimate of a table's rows (a count would take seconds on 20 million). */
    static long estimate(Connection db, String table) throws SQLException {
        return Long.parseLong(one(db, "SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE relname = '" + table
                + "'"));
    }

    static void report(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        System.out.println(text);
    }
}
