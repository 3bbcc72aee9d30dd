package dev.rapport.bench;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * profile-service benchmarks (issue 3): sustained REST intake in batches of 500 against a plain multi-row INSERT of the
 * same rows, and look-up by phone at a fixed rate with 1 million profiles and 20 million events loaded.
 *
 * Phases (arguments): {@code load lookup intake}; all three by default, in this order.
 */
public final class ProfileBench {

    static final String DB = Bench.env("RAPPORT_BENCH_PROFILE_DB", "rapport_profile_bench");
    static final String URL = Bench.env("RAPPORT_BENCH_PROFILE_URL", "http://localhost:18181");
    static final int PROFILES = Integer.parseInt(Bench.env("RAPPORT_BENCH_PROFILES", "1000000"));
    static final int EVENTS_PER_PROFILE = Integer.parseInt(Bench.env("RAPPORT_BENCH_EVENTS_PER_PROFILE", "20"));
    static final int BATCH = 500;
    static final int SENDERS = Integer.parseInt(Bench.env("RAPPORT_BENCH_SENDERS", "4"));
    static final Duration INTAKE_TIME = Duration.ofSeconds(Long.parseLong(Bench.env("RAPPORT_BENCH_SECONDS", "60")));
    static final int LOOKUP_RATE = Integer.parseInt(Bench.env("RAPPORT_BENCH_LOOKUP_RATE", "500"));
    static final String SERVICE_JAR = "profile-service/target/quarkus-app/quarkus-run.jar";

    private static final StringBuilder REPORT = new StringBuilder();

    public static void main(String[] args) throws Exception {
        List<String> phases = args.length == 0 ? List.of("load", "lookup", "intake") : Arrays.asList(args);
        REPORT.append("## profile-service\n\nMachine: ").append(Bench.machine()).append("  \nRun: ")
                .append(Instant.now().truncatedTo(ChronoUnit.SECONDS)).append("\n\n");
        try (Connection db = DriverManager.getConnection(Bench.jdbc(DB))) {
            REPORT.append("PostgreSQL: ").append(Bench.one(db, "SHOW server_version")).append("\n\n");
            if (phases.contains("load")) {
                load(db);
            }
            REPORT.append("Data: %,d profiles, %,d identifiers, %,d events.\n\n".formatted(
                    Bench.estimate(db, "profile"), Bench.estimate(db, "identifier"), Bench.estimate(db, "event")));
            // look-ups first: right after intake, the relay's publishing and autovacuum of what intake wrote would be
            // measured with them
            if (phases.contains("lookup")) {
                lookup();
            }
            if (phases.contains("intake")) {
                intake(db);
            }
        }
        Bench.report(Path.of("bench/target/profile-bench.md"), REPORT.toString());
    }

    // ------------------------------------------------------------------------------------------------ data set ---

    static String phone(long n) {
        return "+7916" + String.format("%07d", n);
    }

    static void load(Connection db) throws SQLException {
        long have = Long.parseLong(Bench.one(db, "SELECT count(*) FROM profile WHERE id LIKE 'bench-p-%'"));
        long events = Bench.estimate(db, "event");
        // the event count is the planner's estimate: close enough is present
        if (have >= PROFILES && events >= 0.95 * PROFILES * EVENTS_PER_PROFILE) {
            System.out.printf("data set present: %,d bench profiles, about %,d events%n", have, events);
            return;
        }
        long started = System.nanoTime();
        try (Statement s = db.createStatement()) {
            s.execute("SET synchronous_commit = off");
            s.execute("SET maintenance_work_mem = '512MB'");
            s.execute("TRUNCATE profile, identifier, event, outbox, profile_channel, profile_interest, profile_order, "
                    + "profile_ticket, profile_offer, identity_conflict");
            List<String> indexes = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'event' "
                    + "AND indexname <> 'event_pkey'")) {
                while (rs.next()) {
                    indexes.add(rs.getString(2));
                    System.out.println("dropping for the load: " + rs.getString(1));
                }
            }
            s.execute("DROP INDEX IF EXISTS event_timeline, event_type_time");
            step(s, "profiles", """
                    INSERT INTO profile (id, created_at, updated_at, traits, trait_times)
                    SELECT 'bench-p-' || g, now() - interval '400 days' + g * interval '1 second', now(),
                           jsonb_build_object('firstName', 'Person ' || g, 'locale', 'ru', 'timezone', 'Europe/Moscow'),
                           '{}'
                    FROM generate_series(1, %d) g""".formatted(PROFILES));
            step(s, "identifiers", """
                    INSERT INTO identifier (kind, value, profile_id, first_seen, last_seen)
                    SELECT 'phone', '+7916' || lpad(g::text, 7, '0'), 'bench-p-' || g, now(), now()
                    FROM generate_series(1, %1$d) g
                    UNION ALL
                    SELECT 'email', 'person' || g || '@example.com', 'bench-p-' || g, now(), now()
                    FROM generate_series(1, %1$d) g
                    UNION ALL
                    SELECT 'anonymousId', 'bench-cookie-' || g, 'bench-p-' || g, now(), now()
                    FROM generate_series(1, %1$d) g""".formatted(PROFILES));
            long total = (long) PROFILES * EVENTS_PER_PROFILE;
            long chunk = 2_000_000;
            for (long from = 1; from <= total; from += chunk) {
                long to = Math.min(total, from + chunk - 1);
                step(s, "events " + from + "-" + to, """
                        INSERT INTO event (id, profile_id, type, channel, occurred_at, received_at, identifiers, traits,
                                           properties)
                        SELECT 'bench-e-' || g, 'bench-p-' || (g %% %1$d + 1),
                               (ARRAY['product_viewed','page_viewed','product_viewed','cart_updated','message_opened'])
                                   [g %% 5 + 1],
                               (ARRAY['web','app','email','web','sms'])[g %% 5 + 1],
                               now() - (g %% 7776000) * interval '1 second', now(),
                               jsonb_build_object('phone', '+7916' || lpad((g %% %1$d + 1)::text, 7, '0')), NULL,
                               jsonb_build_object('productId', 'product-' || (g %% 5000),
                                                  'category', 'category-' || (g %% 40))
                        FROM generate_series(%2$d, %3$d) g""".formatted(PROFILES, from, to));
            }
            for (String index : indexes) {
                step(s, "index: " + index.substring(0, Math.min(60, index.length())), index);
            }
            step(s, "summary: channels", """
                    INSERT INTO profile_channel (profile_id, channel, last_seen)
                    SELECT 'bench-p-' || g, c, now() - (g %% 86400) * interval '1 second'
                    FROM generate_series(1, %d) g, unnest(ARRAY['web','app','email']) c""".formatted(PROFILES));
            step(s, "summary: interests", """
                    INSERT INTO profile_interest (profile_id, kind, value, count, last_at)
                    SELECT 'bench-p-' || g, k, k || '-' || (g %% 40), 1 + g %% 7, now() - (g %% 86400) * interval '1 second'
                    FROM generate_series(1, %d) g, unnest(ARRAY['product','category']) k""".formatted(PROFILES));
            step(s, "summary: orders", """
                    INSERT INTO profile_order (order_id, profile_id, product_ids, amount, currency, placed_at, status,
                                               status_at, source_event_id)
                    SELECT 'bench-o-' || g, 'bench-p-' || g, ARRAY['product-' || (g %% 5000)], 1000 + g %% 9000, 'RUB',
                           now() - interval '10 days', (ARRAY['pending','shipped','completed'])[g %% 3 + 1], now(),
                           'bench-e-' || g
                    FROM generate_series(1, %d, 4) g""".formatted(PROFILES));
            step(s, "analyze", "ANALYZE");
        }
        System.out.printf("loaded in %.0f s%n", (System.nanoTime() - started) / 1e9);
    }

    private static void step(Statement s, String what, String sql) throws SQLException {
        long t0 = System.nanoTime();
        s.execute(sql);
        System.out.printf("  %-50s %6.1f s%n", what, (System.nanoTime() - t0) / 1e9);
    }

    // ------------------------------------------------------------------------------------------------- intake ---

    /** One request of intake: its JSON body and the same rows for the plain INSERT. */
    record Batch(String body, List<Object[]> rows) {
    }

    static List<Batch> batches(int count, Random random) {
        String run = UUID.randomUUID().toString().substring(0, 8);
        Instant now = Instant.now();
        List<Batch> out = new ArrayList<>(count);
        String[] types = { "product_viewed", "product_viewed", "product_viewed", "page_viewed", "cart_updated",
                "logged_in", "order_placed" };
        for (int b = 0; b < count; b++) {
            ObjectNode root = Bench.JSON.createObjectNode();
            ArrayNode events = root.putArray("events");
            List<Object[]> rows = new ArrayList<>(BATCH);
            for (int i = 0; i < BATCH; i++) {
                ObjectNode e = events.addObject();
                String id = "intake-" + run + "-" + b + "-" + i;
                String type = types[random.nextInt(types.length)];
                Instant at = now.minusSeconds(random.nextInt(86400));
                e.put("id", id).put("type", type).put("channel", random.nextBoolean() ? "web" : "app")
                        .put("occurredAt", at.toString());
                // a visitor is one person: the same cookie always comes with the same phone or email, if any
                int visitor = random.nextInt(100_000);
                ObjectNode ids = e.putObject("identifiers");
                ids.put("anonymousId", "visitor-" + run + "-" + visitor);
                if (visitor % 4 == 0 && random.nextInt(3) == 0) {
                    ids.put("phone", phone(1 + (visitor * 7L) % PROFILES));
                } else if (visitor % 4 == 1 && random.nextInt(3) == 0) {
                    ids.put("email", "new-" + run + "-" + visitor + "@example.com");
                }
                ObjectNode props = e.putObject("properties");
                props.put("productId", "product-" + random.nextInt(5000)).put("category", "category-" + random.nextInt(40));
                if (type.equals("order_placed")) {
                    props.put("orderId", "order-" + id).put("amount", 500 + random.nextInt(10_000)).put("currency", "RUB");
                    props.putArray("productIds").add("product-" + random.nextInt(5000));
                }
                if (random.nextInt(10) == 0) {
                    e.putObject("traits").put("firstName", "Имя " + random.nextInt(1000)).put("locale", "ru");
                }
                rows.add(new Object[] { id, "bench-p-" + (1 + random.nextInt(PROFILES)), type,
                        e.get("channel").asText(), Timestamp.from(at), Timestamp.from(now), ids.toString(),
                        e.has("traits") ? e.get("traits").toString() : null, props.toString() });
            }
            out.add(new Batch(root.toString(), rows));
        }
        return out;
    }

    static void intake(Connection db) throws Exception {
        int count = (int) (INTAKE_TIME.toSeconds() * 8000 / BATCH) + 40;
        System.out.printf("preparing %,d batches of %d events%n", count, BATCH);
        List<Batch> batches = batches(count, new Random(7));
        String token = Bench.token("integrator");

        // warm the service up (JIT, pools) with batches that are not measured
        send(batches.subList(0, 20), token, Duration.ofSeconds(60), new ConcurrentHistogram(3));
        List<Batch> measured = batches.subList(20, batches.size());

        ConcurrentHistogram latency = new ConcurrentHistogram(3);
        Map<String, Double> cpu0 = Cpu.snapshot(SERVICE_JAR);
        long t0 = System.nanoTime();
        long events = send(measured, token, INTAKE_TIME, latency);
        double seconds = (System.nanoTime() - t0) / 1e9;
        Map<String, Double> cpu1 = Cpu.snapshot(SERVICE_JAR);
        double rate = events / seconds;

        // the baseline: the same rows, the same concurrency, a plain multi-row INSERT into a table of the same shape
        try (Statement s = db.createStatement()) {
            s.execute("DROP TABLE IF EXISTS bench_plain_event");
            s.execute("CREATE TABLE bench_plain_event (LIKE event INCLUDING ALL)");
        }
        long b0 = System.nanoTime();
        long rows = insertPlain(measured, INTAKE_TIME);
        double baselineSeconds = (System.nanoTime() - b0) / 1e9;
        double baseline = rows / baselineSeconds;
        Map<String, Double> cpu2 = Cpu.snapshot(SERVICE_JAR);

        REPORT.append("""
                ### Event intake (REST, batches of %d, %d concurrent senders)

                | | events/s | batch p50 | batch p99 | events |
                |---|---|---|---|---|
                | `POST /api/v1/events` (identity, outbox, summary) | **%,.0f** | %,.0f ms | %,.0f ms | %,d in %.0f s |
                | plain multi-row `INSERT` of the same rows (JDBC, same table shape) | %,.0f | | | %,d in %.0f s |

                Ratio intake / plain INSERT: **%.2f** (%.1f× slower). CPU during intake: %s. CPU during the plain INSERT:
                %s.

                """.formatted(BATCH, SENDERS, rate, latency.getValueAtPercentile(50) / 1000.0,
                latency.getValueAtPercentile(99) / 1000.0, events, seconds, baseline, rows, baselineSeconds,
                rate / baseline, baseline / rate, Cpu.between(cpu0, cpu1, seconds),
                Cpu.between(cpu1, cpu2, baselineSeconds)));
    }

    private static long send(List<Batch> batches, String token, Duration limit, Histogram latency) throws Exception {
        ConcurrentLinkedQueue<Batch> queue = new ConcurrentLinkedQueue<>(batches);
        AtomicLong accepted = new AtomicLong();
        AtomicInteger failures = new AtomicInteger();
        long deadline = System.nanoTime() + limit.toNanos();
        ExecutorService pool = Executors.newFixedThreadPool(SENDERS);
        List<Future<?>> done = new ArrayList<>();
        for (int i = 0; i < SENDERS; i++) {
            done.add(pool.submit(() -> {
                Batch b;
                while (System.nanoTime() < deadline && (b = queue.poll()) != null) {
                    long t = System.nanoTime();
                    HttpResponse<String> r = Bench.HTTP.send(HttpRequest.newBuilder(URI.create(URL + "/api/v1/events"))
                            .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                            .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(b.body())).build(),
                            HttpResponse.BodyHandlers.ofString());
                    latency.recordValue((System.nanoTime() - t) / 1000);
                    if (r.statusCode() == 202) {
                        accepted.addAndGet(Bench.JSON.readTree(r.body()).get("accepted").size());
                    } else if (failures.incrementAndGet() < 5) {
                        System.err.println("intake answered " + r.statusCode() + ": " + r.body());
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
        if (failures.get() > 0) {
            throw new IllegalStateException(failures.get() + " batches failed");
        }
        return accepted.get();
    }

    private static long insertPlain(List<Batch> batches, Duration limit) throws Exception {
        ConcurrentLinkedQueue<Batch> queue = new ConcurrentLinkedQueue<>(batches);
        AtomicLong inserted = new AtomicLong();
        long deadline = System.nanoTime() + limit.toNanos();
        StringBuilder sql = new StringBuilder("INSERT INTO bench_plain_event (id, profile_id, type, channel, occurred_at, "
                + "received_at, identifiers, traits, properties) VALUES ");
        for (int i = 0; i < BATCH; i++) {
            sql.append(i == 0 ? "" : ",").append("(?,?,?,?,?,?,?::jsonb,?::jsonb,?::jsonb)");
        }
        ExecutorService pool = Executors.newFixedThreadPool(SENDERS);
        List<Future<?>> done = new ArrayList<>();
        for (int s = 0; s < SENDERS; s++) {
            done.add(pool.submit(() -> {
                try (Connection c = DriverManager.getConnection(Bench.jdbc(DB));
                        PreparedStatement insert = c.prepareStatement(sql.toString())) {
                    Batch b;
                    while (System.nanoTime() < deadline && (b = queue.poll()) != null) {
                        int p = 1;
                        for (Object[] row : b.rows()) {
                            for (Object v : row) {
                                insert.setObject(p++, v);
                            }
                        }
                        inserted.addAndGet(insert.executeUpdate());
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
        return inserted.get();
    }

    // ------------------------------------------------------------------------------------------------- lookup ---

    static void lookup() throws Exception {
        String token = Bench.token("integrator");
        Random random = new Random(11);
        ConcurrentHistogram warm = new ConcurrentHistogram(3);
        fixedRate(token, random, LOOKUP_RATE, Duration.ofSeconds(10), warm);
        ConcurrentHistogram latency = new ConcurrentHistogram(3);
        Map<String, Double> cpu0 = Cpu.snapshot(SERVICE_JAR);
        long t0 = System.nanoTime();
        long[] outcome = fixedRate(token, random, LOOKUP_RATE, INTAKE_TIME, latency);
        double seconds = (System.nanoTime() - t0) / 1e9;
        Map<String, Double> cpu1 = Cpu.snapshot(SERVICE_JAR);
        REPORT.append("""
                ### Look-up by phone (`GET /api/v1/profiles?phone=8 (916) …`, open loop at %d requests/s for %.0f s)

                | requests | errors | p50 | p90 | p99 | p99.9 | max |
                |---|---|---|---|---|---|---|
                | %,d | %d | %.2f ms | %.2f ms | **%.2f ms** | %.2f ms | %.2f ms |

                Latency is measured from each request's scheduled start, so a stall counts for every request it delays.
                CPU: %s.

                """.formatted(LOOKUP_RATE, seconds, outcome[0], outcome[1], latency.getValueAtPercentile(50) / 1000.0,
                latency.getValueAtPercentile(90) / 1000.0, latency.getValueAtPercentile(99) / 1000.0,
                latency.getValueAtPercentile(99.9) / 1000.0, latency.getMaxValue() / 1000.0,
                Cpu.between(cpu0, cpu1, seconds)));
    }

    /** Sends look-ups at a fixed rate (open loop); answers {requests, errors}. */
    private static long[] fixedRate(String token, Random random, int rate, Duration duration, Histogram latency)
            throws Exception {
        URI base = URI.create(URL);
        long total = duration.toSeconds() * rate;
        long errors = FixedRate.run(base.getHost(), base.getPort(), FixedRate.HTTP, 32, rate, total, i -> {
            long n = 1 + random.nextInt(PROFILES);
            String digits = String.format("%07d", n);
            String typed = "8 (916) " + digits.substring(0, 3) + "-" + digits.substring(3, 5) + "-" + digits.substring(5);
            return FixedRate.get(base.getHost(), base.getPort(), "/api/v1/profiles?phone="
                    + URLEncoder.encode(typed, StandardCharsets.UTF_8), token);
        }, latency);
        return new long[] { total, errors };
    }
}
