package dev.rapport.bench;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * service-desk-bridge benchmarks: the agent's context of a customer with 10,000 events at a fixed rate, the time from
 * a ticket's webhook to marketing denied, and verified desk webhooks in a closed loop; the first and the last against
 * {@code GET /api/v1/me} of the bridge itself, measured in the same run. profile-service and suppression-service run
 * beside it: the context reads profile-service, and a ticket reaches suppression through it.
 *
 * Phases (arguments): {@code load context latency webhooks}; all four by default, in this order: the webhooks last,
 * since each delivery they store becomes an event the bridge records afterwards, load the phases after it would meet.
 */
public final class DeskBench {

    static final String DB = Bench.env("RAPPORT_BENCH_DESK_DB", "rapport_desk_bench");
    static final String URL = Bench.env("RAPPORT_BENCH_DESK_URL", "http://localhost:18185");
    static final int EVENTS = Integer.parseInt(Bench.env("RAPPORT_BENCH_DESK_EVENTS", "10000"));
    static final int CONTEXT_RATE = Integer.parseInt(Bench.env("RAPPORT_BENCH_CONTEXT_RATE", "200"));
    static final Duration TIME = Duration.ofSeconds(Long.parseLong(Bench.env("RAPPORT_BENCH_SECONDS", "60")));
    /**
     * The webhooks' closed loop, shorter than the other phases: every delivery it stores becomes an event on a profile
     * after it, so a longer run measures the same rate and only lengthens the backlog the bridge records afterwards.
     */
    static final Duration WEBHOOK_TIME = Duration.ofSeconds(Long.parseLong(Bench.env("RAPPORT_BENCH_WEBHOOK_SECONDS",
            "30")));
    /** The webhooks' warm-up: a closed loop reaches the JIT's steady state within seconds. */
    static final Duration WEBHOOK_WARM_UP = Duration.ofSeconds(15);
    static final int CONNECTIONS = Integer.parseInt(Bench.env("RAPPORT_BENCH_CONNECTIONS", "32"));
    static final int LATENCY_SAMPLES = Integer.parseInt(Bench.env("RAPPORT_BENCH_LATENCY_SAMPLES", "300"));
    static final Duration WARM_UP = Duration.ofSeconds(Long.parseLong(Bench.env("RAPPORT_BENCH_WARM_UP_SECONDS",
            "30")));
    /** How long to wait for stored deliveries to be recorded (an earlier run's before measuring, this run's after). */
    static final Duration DRAIN = Duration.ofSeconds(Long.parseLong(Bench.env("RAPPORT_BENCH_DRAIN_SECONDS", "600")));
    static final String SECRET = Bench.env("RAPPORT_ZENDESK_WEBHOOK_SECRET", "zendesk-dev-secret");
    /** The customer of the context, by phone as a call centre's telephony gives it. */
    static final String PHONE = "+79260010000";
    /** People the webhooks' tickets are of (by email, as Zendesk's requester). */
    static final int REQUESTERS = 10_000;
    /** The three services, each a group of the CPU accounting. */
    static final Map<String, String> SERVICES = new LinkedHashMap<>();

    static {
        SERVICES.put("service-desk-bridge", "service-desk-bridge/target/quarkus-app/quarkus-run.jar");
        SERVICES.put("profile-service", ProfileBench.SERVICE_JAR);
        SERVICES.put("suppression-service", SuppressionBench.SERVICE_JAR);
    }

    static final List<String> GROUPS = List.copyOf(SERVICES.keySet());

    private static final ThreadLocal<Mac> HMAC = ThreadLocal.withInitial(() -> {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    });

    private static final StringBuilder REPORT = new StringBuilder();

    public static void main(String[] args) throws Exception {
        List<String> phases = args.length == 0 ? List.of("load", "context", "latency", "webhooks")
                : Arrays.asList(args);
        // this run's ids: webhooks, tickets and people of a run are its own, so a re-run meets none of them
        String run = Long.toString(Instant.now().getEpochSecond(), 36);
        REPORT.append("## service-desk-bridge\n\nMachine: ").append(Bench.machine()).append("  \nRun: ")
                .append(Instant.now().truncatedTo(ChronoUnit.SECONDS)).append("\n\n");
        try (Connection desk = DriverManager.getConnection(Bench.jdbc(DB));
                Connection profiles = DriverManager.getConnection(Bench.jdbc(ProfileBench.DB))) {
            REPORT.append("PostgreSQL: ").append(Bench.one(desk, "SHOW server_version")).append("\n\n");
            double waited = drain(desk);
            if (waited > 1) {
                System.out.printf("an earlier run's deliveries were recorded first, in %.0f s%n", waited);
            }
            if (phases.contains("load")) {
                load(profiles);
            }
            REPORT.append("Data: the customer of the context has %,d events (%,d of them loaded by this benchmark); "
                    .formatted(events(profiles, "%"), events(profiles, "bench-desk-e-%")))
                    .append("the bridge holds %,d deliveries and %,d tickets.\n\n".formatted(
                            Bench.estimate(desk, "webhook_delivery"), Bench.estimate(desk, "ticket")));
            if (phases.contains("context")) {
                context();
            }
            if (phases.contains("latency")) {
                latency(run);
            }
            if (phases.contains("webhooks")) {
                webhooks(desk, run);
            }
        }
        Bench.report(Path.of("bench/target/desk-bench.md"), REPORT.toString());
    }

    // ------------------------------------------------------------------------------------------------ data set ---

    /**
     * The customer of the context: {@value #PHONE} with {@link #EVENTS} events of every channel, through
     * profile-service's REST intake in batches of 500. The ids are fixed, so a second load changes nothing (they are
     * duplicates); it is skipped when they are all there.
     */
    static void load(Connection db) throws Exception {
        long have = events(db, "bench-desk-e-%");
        if (have >= EVENTS) {
            System.out.printf("data set present: the customer has %,d of the benchmark's events%n", have);
            return;
        }
        String token = Bench.token("integrator");
        Instant now = Instant.now();
        long t0 = System.nanoTime();
        for (int from = 0; from < EVENTS; from += ProfileBench.BATCH) {
            ObjectNode root = Bench.JSON.createObjectNode();
            ArrayNode batch = root.putArray("events");
            for (int i = from; i < Math.min(EVENTS, from + ProfileBench.BATCH); i++) {
                batch.add(contextEvent(i, now.minus((EVENTS - i) * 30L, ChronoUnit.MINUTES)));
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
        System.out.printf("loaded %,d events of the customer in %.0f s%n", EVENTS, (System.nanoTime() - t0) / 1e9);
    }

    /**
     * Event number i of the customer: a browsing, messaged, calling person who buys often, an event every 30 minutes
     * over 200 days on every channel. An order every 200 events (shipped the event after: 50 orders) and a ticket every
     * 200 (resolved 100 events later, so none stays open); the rest views, messages, carts, log-ins and calls.
     */
    static ObjectNode contextEvent(int i, Instant at) {
        String[][] kinds = { { "product_viewed", "web" }, { "product_viewed", "web" }, { "product_viewed", "app" },
                { "product_viewed", "app" }, { "page_viewed", "web" }, { "page_viewed", "app" },
                { "cart_updated", "web" }, { "message_sent", "email" }, { "message_delivered", "email" },
                { "message_opened", "email" }, { "message_clicked", "email" }, { "message_sent", "sms" },
                { "message_delivered", "sms" }, { "logged_in", "app" }, { "call_started", "call_center" },
                { "call_ended", "call_center" }, { "message_sent", "push" }, { "product_viewed", "web" },
                { "page_viewed", "web" }, { "message_opened", "email" } };
        String[] kind = switch (i % 200) {
            case 17 -> new String[] { "order_placed", "web" };
            case 18 -> new String[] { "order_status_changed", "web" };
            case 19 -> new String[] { "ticket_opened", "service_desk" };
            case 119 -> new String[] { "ticket_resolved", "service_desk" };
            default -> kinds[i % 20];
        };
        String type = kind[0];
        String channel = kind[1];
        ObjectNode e = Bench.JSON.createObjectNode().put("id", "bench-desk-e-" + i).put("type", type)
                .put("channel", channel).put("occurredAt", at.toString());
        ObjectNode ids = e.putObject("identifiers").put("phone", PHONE);
        if (i % 5 == 0 || channel.equals("email")) {
            ids.put("email", "desk-context@example.com");
        }
        if (channel.equals("web")) {
            ids.put("anonymousId", "desk-context-cookie");
        }
        if (i == 0) {
            e.putObject("traits").put("firstName", "Анна").put("locale", "ru").put("timezone", "Europe/Moscow");
        }
        ObjectNode p = e.putObject("properties");
        String product = "product-" + (i * 7 % 60);
        switch (type) {
            case "product_viewed", "page_viewed" -> p.put("productId", product).put("category", "category-" + i % 12);
            case "cart_updated" -> p.put("cartId", "bench-desk-cart-" + i / 100).putArray("productIds").add(product);
            case "order_placed" -> {
                p.put("orderId", "bench-desk-o-" + i).put("amount", 1000 + i % 9000).put("currency", "RUB");
                p.putArray("productIds").add(product);
            }
            case "order_status_changed" -> p.put("orderId", "bench-desk-o-" + (i - 1)).put("status", "shipped");
            case "ticket_opened" -> p.put("ticketId", "bench-desk-t-" + i).put("status", "open");
            case "ticket_resolved" -> p.put("ticketId", "bench-desk-t-" + (i - 100)).put("status", "solved");
            default -> {
                if (type.startsWith("message_")) {
                    p.put("messageId", "bench-desk-m-" + i / 4).put("campaignId", "campaign-" + i % 30);
                }
            }
        }
        return e;
    }

    /** Events of the customer whose id is like the pattern (found by the phone's identifier, so by an index). */
    private static long events(Connection db, String like) throws SQLException {
        try (PreparedStatement s = db.prepareStatement("""
                SELECT count(*) FROM event WHERE profile_id = (SELECT profile_id FROM identifier
                WHERE kind = 'phone' AND value = ?) AND id LIKE ?""")) {
            s.setString(1, PHONE);
            s.setString(2, like);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ context ---

    /**
     * The agent's context of the customer by phone, open loop at {@value #CONTEXT_RATE}/s by default, alternating in
     * slices of 10 s with {@code GET /api/v1/me} of the bridge at the same rate over the same connections: that is the
     * bridge's floor (HTTP, the token check, a JSON answer) at this moment, so both meet the same neighbours.
     */
    static void context() throws Exception {
        String token = Bench.token("agent");
        URI base = URI.create(URL);
        String path = "/api/v1/agent/context?phone=" + URLEncoder.encode(PHONE, StandardCharsets.UTF_8);
        HttpResponse<String> once = Bench.HTTP.send(HttpRequest.newBuilder(URI.create(URL + path))
                .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (once.statusCode() != 200) {
            throw new IllegalStateException("the context answered " + once.statusCode() + ": " + once.body());
        }
        JsonNode answer = Bench.JSON.readTree(once.body());
        byte[] context = FixedRate.get(base.getHost(), base.getPort(), path, token);
        byte[] me = FixedRate.get(base.getHost(), base.getPort(), "/api/v1/me", token);
        Slices contexts = new Slices(CONTEXT_RATE, () -> Cpu.snapshot(SERVICES), GROUPS);
        Slices caller = new Slices(CONTEXT_RATE, () -> Cpu.snapshot(SERVICES), GROUPS);
        try (FixedRate.Connections service = new FixedRate.Connections(base.getHost(), base.getPort(), CONNECTIONS)) {
            // warm-up: the JIT of the bridge and of profile-service, which each context calls three times
            FixedRate.run(service, FixedRate.HTTP, CONTEXT_RATE, WARM_UP.toSeconds() * CONTEXT_RATE, i -> context,
                    new ConcurrentHistogram(3));
            long slice = 10L * CONTEXT_RATE;
            for (long done = 0; done < TIME.toSeconds() * CONTEXT_RATE; done += slice) {
                contexts.run(service, FixedRate.HTTP, slice, i -> context);
                caller.run(service, FixedRate.HTTP, slice, i -> me);
            }
        }
        double ratio = ms(contexts.latency, 99) / ms(caller.latency, 99);
        REPORT.append("""
                ### The agent's context (`GET /api/v1/agent/context?phone=…`, a customer with %,d events, open loop at \
                %d requests/s for %.0f s, and a baseline)

                | | requests | errors | p50 | p90 | p99 | p99.9 | max |
                |---|---|---|---|---|---|---|---|
                %s
                %s

                p99 of the context / p99 of `/api/v1/me`: **%.1f×** (target ≤ 3×: %s). The contexts' slices took %.0f s
                for %.0f s of schedule: %,.0f contexts answered per second. Each context resolves the phone,
                reads the profile and its latest 300 events from profile-service (gRPC) and the open tickets and
                outcomes from the bridge's database; the answer is %,d bytes (a timeline of %d events, %d of recent
                marketing, %d likely reasons). Over %d keep-alive connections kept for the whole phase, after a warm-up
                of %d s; latency is measured from each request's scheduled start. The baseline is `GET /api/v1/me` on
                the bridge, from the same generator at the same rate over the same connections; the two alternate in
                slices of 10 s. CPU during the contexts: %s. During `/api/v1/me`: %s.

                """.formatted(EVENTS, CONTEXT_RATE, (double) TIME.toSeconds(), contexts.row("context, by phone"),
                caller.row("baseline: `GET /api/v1/me`, same service"), ratio, ratio <= 3 ? "met" : "not met",
                contexts.seconds, contexts.requests / (double) CONTEXT_RATE, contexts.requests / contexts.seconds,
                once.body().getBytes(StandardCharsets.UTF_8).length, answer.path("timeline").size(),
                answer.path("recentMarketing").size(), answer.path("likelyReasons").size(), CONNECTIONS,
                WARM_UP.toSeconds(), contexts.cpu(), caller.cpu()));
    }

    // ------------------------------------------------------------------------------------------------ latency ---

    /**
     * A signed Zendesk webhook of a new ticket, for a person opted in to marketing whom suppression-service knows, and
     * the person's marketing decisions polled until they are denied for it: the time covers the webhook's storage, the
     * bridge's recorder and {@code RecordEvents}, profile-service's outbox and relay, the stream, suppression's
     * consumer and the decision. One at a time, each sample a person and a ticket of its own.
     */
    static void latency(String run) throws Exception {
        SuppressionBench.setPolicy();
        String integrator = Bench.token("integrator");
        List<String> people = new ArrayList<>();
        for (int from = 0; from < LATENCY_SAMPLES; from += ProfileBench.BATCH) {
            ObjectNode root = Bench.JSON.createObjectNode();
            ArrayNode batch = root.putArray("events");
            for (int i = from; i < Math.min(LATENCY_SAMPLES, from + ProfileBench.BATCH); i++) {
                ObjectNode e = batch.addObject().put("id", "bench-desk-s-" + run + "-" + i).put("type", "subscribed")
                        .put("channel", "web").put("occurredAt", Instant.now().minusSeconds(60).toString());
                e.putObject("identifiers").put("email", latencyEmail(run, i));
                e.putObject("properties").put("channel", "all").put("source", "bench");
            }
            HttpResponse<String> r = Bench.HTTP.send(HttpRequest.newBuilder(URI.create(ProfileBench.URL
                    + "/api/v1/events")).header("Authorization", "Bearer " + integrator)
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                            root.toString())).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 202) {
                throw new IllegalStateException("intake answered " + r.statusCode() + ": " + r.body());
            }
            Bench.JSON.readTree(r.body()).path("accepted").forEach(a -> people.add(a.path("profileId").asText()));
        }
        // every person is known to suppression-service and allowed before its ticket
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        for (String profile : people) {
            while (!decision(integrator, profile).path("decision").asText().equals("allow")) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("suppression-service does not allow " + profile + ": "
                            + decision(integrator, profile));
                }
                Thread.sleep(50);
            }
        }
        Histogram h = new Histogram(3);
        Map<String, Double> cpu0 = Cpu.snapshot(SERVICES);
        long started = System.nanoTime();
        int timeouts = 0;
        for (int i = 0; i < people.size(); i++) {
            String ticket = run + "-l-" + i;
            byte[] body = document("bench-" + ticket, ticket, "new", latencyEmail(run, i), Instant.now());
            String timestamp = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
            long t0 = System.nanoTime();
            HttpResponse<String> posted = Bench.HTTP.send(HttpRequest.newBuilder(URI.create(URL
                    + "/webhooks/desk/zendesk")).header("Content-Type", "application/json")
                    .header("X-Zendesk-Webhook-Signature", signature(timestamp, body))
                    .header("X-Zendesk-Webhook-Signature-Timestamp", timestamp)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
            if (posted.statusCode() != 200 || Bench.JSON.readTree(posted.body()).path("duplicate").asBoolean()) {
                throw new IllegalStateException("the webhook answered " + posted.statusCode() + ": " + posted.body());
            }
            boolean denied = false;
            while (!denied && System.nanoTime() - t0 < Duration.ofSeconds(10).toNanos()) {
                JsonNode d = decision(integrator, people.get(i));
                for (JsonNode r : d.path("reasons")) {
                    denied |= d.path("decision").asText().equals("deny") && "open_ticket".equals(r.path("rule")
                            .asText());
                }
                if (!denied) {
                    Thread.sleep(2);
                }
            }
            if (denied) {
                h.recordValue((System.nanoTime() - t0) / 1000);
            } else {
                timeouts++;
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        Map<String, Double> cpu1 = Cpu.snapshot(SERVICES);
        REPORT.append("""
                ### From a ticket's webhook to marketing denied (%d samples, one at a time)

                | p50 | p90 | p99 | max | not denied within 10 s |
                |---|---|---|---|---|
                | %.0f ms | %.0f ms | **%.0f ms** | %.0f ms | %d |

                Target p99 < 1 s: %s. Each sample is a person opted in to marketing and allowed by suppression-service
                first; a signed Zendesk webhook of a new ticket with the person's email goes to
                `POST /webhooks/desk/zendesk`, and `POST /api/v1/decisions` of suppression-service (marketing by email)
                is polled every 2 ms until it is `deny` with a reason `open_ticket`: the webhook stored, the bridge's
                recorder, `RecordEvents` into profile-service, its outbox and relay, the Redis stream, suppression's
                consumer, its state and the decision. CPU: %s.

                """.formatted(people.size(), ms(h, 50), ms(h, 90), ms(h, 99), h.getMaxValue() / 1000.0, timeouts,
                timeouts == 0 && ms(h, 99) < 1000 ? "met" : "not met", Cpu.between(cpu0, cpu1, seconds, GROUPS)));
    }

    private static String latencyEmail(String run, int i) {
        return "desk-latency-" + run + "-" + i + "@example.com";
    }

    private static JsonNode decision(String token, String profile) throws Exception {
        String body = "{\"profileId\":\"" + profile + "\",\"channel\":\"email\",\"purpose\":\"marketing\"}";
        HttpResponse<String> d = Bench.HTTP.send(HttpRequest.newBuilder(URI.create(SuppressionBench.URL
                + "/api/v1/decisions")).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        return Bench.JSON.readTree(d.body());
    }

    // ----------------------------------------------------------------------------------------------- webhooks ---

    /**
     * Signed Zendesk webhooks in a closed loop over {@value #CONNECTIONS} connections by default, each a delivery id
     * of its own (the tickets of {@link #REQUESTERS} people opened, then solved), against {@code GET /api/v1/me} of the
     * bridge in a closed loop over the same connections just before; then every delivery answered 200 is looked for
     * in the bridge's database, and the backlog the bridge records into profile-service afterwards is waited for.
     */
    static void webhooks(Connection db, String run) throws Exception {
        String token = Bench.token("agent");
        URI base = URI.create(URL);
        byte[] me = FixedRate.get(base.getHost(), base.getPort(), "/api/v1/me", token);
        Histogram meLatency = new ConcurrentHistogram(3);
        Histogram hookLatency = new ConcurrentHistogram(3);
        Instant at = Instant.now();
        long[] baseline;
        long[] hooks;
        double baselineSeconds;
        double seconds;
        Map<String, Double> cpu0;
        Map<String, Double> cpu1;
        Map<String, Double> cpu2;
        Map<String, Double> cpu3;
        try (FixedRate.Connections service = new FixedRate.Connections(base.getHost(), base.getPort(), CONNECTIONS)) {
            FixedRate.closed(service, FixedRate.HTTP, Duration.ofSeconds(10), i -> me, new ConcurrentHistogram(3));
            cpu0 = Cpu.snapshot(SERVICES);
            long t0 = System.nanoTime();
            baseline = FixedRate.closed(service, FixedRate.HTTP, WEBHOOK_TIME, i -> me, meLatency);
            baselineSeconds = (System.nanoTime() - t0) / 1e9;
            cpu1 = Cpu.snapshot(SERVICES);
            // warm-up: webhooks of ids of their own ("w"), not counted
            FixedRate.closed(service, FixedRate.HTTP, WEBHOOK_WARM_UP, i -> webhook(base, run, "w", i, at),
                    new ConcurrentHistogram(3));
            cpu2 = Cpu.snapshot(SERVICES);
            long t1 = System.nanoTime();
            hooks = FixedRate.closed(service, FixedRate.HTTP, WEBHOOK_TIME, i -> webhook(base, run, "m", i, at),
                    hookLatency);
            seconds = (System.nanoTime() - t1) / 1e9;
            cpu3 = Cpu.snapshot(SERVICES);
        }
        long accepted = hooks[0] - hooks[1];
        Map<String, Long> statuses = statuses(db, "bench-" + run + "-m-%");
        long stored = statuses.values().stream().mapToLong(Long::longValue).sum();
        // what the recorder kept up with while the webhooks came (warm-up included), and how long the rest took
        Map<String, Long> phase = statuses(db, "bench-" + run + "-w-%");
        statuses.forEach((status, n) -> phase.merge(status, n, Long::sum));
        long ofPhase = phase.values().stream().mapToLong(Long::longValue).sum();
        long recordedDuring = phase.getOrDefault("recorded", 0L);
        double drained = drain(db);
        Map<String, Long> after = statuses(db, "bench-" + run + "-w-%");
        statuses(db, "bench-" + run + "-m-%").forEach((status, n) -> after.merge(status, n, Long::sum));
        double rate = accepted / seconds;
        double meRate = baseline[0] / baselineSeconds;
        REPORT.append("""
                ### Verified desk webhooks (`POST /webhooks/desk/zendesk`, signed, closed loop over %d connections for \
                %.0f s, and a baseline)

                | | requests/s | requests | errors | p50 | p90 | p99 | max |
                |---|---|---|---|---|---|---|---|
                | Zendesk webhooks accepted (200: stored in PostgreSQL before the answer) | **%,.0f** | %,d | %d \
                | %.2f ms | %.2f ms | **%.2f ms** | %.2f ms |
                | baseline: `GET /api/v1/me`, same service, same connections, just before | %,.0f | %,d | %d \
                | %.2f ms | %.2f ms | %.2f ms | %.2f ms |

                Ratio webhooks / `/api/v1/me`: **%.2f**. Target ≥ 2,000 accepted/s: %s. Each webhook (a request of
                %d to %d bytes) is a ticket change of Rapport's ticket document, with a Cyrillic subject and a
                delivery id of its own, signed as Zendesk signs (`base64(HMAC-SHA256(secret, timestamp + body))`),
                verified, read and inserted into `webhook_delivery` before it is answered; the tickets are of %,d
                people (by email), each opened and then solved. A warm-up of %d s of webhooks (ids of their own)
                came before. Latency is each request's own, from its send to its answer (a closed loop).

                **Stored**: the database holds %,d of the %,d deliveries answered 200 (`webhook_delivery`, ids
                `bench-%s-m-…`, by status: %s)%s. The bridge records every stored delivery as an event on the
                requester's profile (profile-service's `RecordEvents`) while the webhooks come in: of the phase's
                %,d deliveries (warm-up included), %,d were recorded during its %.0f s of webhooks; the rest was
                waited for %.0f s after it (then, by status: %s). CPU during the webhooks: %s. During
                `/api/v1/me`: %s.

                """.formatted(CONNECTIONS, seconds, rate, hooks[0], hooks[1], ms(hookLatency, 50), ms(hookLatency, 90),
                ms(hookLatency, 99), hookLatency.getMaxValue() / 1000.0, meRate, baseline[0], baseline[1],
                ms(meLatency, 50), ms(meLatency, 90), ms(meLatency, 99), meLatency.getMaxValue() / 1000.0,
                rate / meRate, rate >= 2000 ? "met" : "not met", webhook(base, run, "m", 0, at).length,
                webhook(base, run, "m", 99_999, at).length, REQUESTERS, WEBHOOK_WARM_UP.toSeconds(), stored, accepted,
                run, statuses, stored == accepted ? ": every one" : ": **" + (accepted - stored) + " missing**",
                ofPhase, recordedDuring, seconds + WEBHOOK_WARM_UP.toSeconds(), drained, after,
                Cpu.between(cpu2, cpu3, seconds, GROUPS), Cpu.between(cpu0, cpu1, baselineSeconds, GROUPS)));
    }

    /**
     * Webhook number i of a run (kind {@code w} warm-up, {@code m} measured), as bytes: ticket i / 2 of person
     * (i / 2) mod {@value #REQUESTERS}, opened (even i) then solved (odd i), a microsecond apart so the order is the
     * ticket's whatever order they arrive in. Signed when built, with the second it is built in.
     */
    static byte[] webhook(URI base, String run, String kind, long i, Instant at) {
        String ticket = run + "-" + kind + "-" + i / 2;
        byte[] body = document("bench-" + run + "-" + kind + "-" + i, ticket, i % 2 == 0 ? "open" : "solved",
                "desk-webhook-" + (i / 2) % REQUESTERS + "@example.com", at.plusNanos(i * 1000));
        String timestamp = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        return FixedRate.post(base.getHost(), base.getPort(), "/webhooks/desk/zendesk", Map.of(
                "X-Zendesk-Webhook-Signature", signature(timestamp, body),
                "X-Zendesk-Webhook-Signature-Timestamp", timestamp), body);
    }

    /** Rapport's ticket document, as a Zendesk trigger is set up to send it (service-desk-bridge README). */
    private static byte[] document(String deliveryId, String ticket, String status, String email, Instant updated) {
        return """
                {"id":"%s","ticket":{"id":"%s","status":"%s","subject":"Заказ не пришёл, жду вторую неделю",\
                "updatedAt":"%s","requester":{"email":"%s"}}}""".formatted(deliveryId, ticket, status, updated, email)
                .getBytes(StandardCharsets.UTF_8);
    }

    /** Zendesk's signature: base64(HMAC-SHA256(secret, timestamp + body)). */
    private static String signature(String timestamp, byte[] body) {
        Mac mac = HMAC.get();
        mac.update(timestamp.getBytes(StandardCharsets.UTF_8));
        return Base64.getEncoder().encodeToString(mac.doFinal(body));
    }

    /** The deliveries whose id is like the pattern, by status. */
    private static Map<String, Long> statuses(Connection db, String like) throws SQLException {
        Map<String, Long> out = new LinkedHashMap<>();
        try (PreparedStatement s = db.prepareStatement("SELECT status, count(*) FROM webhook_delivery "
                + "WHERE desk = 'zendesk' AND delivery_id LIKE ? GROUP BY status ORDER BY status")) {
            s.setString(1, like);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getLong(2));
                }
            }
        }
        return out;
    }

    /**
     * Waits, at most {@link #DRAIN}, until no stored delivery waits to be recorded; answers the seconds it waited.
     * Before measuring, so an earlier run's backlog is not measured with this one.
     */
    static double drain(Connection db) throws Exception {
        long t0 = System.nanoTime();
        long pending;
        for (int i = 0; (pending = Long.parseLong(Bench.one(db, "SELECT count(*) FROM webhook_delivery WHERE status = "
                + "'pending'"))) > 0 && System.nanoTime() - t0 < DRAIN.toNanos(); i++) {
            if (i % 10 == 0) {
                System.out.printf("%,d desk deliveries wait to be recorded%n", pending);
            }
            Thread.sleep(1000);
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    private static double ms(Histogram h, double percentile) {
        return Slices.ms(h, percentile);
    }
}
