package dev.rapport.bench;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * channel-gateway benchmarks: transactional SMS from {@code POST /api/v1/messages} until the Twilio stand-in's answer
 * is recorded ({@code sent}), against a bare loop that only calls the same stand-in endpoint from this JVM; and
 * Twilio-signed status callbacks ({@code POST /webhooks/twilio/status}) stored before the answer, against
 * {@code GET /api/v1/me} of the gateway over the same connections. Both baselines are measured in the same run.
 * profile-service runs beside it (every message reads its person; every status change becomes an event there),
 * suppression-service too (transactional messages never ask it), and the provider stand-ins on port base + 10.
 *
 * Phases (arguments): {@code people messages webhooks}; all three by default, in this order: the webhooks report on
 * the messages sent (real message ids of the stand-in, so each delivery report finds its message).
 */
public final class ChannelBench {

    static final String DB = Bench.env("RAPPORT_BENCH_CHANNEL_DB", "rapport_channel_bench");
    static final String URL = Bench.env("RAPPORT_BENCH_CHANNEL_URL", "http://localhost:18184");
    static final String STUBS = Bench.env("RAPPORT_BENCH_STUBS_URL", "http://127.0.0.1:18190");
    static final int PEOPLE = Integer.parseInt(Bench.env("RAPPORT_BENCH_CHANNEL_PEOPLE", "10000"));
    static final Duration TIME = Duration.ofSeconds(Long.parseLong(Bench.env("RAPPORT_BENCH_SECONDS", "60")));
    /**
     * The messages' warm-up: the services start fresh, and on 2 cores shared by five JVMs and PostgreSQL the JIT
     * takes about a minute of this load to settle (15 s left the gateway and profile-service at a quarter of their
     * steady rate).
     */
    static final Duration WARM_UP = Duration.ofSeconds(Long.parseLong(Bench.env("RAPPORT_BENCH_WARM_UP_SECONDS",
            "60")));
    /** The webhooks' warm-up: the gateway is warm from the messages by then. */
    static final Duration WEBHOOK_WARM_UP = Duration.ofSeconds(15);
    static final Duration WEBHOOK_TIME = Duration.ofSeconds(Long.parseLong(Bench.env("RAPPORT_BENCH_WEBHOOK_SECONDS",
            "30")));
    /** Connections of the generator to the gateway (messages, webhooks, {@code /api/v1/me}). */
    static final int CONNECTIONS = Integer.parseInt(Bench.env("RAPPORT_BENCH_CONNECTIONS", "32"));
    /** The gateway's hand-offs at once ({@code dispatch-concurrency}): the baseline's connections to the stand-in. */
    static final int DISPATCH_CONCURRENCY = Integer.parseInt(Bench.env("RAPPORT_CHANNEL_DISPATCH_CONCURRENCY", "64"));
    /** How long to wait for a backlog (messages to hand off, events to record, callbacks to apply) to drain. */
    static final Duration DRAIN = Duration.ofSeconds(Long.parseLong(Bench.env("RAPPORT_BENCH_DRAIN_SECONDS", "600")));
    /** Sent messages the webhooks report on (three callbacks each: queued, sent, delivered). */
    static final int REPORTED = Integer.parseInt(Bench.env("RAPPORT_BENCH_WEBHOOK_MESSAGES", "100000"));
    static final String ACCOUNT = Bench.env("RAPPORT_TWILIO_ACCOUNT_SID", "AC00000000000000000000000000000001");
    static final String AUTH_TOKEN = Bench.env("RAPPORT_TWILIO_AUTH_TOKEN", "twilio-dev-auth-token");
    /** A transactional SMS in Russian: UCS-2, one segment (at most 70 characters). */
    static final String TEXT = "Код подтверждения заказа %05d: никому его не сообщайте";
    static final String GATEWAY_JAR = "channel-gateway/target/quarkus-app/quarkus-run.jar";
    /** The services and the stand-ins, each a group of the CPU accounting. */
    static final Map<String, String> SERVICES = new LinkedHashMap<>();

    static {
        SERVICES.put("channel-gateway", GATEWAY_JAR);
        SERVICES.put("profile-service", ProfileBench.SERVICE_JAR);
        SERVICES.put("suppression-service", SuppressionBench.SERVICE_JAR);
        SERVICES.put("provider stand-ins", stubsJar());
    }

    static final List<String> GROUPS = List.copyOf(SERVICES.keySet());

    /** A provider's answer (201 Created) and the gateway's (202 Accepted) are successes, as 200 is. */
    static final FixedRate.Protocol TAKEN = (out, in, request) -> {
        int status = FixedRate.HTTP.exchange(out, in, request);
        return status == 201 || status == 202 ? 200 : status;
    };

    private static final ThreadLocal<Mac> TWILIO_HMAC = ThreadLocal.withInitial(() -> {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(AUTH_TOKEN.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    });

    private static final StringBuilder REPORT = new StringBuilder();

    public static void main(String[] args) throws Exception {
        List<String> phases = args.length == 0 ? List.of("people", "messages", "webhooks") : Arrays.asList(args);
        // this run's ids: its messages are its own, so a re-run meets none of them
        String run = Long.toString(Instant.now().getEpochSecond(), 36);
        REPORT.append("## channel-gateway\n\nMachine: ").append(Bench.machine()).append("  \nRun: ")
                .append(Instant.now().truncatedTo(ChronoUnit.SECONDS)).append(" (").append(load())
                .append(" at the start)\n\n");
        try (Connection channel = DriverManager.getConnection(Bench.jdbc(DB));
                Connection profiles = DriverManager.getConnection(Bench.jdbc(ProfileBench.DB))) {
            REPORT.append("PostgreSQL: ").append(Bench.one(channel, "SHOW server_version")).append("\n\n");
            List<String> people = people(profiles, phases.contains("people"));
            REPORT.append("Data: %,d people with a phone; the gateway holds %,d messages and %,d callbacks.\n\n"
                    .formatted(people.size(), Bench.estimate(channel, "message"), Bench.estimate(channel,
                            "callback")));
            drain(channel);
            if (phases.contains("messages")) {
                messages(channel, people, run);
            }
            if (phases.contains("webhooks")) {
                webhooks(channel, people, run);
            }
            REPORT.append("Load average at the end: ").append(load()).append(".\n");
        }
        Bench.report(Path.of("bench/target/channel-bench.md"), REPORT.toString());
    }

    private static String stubsJar() {
        try (Stream<Path> jars = Files.list(Path.of("provider-stubs/target"))) {
            return jars.map(Path::toString).filter(p -> p.endsWith(".jar") && !p.endsWith("-tests.jar")).sorted()
                    .findFirst().orElse("provider-stubs/target/provider-stubs.jar");
        } catch (IOException e) {
            return "provider-stubs/target/provider-stubs.jar";
        }
    }

    /** The machine's load average (1, 5, 15 minutes), as /proc/loadavg has it. */
    static String load() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return "load average " + f[0] + ", " + f[1] + ", " + f[2];
        } catch (IOException | RuntimeException e) {
            return "load average unknown";
        }
    }

    // ---------------------------------------------------------------------------------------------------- people ---

    /** Person number i's phone: +7 999 100 0000 onwards. */
    static String phone(int i) {
        return "+7999" + (1_000_000 + i);
    }

    /**
     * The people messages go to: {@link #PEOPLE} profiles in profile-service, each known by a phone only, created
     * through its REST intake (one {@code logged_in} event each, fixed ids, so a second load changes nothing); their
     * profile ids, in order.
     */
    static List<String> people(Connection db, boolean load) throws Exception {
        if (load && known(db).size() < PEOPLE) {
            String token = Bench.token("integrator");
            long t0 = System.nanoTime();
            for (int from = 0; from < PEOPLE; from += ProfileBench.BATCH) {
                ObjectNode root = Bench.JSON.createObjectNode();
                ArrayNode batch = root.putArray("events");
                for (int i = from; i < Math.min(PEOPLE, from + ProfileBench.BATCH); i++) {
                    ObjectNode e = batch.addObject().put("id", "bench-channel-p-" + i).put("type", "logged_in")
                            .put("channel", "app").put("occurredAt", Instant.now().minusSeconds(3600).toString());
                    e.putObject("identifiers").put("phone", phone(i));
                    e.putObject("traits").put("locale", "ru");
                }
                HttpResponse<String> r = Bench.HTTP.send(HttpRequest.newBuilder(URI.create(ProfileBench.URL
                        + "/api/v1/events")).header("Authorization", "Bearer " + token)
                        .header("Content-Type", "application/json").timeout(Duration.ofSeconds(60))
                        .POST(HttpRequest.BodyPublishers.ofString(root.toString())).build(),
                        HttpResponse.BodyHandlers.ofString());
                JsonNode answer = r.statusCode() == 202 ? Bench.JSON.readTree(r.body()) : null;
                if (answer == null || !answer.path("rejected").isEmpty()) {
                    throw new IllegalStateException("intake answered " + r.statusCode() + ": " + r.body());
                }
            }
            System.out.printf("loaded %,d people in %.0f s%n", PEOPLE, (System.nanoTime() - t0) / 1e9);
        }
        List<String> people = known(db);
        if (people.size() < PEOPLE) {
            throw new IllegalStateException("profile-service knows " + people.size() + " of the " + PEOPLE
                    + " people; run the phase people first");
        }
        return people;
    }

    private static List<String> known(Connection db) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement s = db.prepareStatement("SELECT profile_id FROM identifier WHERE kind = 'phone' "
                + "AND value >= ? AND value < ? ORDER BY value")) {
            s.setString(1, phone(0));
            s.setString(2, phone(PEOPLE));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    // -------------------------------------------------------------------------------------------------- messages ---

    /**
     * Transactional SMS posted in a closed loop over {@link #CONNECTIONS} connections for {@link #TIME} (after a
     * warm-up of messages of their own), each to one of the people by profile id (the gateway reads the address from
     * the profile), stored by the gateway before it answers 202 and handed to the Twilio stand-in by its dispatcher.
     * What counts is the rate at which messages become {@code sent} (the stand-in's answer recorded), read from the
     * gateway's database after the run; the baseline is a loop in this JVM that posts the same Twilio request to the
     * stand-in over {@link #DISPATCH_CONCURRENCY} connections (the gateway's hand-offs at once), and over 5 (the
     * connections a Vert.x WebClient keeps to a host by default), in a closed loop after the warm-up, just before.
     */
    static void messages(Connection db, List<String> people, String run) throws Exception {
        String token = Bench.token("integrator");
        URI gateway = URI.create(URL);
        URI stubs = URI.create(STUBS);
        String sendPath = "/twilio/2010-04-01/Accounts/" + ACCOUNT + "/Messages.json";
        Histogram baselineLatency = new ConcurrentHistogram(3);
        Histogram narrowLatency = new ConcurrentHistogram(3);
        Histogram latency = new ConcurrentHistogram(3);
        Duration baselineTime = Duration.ofSeconds(Math.max(10, TIME.toSeconds() / 3));
        long[] baseline;
        long[] narrow;
        double baselineSeconds;
        double narrowSeconds;
        Map<String, Double> cpu0;
        Map<String, Double> cpu1;
        Sampler sampler = new Sampler(gateway, stubs.getPort());
        long[] sent;
        Instant from;
        Instant to;
        Map<String, Double> cpu2;
        Map<String, Double> cpu3;
        Map<String, Double> pg0;
        Map<String, Double> pg1;
        Map<String, long[]> writes0;
        Map<String, long[]> writes1;
        try (FixedRate.Connections service = new FixedRate.Connections(gateway.getHost(), gateway.getPort(),
                CONNECTIONS)) {
            // warm-up: messages of their own ("w"), not counted, handed off before the baselines
            long[] warm = FixedRate.closed(service, TAKEN, WARM_UP, i -> message(gateway, token, people, run, "w", i),
                    new ConcurrentHistogram(3));
            if (warm[1] > 0) {
                System.out.printf("%,d of %,d warm-up messages were refused%n", warm[1], warm[0]);
            }
            drainMessages(db);
            drainEvents(db);
            try (FixedRate.Connections provider = new FixedRate.Connections(stubs.getHost(), stubs.getPort(),
                    DISPATCH_CONCURRENCY)) {
                FixedRate.closed(provider, TAKEN, Duration.ofSeconds(5), i -> twilioSend(stubs, sendPath, i),
                        new ConcurrentHistogram(3));
                cpu0 = Cpu.snapshot(SERVICES);
                long t0 = System.nanoTime();
                baseline = FixedRate.closed(provider, TAKEN, baselineTime, i -> twilioSend(stubs, sendPath, i),
                        baselineLatency);
                baselineSeconds = (System.nanoTime() - t0) / 1e9;
                cpu1 = Cpu.snapshot(SERVICES);
            }
            try (FixedRate.Connections provider = new FixedRate.Connections(stubs.getHost(), stubs.getPort(), 5)) {
                long t0 = System.nanoTime();
                narrow = FixedRate.closed(provider, TAKEN, Duration.ofSeconds(10), i -> twilioSend(stubs, sendPath,
                        i), narrowLatency);
                narrowSeconds = (System.nanoTime() - t0) / 1e9;
            }
            sampler.start();
            writes0 = writes(db);
            pg0 = postgres();
            cpu2 = Cpu.snapshot(SERVICES);
            from = Instant.now();
            sent = FixedRate.closed(service, TAKEN, TIME, i -> message(gateway, token, people, run, "m", i), latency);
            to = Instant.now();
            cpu3 = Cpu.snapshot(SERVICES);
            pg1 = postgres();
            writes1 = writes(db);
        }
        double seconds = Duration.between(from, to).toNanos() / 1e9;
        long accepted = sent[0] - sent[1];
        // the backlog: what was accepted and not handed off yet, then recorded as events on the profiles
        long backlog = waiting(db);
        Map<String, Double> cpu4 = Cpu.snapshot(SERVICES);
        long d0 = System.nanoTime();
        double drained = drainMessages(db);
        double drainSeconds = (System.nanoTime() - d0) / 1e9;
        Map<String, Double> cpu5 = Cpu.snapshot(SERVICES);
        sampler.stop();
        System.out.println("messages sent per second, from the loop's start: " + sampler.series());
        double recorded = drainEvents(db);
        Outcome o = outcome(db, "bench-ch-" + run + "-%", from, to);
        double rate = o.sentInWindow / seconds;
        double baselineRate = baseline[0] / baselineSeconds;
        REPORT.append("""
                ### Messages from accepted to handed to the provider (`POST /api/v1/messages`, transactional SMS \
                through Twilio, closed loop over %d connections for %.0f s, and a baseline)

                | | per second | requests | errors | p50 | p90 | p99 | max |
                |---|---|---|---|---|---|---|---|
                | messages `sent` during the loop (the stand-in's answer recorded) | **%,.0f** | %,d | | %.0f ms \
                | %.0f ms | **%.0f ms** | %.0f ms |
                | messages accepted (202: stored before the answer) | %,.0f | %,d | %d | %.2f ms | %.2f ms | %.2f ms \
                | %.2f ms |
                | baseline: the same Twilio request from this JVM to the stand-in, %d connections, closed loop | \
                %,.0f | %,d | %d | %.2f ms | %.2f ms | %.2f ms | %.2f ms |
                | the same over 5 connections | %,.0f | %,d | %d | %.2f ms | %.2f ms | %.2f ms | %.2f ms |

                Ratio sent / baseline: **%.2f**. Target ≥ 2,000 messages/s from accepted to handed to a provider: \
                %s. The latency of `sent` is from the message's acceptance (`created_at`) to its `sent` status (the \
                hand-off recorded), over the %,d messages accepted during the loop; the others' are each \
                request's own (a closed loop). Each message is a transactional SMS of one segment (UCS-2, \
                Cyrillic) to one of %,d people by profile id: the gateway reads the person from profile-service \
                (gRPC), stores the message and its first status, answers 202, and its dispatcher claims it, calls \
                the stand-in (`POST %s`, form, HTTP Basic) and records `sent` with the stand-in's message id, its \
                status and the event `message_sent`, which it then records on the profile (`RecordEvents`). A \
                warm-up of %d s of messages of their own came first (the services start fresh), then the \
                baselines, then the loop.

                **Durability**: %,d of the run's %,d messages (warm-up included) are `sent` with the stand-in's id \
                (by status: %s). When the loop ended %,d messages waited to be handed off; the dispatcher handed \
                them off in %.0f s after it (%s/s with no messages arriving), and the `message_sent` events were \
                all recorded on the profiles %.0f s later%s. The gateway's connections to the stand-in while it \
                sent: %s. Sent per second, from the gateway's counter every second of the loop: %s.

                CPU during the loop: %s; PostgreSQL's by database: %s. Per message `sent` during the loop, the \
                databases ran: %s. During the drain (handing off only): %s. During the baseline \
                (%d connections): %s.

                """.formatted(CONNECTIONS, seconds, rate, o.sentInWindow, o.p50, o.p90, o.p99, o.max,
                accepted / seconds, sent[0], sent[1], ms(latency, 50), ms(latency, 90), ms(latency, 99),
                latency.getMaxValue() / 1000.0, DISPATCH_CONCURRENCY, baselineRate, baseline[0], baseline[1],
                ms(baselineLatency, 50), ms(baselineLatency, 90), ms(baselineLatency, 99),
                baselineLatency.getMaxValue() / 1000.0, narrow[0] / narrowSeconds, narrow[0], narrow[1],
                ms(narrowLatency, 50), ms(narrowLatency, 90), ms(narrowLatency, 99),
                narrowLatency.getMaxValue() / 1000.0, rate / baselineRate, rate >= 2000 ? "met" : "not met",
                o.acceptedInWindow, PEOPLE, sendPath, WARM_UP.toSeconds(), o.sentWithId, o.total, o.statuses,
                backlog, drained, backlog == 0 ? "—" : "%,.0f".formatted(backlog / Math.max(drained, 0.001)),
                recorded, o.eventsNote, sampler.connections(), sampler.rates(),
                Cpu.between(cpu2, cpu3, seconds, GROUPS), postgresBetween(pg0, pg1, seconds), writesPer(writes0,
                        writes1, o.sentInWindow), drainSeconds < 5 ? "too short to say" : Cpu.between(cpu4, cpu5,
                                drainSeconds, GROUPS), DISPATCH_CONCURRENCY, Cpu.between(cpu0, cpu1, baselineSeconds,
                                GROUPS)));
    }

    /** Message number i of a run (kind {@code w} warm-up, {@code m} measured, {@code t} top-up), as a request. */
    static byte[] message(URI gateway, String token, List<String> people, String run, String kind, long i) {
        String json = """
                {"id":"bench-ch-%s-%s-%d","profileId":"%s","channel":"sms","purpose":"transactional",\
                "content":{"text":"%s"}}""".formatted(run, kind, i, people.get((int) (i % people.size())),
                TEXT.formatted(i % 100_000));
        return FixedRate.post(gateway.getHost(), gateway.getPort(), "/api/v1/messages", token, json);
    }

    /** The request the gateway makes of Twilio for message i, as the gateway's WebClient sends it. */
    static byte[] twilioSend(URI stubs, String path, long i) {
        String basic = Base64.getEncoder().encodeToString((ACCOUNT + ":" + AUTH_TOKEN)
                .getBytes(StandardCharsets.UTF_8));
        return form(stubs, path, Map.of("Authorization", "Basic " + basic), "To=" + encode(phone((int) (i % PEOPLE)))
                + "&From=Rapport&Body=" + encode(TEXT.formatted(i % 100_000)));
    }

    /** A form POST, as bytes. */
    static byte[] form(URI to, String path, Map<String, String> headers, String body) {
        byte[] content = body.getBytes(StandardCharsets.UTF_8);
        StringBuilder head = new StringBuilder("POST ").append(path).append(" HTTP/1.1\r\nHost: ")
                .append(to.getHost()).append(':').append(to.getPort()).append("\r\n");
        headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        byte[] start = head.append("Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ")
                .append(content.length).append("\r\n\r\n").toString().getBytes(StandardCharsets.US_ASCII);
        byte[] out = Arrays.copyOf(start, start.length + content.length);
        System.arraycopy(content, 0, out, start.length, content.length);
        return out;
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** What became of a run's messages. */
    record Outcome(long total, long sentWithId, long acceptedInWindow, long sentInWindow, double p50, double p90,
            double p99, double max, Map<String, Long> statuses, String eventsNote) {
    }

    /**
     * The run's messages by status; those sent with the stand-in's id; how many became {@code sent} within the
     * window; and, of those accepted within it, the time from acceptance to {@code sent}.
     */
    static Outcome outcome(Connection db, String like, Instant from, Instant to) throws SQLException {
        Map<String, Long> statuses = new TreeMap<>();
        long total = 0;
        long withId = 0;
        try (PreparedStatement s = db.prepareStatement("SELECT status, count(*), count(*) FILTER (WHERE "
                + "provider = 'twilio' AND provider_message_id LIKE 'SM%') FROM message WHERE id LIKE ? "
                + "GROUP BY status")) {
            s.setString(1, like);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    statuses.put(rs.getString(1), rs.getLong(2));
                    total += rs.getLong(2);
                    withId += rs.getLong(3);
                }
            }
        }
        long inWindow;
        long accepted;
        double[] p = new double[4];
        try (PreparedStatement s = db.prepareStatement("""
                SELECT count(*) FILTER (WHERE s.at >= ? AND s.at < ?),
                       count(*) FILTER (WHERE m.created_at >= ? AND m.created_at < ?),
                       percentile_cont(ARRAY[0.5, 0.9, 0.99]) WITHIN GROUP (ORDER BY
                           extract(epoch FROM s.at - m.created_at)) FILTER (WHERE m.created_at >= ?
                           AND m.created_at < ?),
                       max(extract(epoch FROM s.at - m.created_at)) FILTER (WHERE m.created_at >= ?
                           AND m.created_at < ?)
                FROM message m JOIN message_status s ON s.message_id = m.id AND s.status = 'sent'
                WHERE m.id LIKE ?""")) {
            for (int i = 0; i < 8; i += 2) {
                s.setObject(i + 1, OffsetDateTime.ofInstant(from, ZoneOffset.UTC));
                s.setObject(i + 2, OffsetDateTime.ofInstant(to, ZoneOffset.UTC));
            }
            s.setString(9, like);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                inWindow = rs.getLong(1);
                accepted = rs.getLong(2);
                Array a = rs.getArray(3);
                if (a != null) {
                    Object[] values = (Object[]) a.getArray();
                    for (int i = 0; i < 3; i++) {
                        p[i] = ((Number) values[i]).doubleValue() * 1000;
                    }
                }
                p[3] = rs.getDouble(4) * 1000;
            }
        }
        String events;
        try (PreparedStatement s = db.prepareStatement("SELECT count(*) FILTER (WHERE recorded), count(*) "
                + "FROM message_event WHERE message_id LIKE ?")) {
            s.setString(1, like);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                events = " (%,d of %,d events recorded)".formatted(rs.getLong(1), rs.getLong(2));
            }
        }
        return new Outcome(total, withId, accepted, inWindow, p[0], p[1], p[2], p[3], statuses, events);
    }

    /** Messages waiting to be handed off (queued, or claimed and not answered yet). */
    static long waiting(Connection db) throws SQLException {
        return Long.parseLong(Bench.one(db, "SELECT count(*) FROM message WHERE status IN ('queued', 'sending')"));
    }

    /** Waits, at most {@link #DRAIN}, until no message waits to be handed off; answers the seconds it waited. */
    static double drainMessages(Connection db) throws Exception {
        return until(db, "messages wait to be handed off", "SELECT count(*) FROM message WHERE status IN ('queued', "
                + "'sending')");
    }

    /** Waits, at most {@link #DRAIN}, until every message event is recorded on its profile. */
    static double drainEvents(Connection db) throws Exception {
        return until(db, "message events wait to be recorded", "SELECT count(*) FROM message_event WHERE NOT recorded "
                + "AND next_attempt_at < '9999-01-01'");
    }

    /** Waits, at most {@link #DRAIN}, until no callback waits to be applied. */
    static double drainCallbacks(Connection db) throws Exception {
        return until(db, "callbacks wait to be applied", "SELECT count(*) FROM callback WHERE status = 'pending' "
                + "AND next_attempt_at <= now()");
    }

    /** Every backlog of an earlier run, drained before this one measures anything. */
    static void drain(Connection db) throws Exception {
        double waited = drainMessages(db) + drainCallbacks(db) + drainEvents(db);
        if (waited > 2) {
            System.out.printf("an earlier run's backlog was drained first, in %.0f s%n", waited);
        }
    }

    private static double until(Connection db, String what, String count) throws Exception {
        long t0 = System.nanoTime();
        long pending;
        for (int i = 0; (pending = Long.parseLong(Bench.one(db, count))) > 0 && System.nanoTime() - t0 < DRAIN
                .toNanos(); i++) {
            if (i % 10 == 0) {
                System.out.printf("%,d %s%n", pending, what);
            }
            Thread.sleep(500);
        }
        if (pending > 0) {
            System.out.printf("still %,d %s after %d s%n", pending, what, DRAIN.toSeconds());
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    /** The benchmark's databases, by the name the report gives them. */
    static final Map<String, String> DATABASES = new LinkedHashMap<>();

    static {
        DATABASES.put("channel-gateway", DB);
        DATABASES.put("profile-service", ProfileBench.DB);
        DATABASES.put("suppression-service", SuppressionBench.DB);
    }

    /** Per database: transactions committed and rows written (inserted, updated, deleted) so far. */
    static Map<String, long[]> writes(Connection db) throws SQLException {
        Map<String, long[]> out = new LinkedHashMap<>();
        try (PreparedStatement s = db.prepareStatement("SELECT datname, xact_commit, tup_inserted + tup_updated "
                + "+ tup_deleted FROM pg_stat_database WHERE datname = ANY(?)")) {
            s.setArray(1, db.createArrayOf("text", DATABASES.values().toArray()));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), new long[] { rs.getLong(2), rs.getLong(3) });
                }
            }
        }
        return out;
    }

    /** What the databases committed and wrote between two readings, per unit of work (a message, a webhook). */
    static String writesPer(Map<String, long[]> before, Map<String, long[]> after, long units) {
        if (units <= 0) {
            return "—";
        }
        StringBuilder out = new StringBuilder();
        DATABASES.forEach((name, database) -> {
            long[] a = before.getOrDefault(database, new long[2]);
            long[] b = after.getOrDefault(database, new long[2]);
            out.append(out.isEmpty() ? "" : "; ").append("%s %.1f transactions and %.1f rows written".formatted(name,
                    (b[0] - a[0]) / (double) units, (b[1] - a[1]) / (double) units));
        });
        return out.toString();
    }

    /**
     * PostgreSQL's CPU seconds so far by database (its backends name theirs in their command line) and
     * "background" (the WAL writer, checkpointer, autovacuum, and backends that ended, reaped by the postmaster).
     */
    static Map<String, Double> postgres() {
        Map<String, Double> out = new LinkedHashMap<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).forEach(p -> {
                try {
                    String cmd = new String(Files.readAllBytes(p.resolve("cmdline"))).replace('\0', ' ');
                    if (!cmd.contains("postgres")) {
                        return;
                    }
                    String stat = Files.readString(p.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13])
                            + Long.parseLong(f[14]);
                    String group = DATABASES.entrySet().stream().filter(d -> cmd.contains(" " + d.getValue() + " "))
                            .map(Map.Entry::getKey).findFirst().orElse("background");
                    out.merge(group, ticks / 100.0, Double::sum);
                } catch (IOException | RuntimeException ignored) {
                    // the process ended
                }
            });
        } catch (IOException e) {
            return out;
        }
        return out;
    }

    /** PostgreSQL's CPU between two readings of {@link #postgres}, in cores, by database. */
    static String postgresBetween(Map<String, Double> before, Map<String, Double> after, double seconds) {
        StringBuilder out = new StringBuilder();
        List<String> groups = new ArrayList<>(DATABASES.keySet());
        groups.add("background");
        for (String g : groups) {
            out.append(out.isEmpty() ? "" : ", ").append("%s %.2f".formatted(g, (after.getOrDefault(g, 0.0)
                    - before.getOrDefault(g, 0.0)) / seconds));
        }
        return out.append(" core").toString();
    }

    /**
     * Every second while messages go: the gateway's count of messages sent (its Prometheus counter) and how many
     * connections are open to the stand-ins' port (from /proc/net/tcp: during the loop only the gateway connects).
     */
    static final class Sampler {
        private final URI gateway;
        private final int stubsPort;
        private final List<Long> sent = new ArrayList<>();
        private final List<Integer> open = new ArrayList<>();
        private final AtomicBoolean stop = new AtomicBoolean();
        private Thread thread;

        Sampler(URI gateway, int stubsPort) {
            this.gateway = gateway;
            this.stubsPort = stubsPort;
        }

        void start() {
            thread = new Thread(() -> {
                long next = System.nanoTime();
                while (!stop.get()) {
                    long counted = sentCounter(gateway);
                    int connections = connections(stubsPort);
                    synchronized (this) {
                        sent.add(counted);
                        open.add(connections);
                    }
                    next += 1_000_000_000L;
                    try {
                        Thread.sleep(Math.max(0, (next - System.nanoTime()) / 1_000_000));
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "sampler");
            thread.setDaemon(true);
            thread.start();
        }

        void stop() throws InterruptedException {
            stop.set(true);
            thread.join();
        }

        /** The connections open to the stand-ins, least and most over the samples while messages were sent. */
        synchronized String connections() {
            List<Integer> busy = new ArrayList<>();
            for (int i = 1; i < sent.size(); i++) {
                if (sent.get(i) > sent.get(i - 1)) {
                    busy.add(open.get(i));
                }
            }
            if (busy.isEmpty()) {
                return "not sampled";
            }
            return "%d to %d (median %d)".formatted(busy.stream().min(Integer::compare).orElseThrow(),
                    busy.stream().max(Integer::compare).orElseThrow(), busy.stream().sorted().toList().get(
                            busy.size() / 2));
        }

        /** Messages sent in each second since the loop started. */
        synchronized String series() {
            List<Long> perSecond = new ArrayList<>();
            for (int i = 1; i < sent.size(); i++) {
                perSecond.add(sent.get(i) - sent.get(i - 1));
            }
            return perSecond.toString();
        }

        /** Messages sent per second, least, median and most, over the seconds while the loop ran. */
        synchronized String rates() {
            List<Long> perSecond = new ArrayList<>();
            for (int i = 1; i < sent.size(); i++) {
                if (sent.get(i) >= 0 && sent.get(i - 1) >= 0) {
                    perSecond.add(sent.get(i) - sent.get(i - 1));
                }
            }
            // the samples cover the loop and the drain after it: the loop's are the first TIME seconds
            List<Long> loop = perSecond.subList(0, (int) Math.min(perSecond.size(), TIME.toSeconds()));
            if (loop.isEmpty()) {
                return "not sampled";
            }
            List<Long> sorted = loop.stream().sorted().toList();
            return "least %,d, median %,d, most %,d".formatted(sorted.get(0), sorted.get(sorted.size() / 2),
                    sorted.get(sorted.size() - 1));
        }

        /** {@code rapport_channel_messages_total{channel="sms",outcome="sent"}}, or -1. */
        static long sentCounter(URI gateway) {
            try {
                HttpResponse<String> r = Bench.HTTP.send(HttpRequest.newBuilder(gateway.resolve("/q/metrics"))
                        .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.ofString());
                for (String line : r.body().split("\n")) {
                    if (line.startsWith("rapport_channel_messages_total{") && line.contains("outcome=\"sent\"")
                            && line.contains("channel=\"sms\"")) {
                        return (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                    }
                }
                return 0;
            } catch (IOException | RuntimeException e) {
                return -1;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            }
        }

        /** Established TCP connections whose remote end is the port (IPv4 and IPv6). */
        static int connections(int port) {
            String hex = ":%04X".formatted(port);
            int n = 0;
            for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
                try {
                    for (String line : Files.readAllLines(Path.of(table))) {
                        String[] f = line.trim().split("\\s+");
                        if (f.length > 3 && f[2].endsWith(hex) && f[3].equals("01")) {
                            n++;
                        }
                    }
                } catch (IOException e) {
                    // no such table
                }
            }
            return n;
        }
    }

    // -------------------------------------------------------------------------------------------------- webhooks ---

    /**
     * Twilio status callbacks in a closed loop over {@link #CONNECTIONS} connections, signed as Twilio signs them, on
     * messages the gateway sent through the stand-in (its message ids): {@code queued}, {@code sent} and
     * {@code delivered} of each, so every one is an event of its own; against {@code GET /api/v1/me} of the gateway
     * in a closed loop over the same connections just before. Then every callback answered 200 is looked for in the
     * gateway's database, and the applier's backlog is waited for.
     */
    static void webhooks(Connection db, List<String> people, String run) throws Exception {
        List<String[]> reported = reportable(db, people, run);
        String token = Bench.token("integrator");
        URI base = URI.create(URL);
        String url = Bench.env("RAPPORT_CHANNEL_PUBLIC_URL", "").isBlank() ? URL
                : Bench.env("RAPPORT_CHANNEL_PUBLIC_URL", "").replaceAll("/+$", "");
        String signed = url + "/webhooks/twilio/status";
        byte[] me = FixedRate.get(base.getHost(), base.getPort(), "/api/v1/me", token);
        Histogram meLatency = new ConcurrentHistogram(3);
        Histogram hookLatency = new ConcurrentHistogram(3);
        long[] baseline;
        long[] warm;
        long[] hooks;
        double baselineSeconds;
        double seconds;
        Map<String, Double> cpu0;
        Map<String, Double> cpu1;
        Map<String, Double> cpu2;
        Map<String, Double> cpu3;
        Map<String, Double> pg0;
        Map<String, Double> pg1;
        Map<String, long[]> writes0;
        Map<String, long[]> writes1;
        long stored0 = callbacks(db);
        try (FixedRate.Connections service = new FixedRate.Connections(base.getHost(), base.getPort(), CONNECTIONS)) {
            FixedRate.closed(service, FixedRate.HTTP, Duration.ofSeconds(10), i -> me, new ConcurrentHistogram(3));
            cpu0 = Cpu.snapshot(SERVICES);
            long t0 = System.nanoTime();
            baseline = FixedRate.closed(service, FixedRate.HTTP, WEBHOOK_TIME, i -> me, meLatency);
            baselineSeconds = (System.nanoTime() - t0) / 1e9;
            cpu1 = Cpu.snapshot(SERVICES);
            // warm-up: the first callbacks, not counted
            warm = FixedRate.closed(service, FixedRate.HTTP, WEBHOOK_WARM_UP, i -> callback(base, signed, reported, i),
                    new ConcurrentHistogram(3));
            long offset = warm[0];
            writes0 = writes(db);
            pg0 = postgres();
            cpu2 = Cpu.snapshot(SERVICES);
            long t1 = System.nanoTime();
            hooks = FixedRate.closed(service, FixedRate.HTTP, WEBHOOK_TIME, i -> callback(base, signed, reported,
                    offset + i), hookLatency);
            seconds = (System.nanoTime() - t1) / 1e9;
            cpu3 = Cpu.snapshot(SERVICES);
            pg1 = postgres();
            writes1 = writes(db);
        }
        long accepted = hooks[0] - hooks[1];
        long stored = stored(db, reported, warm[0], warm[0] + hooks[0]);
        long storedAll = callbacks(db) - stored0;
        long pending = Long.parseLong(Bench.one(db, "SELECT count(*) FROM callback WHERE status = 'pending'"));
        double applied = drainCallbacks(db);
        double recorded = drainEvents(db);
        Map<String, Long> byStatus = new TreeMap<>();
        try (PreparedStatement s = db.prepareStatement("SELECT status, count(*) FROM callback WHERE provider = "
                + "'twilio' AND event_id = ANY(?) GROUP BY status")) {
            s.setArray(1, db.createArrayOf("text", eventIds(reported, warm[0], warm[0] + hooks[0]).toArray()));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    byStatus.put(rs.getString(1), rs.getLong(2));
                }
            }
        }
        double rate = accepted / seconds;
        double meRate = baseline[0] / baselineSeconds;
        byte[] one = callback(base, signed, reported, 0);
        REPORT.append("""
                ### Verified provider webhooks (`POST /webhooks/twilio/status`, Twilio-signed, closed loop over %d \
                connections for %.0f s, and a baseline)

                | | requests/s | requests | errors | p50 | p90 | p99 | max |
                |---|---|---|---|---|---|---|---|
                | Twilio status callbacks accepted (200: stored in PostgreSQL before the answer) | **%,.0f** | %,d \
                | %d | %.2f ms | %.2f ms | **%.2f ms** | %.2f ms |
                | baseline: `GET /api/v1/me`, same service, same connections, just before | %,.0f | %,d | %d \
                | %.2f ms | %.2f ms | %.2f ms | %.2f ms |

                Ratio webhooks / `/api/v1/me`: **%.2f**. Target ≥ 5,000 verified webhooks/s: %s. Each callback (a \
                request of about %d bytes) is Twilio's form post of a message status (`MessageSid`, \
                `MessageStatus`, `SmsSid`, `SmsStatus`, `AccountSid`, `From`, `To`, `ApiVersion`), signed as \
                Twilio signs (`X-Twilio-Signature` = base64(HMAC-SHA1(auth token, URL + the parameters' names and \
                values, sorted))) over `%s`; the gateway verifies it, reads it and inserts it into `callback` \
                (one row per event, unique on the message id and status) before it answers. The callbacks report \
                on %,d messages the gateway sent through the stand-in (its message ids), `queued`, `sent` and \
                `delivered` of each in turn, so every callback is an event of its own; %d s of callbacks (%,d) came \
                first as a warm-up. Latency is each request's own, from its send to its answer (a closed loop).

                **Stored**: the database holds %,d of the %,d callbacks answered 200 (by event id; by status: %s)%s; \
                %,d callbacks were stored during the warm-up and the loop together. When the loop ended %,d waited to \
                be applied (a `delivered` moves its message on and becomes a `message_delivered` event; `queued` and \
                `sent` change nothing); they were applied %.0f s after it, and the events recorded %.0f s later. CPU \
                during the webhooks: %s; PostgreSQL's by database: %s. Per webhook accepted, the databases ran (the \
                applier's work included): %s. During `/api/v1/me`: %s.

                """.formatted(CONNECTIONS, seconds, rate, hooks[0], hooks[1], ms(hookLatency, 50), ms(hookLatency, 90),
                ms(hookLatency, 99), hookLatency.getMaxValue() / 1000.0, meRate, baseline[0], baseline[1],
                ms(meLatency, 50), ms(meLatency, 90), ms(meLatency, 99), meLatency.getMaxValue() / 1000.0,
                rate / meRate, rate >= 5000 ? "met" : "not met", one.length, signed, reported.size(),
                WEBHOOK_WARM_UP.toSeconds(), warm[0], stored, accepted, byStatus, stored == accepted ? ": every one"
                        : ": **" + (accepted - stored) + " missing**", storedAll, pending, applied, recorded,
                Cpu.between(cpu2, cpu3, seconds, GROUPS), postgresBetween(pg0, pg1, seconds), writesPer(writes0,
                        writes1, accepted), Cpu.between(cpu0, cpu1, baselineSeconds, GROUPS)));
        if (warm[0] + hooks[0] > 3L * reported.size()) {
            REPORT.append("**The loop ran out of messages to report on**: %,d callbacks for %,d messages; the rest "
                    .formatted(warm[0] + hooks[0], reported.size()) + "were redeliveries (set "
                    + "RAPPORT_BENCH_WEBHOOK_MESSAGES higher).\n\n");
        }
    }

    /** The three statuses each message is reported in, in order. */
    private static final String[] REPORTS = { "queued", "sent", "delivered" };

    /**
     * {@link #REPORTED} messages sent through the stand-in that no callback has reported on yet (message id and
     * phone): this run's first, then earlier runs'; when there are fewer, more are sent through the gateway first.
     */
    static List<String[]> reportable(Connection db, List<String> people, String run) throws Exception {
        List<String[]> out = unreported(db);
        if (out.size() < REPORTED) {
            int more = REPORTED - out.size();
            System.out.printf("sending %,d more messages for the webhooks to report on%n", more);
            String token = Bench.token("integrator");
            URI gateway = URI.create(URL);
            FixedRate.run(gateway.getHost(), gateway.getPort(), TAKEN, CONNECTIONS, 2000, more,
                    i -> message(gateway, token, people, run, "t", i), new ConcurrentHistogram(3));
            drainMessages(db);
            drainEvents(db);
            out = unreported(db);
        }
        return out;
    }

    private static List<String[]> unreported(Connection db) throws SQLException {
        List<String[]> out = new ArrayList<>();
        try (PreparedStatement s = db.prepareStatement("""
                SELECT m.provider_message_id, m.address FROM message m WHERE m.status = 'sent'
                AND m.provider = 'twilio' AND m.provider_message_id IS NOT NULL
                AND NOT EXISTS (SELECT 1 FROM callback c WHERE c.provider = 'twilio'
                                AND c.event_id = m.provider_message_id || ':queued')
                ORDER BY m.created_at DESC LIMIT ?""")) {
            s.setInt(1, REPORTED);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.add(new String[] { rs.getString(1), rs.getString(2) });
                }
            }
        }
        return out;
    }

    /**
     * Callback number i, as bytes: message i / 3 (of those reported on; past the last they come round again, as
     * redeliveries) in the status i mod 3, signed when built.
     */
    static byte[] callback(URI base, String signedUrl, List<String[]> messages, long i) {
        String[] m = messages.get((int) ((i / REPORTS.length) % messages.size()));
        String status = REPORTS[(int) (i % REPORTS.length)];
        Map<String, String> params = new TreeMap<>();
        params.put("AccountSid", ACCOUNT);
        params.put("ApiVersion", "2010-04-01");
        params.put("From", "Rapport");
        params.put("MessageSid", m[0]);
        params.put("MessageStatus", status);
        params.put("SmsSid", m[0]);
        params.put("SmsStatus", status);
        params.put("To", m[1]);
        StringBuilder data = new StringBuilder(signedUrl);
        params.forEach((name, value) -> data.append(name).append(value));
        Mac mac = TWILIO_HMAC.get();
        String signature = Base64.getEncoder().encodeToString(mac.doFinal(data.toString()
                .getBytes(StandardCharsets.UTF_8)));
        String body = params.entrySet().stream().map(e -> e.getKey() + "=" + encode(e.getValue()))
                .collect(Collectors.joining("&"));
        return form(base, "/webhooks/twilio/status", Map.of("X-Twilio-Signature", signature, "Accept",
                "application/json"), body);
    }

    /** The event ids of callbacks number from (inclusive) to to (exclusive). */
    private static List<String> eventIds(List<String[]> messages, long from, long to) {
        List<String> out = new ArrayList<>();
        for (long i = from; i < to; i++) {
            out.add(messages.get((int) ((i / REPORTS.length) % messages.size()))[0] + ":"
                    + REPORTS[(int) (i % REPORTS.length)]);
        }
        return out;
    }

    /** How many of callbacks number from to to are stored. */
    private static long stored(Connection db, List<String[]> messages, long from, long to) throws SQLException {
        try (PreparedStatement s = db.prepareStatement("SELECT count(*) FROM callback WHERE provider = 'twilio' "
                + "AND event_id = ANY(?)")) {
            s.setArray(1, db.createArrayOf("text", eventIds(messages, from, to).toArray()));
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static long callbacks(Connection db) throws SQLException {
        return Long.parseLong(Bench.one(db, "SELECT count(*) FROM callback"));
    }

    private static double ms(Histogram h, double percentile) {
        return Slices.ms(h, percentile);
    }
}
