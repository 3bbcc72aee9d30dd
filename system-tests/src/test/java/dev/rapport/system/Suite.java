package dev.rapport.system;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Boots the five services once for all system tests, the way `make run` does ({@code dev/stack.sh services}), on their
 * own ports (18081–18085), databases ({@code rapport_<context>_it}) and Redis database (2), so they never meet a suite
 * a developer started; stops them when the tests are done. PostgreSQL, Redis and Keycloak must be up (`make test`
 * starts them).
 */
public final class Suite implements BeforeAllCallback {

    public static final int PORT_BASE = 18080;
    public static final List<String> SERVICES = List.of("profile-service", "campaign-service", "suppression-service",
            "channel-gateway", "service-desk-bridge");

    private static final Map<String, String> ENV = Map.of(
            "RAPPORT_STACK_OWNER", "system-tests",
            "RAPPORT_PORT_BASE", String.valueOf(PORT_BASE),
            "RAPPORT_DB_SUFFIX", "_it",
            "RAPPORT_REDIS_URL", "redis://127.0.0.1:6379/2",
            "RAPPORT_JAVA_OPTS", "-Xmx256m",
            // a provider that does not answer in 4 s (CrashIT holds Twilio's answers) has not answered
            "RAPPORT_PROVIDER_TIMEOUT", "4s",
            // the bridge checks tickets open for an hour against the Zendesk stand-in, every second
            "RAPPORT_DESK_RECONCILE_AFTER", "PT1H",
            "RAPPORT_DESK_RECONCILE_EVERY", "PT1S",
            "RAPPORT_DESK_RECONCILE_INTERVAL", "PT1S");

    /** Sets suppression-service's policy: no caps, no quiet hours, no grace after a ticket, consent required. */
    public static void policyWithoutCapsOrQuietHours() {
        policyWithoutCapsOrQuietHours("PT0S");
    }

    /** The same with this grace period after the last ticket is resolved. */
    public static void policyWithoutCapsOrQuietHours(String ticketGracePeriod) {
        io.restassured.RestAssured.given().port(port("suppression-service"))
                .auth().oauth2(dev.rapport.common.testing.TestTokens.user("marketer"))
                .contentType(io.restassured.http.ContentType.JSON).body(Map.of(
                        "caps", List.of(),
                        "quietHours", Map.of("start", "21:00", "end", "09:00", "channels", List.of()),
                        "purchasedPeriod", "P30D", "declinedPeriod", "P30D", "ticketGracePeriod", ticketGracePeriod,
                        "defaultTimezone", "Europe/Moscow", "consentRequired", true))
                .when().put("/api/v1/policy").then().statusCode(200);
    }

    /** Where the provider stand-ins of the suite under test answer (dev/stack.sh: the port base + 10). */
    public static String stubs() {
        return "http://127.0.0.1:" + (PORT_BASE + 10);
    }

    /** GreenMail's web API, where the email the suite sent arrives (dev/stack.sh mail). */
    public static String mailApi() {
        return "http://127.0.0.1:8025";
    }

    /** Port of a service of the suite under test. */
    public static int port(String service) {
        return PORT_BASE + SERVICES.indexOf(service) + 1;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .computeIfAbsent(Suite.class.getName(), key -> start(), Running.class);
    }

    private static Running start() {
        // email goes to a real SMTP server: GreenMail, used as it is when one answers already
        stack("mail");
        stack("services");
        return new Running();
    }

    /** Starts what of the suite is not running (a service a test killed), and waits until it is ready. */
    static void restart() {
        stack("services");
    }

    /** The process of a service of the suite, as dev/stack.sh recorded it. */
    static ProcessHandle process(String service) {
        Path root = Path.of(System.getenv().getOrDefault("RAPPORT_ROOT", ".."));
        Path pid = root.resolve(".local/run/" + ENV.get("RAPPORT_STACK_OWNER") + "/" + service + ".pid");
        try {
            return ProcessHandle.of(Long.parseLong(java.nio.file.Files.readString(pid).strip())).orElseThrow(
                    () -> new IllegalStateException(service + " is not running"));
        } catch (IOException e) {
            throw new IllegalStateException("no pid of " + service + " in " + pid, e);
        }
    }

    /** Closed by JUnit when the whole run ends. */
    static final class Running implements AutoCloseable {
        @Override
        public void close() {
            stack("down");
        }
    }

    private static void stack(String command) {
        stack(command, ENV);
    }

    /**
     * A second set of replicas of some services, beside the suite's and sharing its databases and Redis: its own
     * owner (so stopping it stops nothing else) and ports (base 18180).
     */
    static void replicas(String command, String services) {
        Map<String, String> env = new java.util.HashMap<>(ENV);
        env.put("RAPPORT_STACK_OWNER", "system-tests-replicas");
        env.put("RAPPORT_PORT_BASE", String.valueOf(REPLICA_PORT_BASE));
        env.put("RAPPORT_SERVICES", services);
        stack(command, env);
    }

    /** Port base of the second set of replicas. */
    public static final int REPLICA_PORT_BASE = 18180;

    /** Port of a service of the second set of replicas. */
    public static int replicaPort(String service) {
        return REPLICA_PORT_BASE + SERVICES.indexOf(service) + 1;
    }

    private static void stack(String command, Map<String, String> env) {
        Path root = Path.of(System.getenv().getOrDefault("RAPPORT_ROOT", ".."));
        // the script's output goes through this JVM's System.out, which the test runner owns
        ProcessBuilder pb = new ProcessBuilder(root.resolve("dev/stack.sh").toString(), command)
                .directory(root.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        try {
            Process p = pb.start();
            try (var out = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()))) {
                out.lines().forEach(System.out::println);
            }
            if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IllegalStateException("dev/stack.sh " + command + " failed; see .local/logs");
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run dev/stack.sh " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
