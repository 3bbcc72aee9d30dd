package dev.rapport.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.rapport.proto.common.v1.Channel;
import dev.rapport.proto.common.v1.Purpose;
import dev.rapport.proto.suppression.v1.DecideBatchRequest;
import dev.rapport.proto.suppression.v1.DecideBatchResponse;
import dev.rapport.proto.suppression.v1.DecideRequest;
import dev.rapport.proto.suppression.v1.SuppressionServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.MetadataUtils;

/**
 * suppression-service benchmarks (issue 4): committed decisions through {@code DecideBatch} with 1 million people
 * holding state, single REST decisions at a fixed rate, raw Redis ({@code redis-benchmark}) on the same server, and the
 * time from a {@code ticket_opened} posted to profile-service to marketing being denied.
 *
 * Phases (arguments): {@code prepare} (before the services start: empties the bench's Redis database), then
 * {@code load single batch redis latency}; the five by default, in this order.
 */
public final class SuppressionBench {

    static final String DB = Bench.env("RAPPORT_BENCH_SUPPRESSION_DB", "rapport_suppression_bench");
    static final String URL = Bench.env("RAPPORT_BENCH_SUPPRESSION_URL", "http://localhost:18183");
    static final String PROFILE_URL = Bench.env("RAPPORT_BENCH_PROFILE_URL", "http://localhost:18181");
    static final int PROFILES = Integer.parseInt(Bench.env("RAPPORT_BENCH_PROFILES", "1000000"));
    static final Duration TIME = Duration.ofSeconds(Long.parseLong(Bench.env("RAPPORT_BENCH_SECONDS", "60")));
    static final int STREAMS = Integer.parseInt(Bench.env("RAPPORT_BENCH_STREAMS", "4"));
    static final int WINDOW = Integer.parseInt(Bench.env("RAPPORT_BENCH_WINDOW", "2000"));
    static final int SINGLE_RATE = Integer.parseInt(Bench.env("RAPPORT_BENCH_DECISION_RATE", "1000"));
    static final int LATENCY_SAMPLES = Integer.parseInt(Bench.env("RAPPORT_BENCH_LATENCY_SAMPLES", "300"));
    static final String REDIS_DB = Bench.env("RAPPORT_BENCH_REDIS_DB", "3");
    /** The Redis the services use (`make bench` sets it): the one emptied, compared with and taken as the baseline. */
    static final URI REDIS = URI.create(Bench.env("RAPPORT_REDIS_URL", "redis://127.0.0.1:6379"));
    static final int REDIS_PORT = REDIS.getPort() < 0 ? 6379 : REDIS.getPort();
    static final Duration WARM_UP = Duration.ofSeconds(Long.parseLong(Bench.env("RAPPORT_BENCH_WARM_UP_SECONDS", "60")));
    static final String SERVICE_JAR = "suppression-service/target/quarkus-app/quarkus-run.jar";

    private static final StringBuilder REPORT = new StringBuilder();

    public static void main(String[] args) throws Exception {
        List<String> phases = args.length == 0 ? List.of("load", "single", "batch", "redis", "latency")
                : Arrays.asList(args);
        if (phases.equals(List.of("prepare"))) {
            prepare();
            return;
        }
        REPORT.append("## suppression-service\n\nMachine: ").append(Bench.machine()).append("  \nRun: ")
                .append(Instant.now().truncatedTo(ChronoUnit.SECONDS)).append("\n\n");
        double decisionsPerSecond = 0;
        try (Connection db = DriverManager.getConnection(Bench.jdbc(DB))) {
            if (phases.contains("load")) {
                load(db);
            }
            // the audit of earlier runs is of no use to this one
            try (Statement st = db.createStatement()) {
                st.execute("TRUNCATE decision_audit");
            }
            REPORT.append(("Data: %,d people with state (%,d addresses, %,d consents, %,d tickets, %,d orders, %,d "
                    + "declines). %s\n\n").formatted(Bench.estimate(db, "subject"), Bench.estimate(db, "address"),
                            Bench.estimate(db, "consent"), Bench.estimate(db, "ticket"), Bench.estimate(db, "purchase"),
                            Bench.estimate(db, "decline"), warm(db)));
        }
        setPolicy();
        // single decisions first: right after the batch phase, autovacuum of the audit it wrote would be measured too
        if (phases.contains("single")) {
            single();
        }
        if (phases.contains("batch")) {
            decisionsPerSecond = batch();
        }
        if (phases.contains("redis")) {
            redis(decisionsPerSecond);
        }
        if (phases.contains("latency")) {
            latency();
        }
        Bench.report(Path.of("bench/target/suppression-bench.md"), REPORT.toString());
    }

    // ------------------------------------------------------------------------------------------------ data set ---

    /** Before the services start: the bench's Redis database holds no stream backlog and no counters of a past run. */
    static void prepare() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("redis-cli", "-h", REDIS.getHost(), "-p", Integer.toString(REDIS_PORT),
                "-n", REDIS_DB, "FLUSHDB").inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("redis-cli FLUSHDB failed");
        }
        System.out.println("emptied Redis database " + REDIS_DB + " of the benchmarks");
    }

    static void load(Connection db) throws SQLException {
        long have = Long.parseLong(Bench.one(db, "SELECT count(*) FROM subject WHERE profile_id LIKE 'bench-p-%'"));
        if (have >= PROFILES) {
            System.out.printf("data set present: %,d bench people%n", have);
            return;
        }
        long started = System.nanoTime();
        try (Statement s = db.createStatement()) {
            s.execute("SET synchronous_commit = off");
            s.execute("TRUNCATE subject, address, address_kind_status, purchase, decline, ticket, consent, "
                    + "consent_history, do_not_contact, decision_audit");
            step(s, "subjects", """
                    INSERT INTO subject (profile_id, first_seen, updated_at, timezone, timezone_at)
                    SELECT 'bench-p-' || g, now() - interval '400 days', now(), 'Europe/Moscow', now() - interval '1 day'
                    FROM generate_series(1, %d) g""".formatted(PROFILES));
            step(s, "addresses", """
                    INSERT INTO address (profile_id, kind, value, seen_at)
                    SELECT 'bench-p-' || g, 'phone', '+7916' || lpad(g::text, 7, '0'), now() - interval '400 days'
                    FROM generate_series(1, %1$d) g
                    UNION ALL
                    SELECT 'bench-p-' || g, 'email', 'person' || g || '@example.com', now() - interval '400 days'
                    FROM generate_series(1, %1$d) g""".formatted(PROFILES));
            step(s, "consents (9 in 10 opted in)", """
                    INSERT INTO consent (profile_id, channel, topic, status, source, at, event_id)
                    SELECT 'bench-p-' || g, 'all', '', 'opted_in', 'bench', now() - interval '100 days', 'bench-c-' || g
                    FROM generate_series(1, %d) g WHERE g %% 10 <> 0""".formatted(PROFILES));
            step(s, "open tickets (1 in 50)", """
                    INSERT INTO ticket (profile_id, ticket_id, opened_at, opened_event_id)
                    SELECT 'bench-p-' || g, 'T-' || g, now() - interval '1 day', 'bench-t-' || g
                    FROM generate_series(50, %d, 50) g""".formatted(PROFILES));
            step(s, "orders (1 in 4)", """
                    INSERT INTO purchase (profile_id, order_id, product_ids, categories, placed_at, placed_event_id,
                                          status, status_at)
                    SELECT 'bench-p-' || g, 'O-' || g, ARRAY['product-' || (g %% 5000)], ARRAY['category-' || (g %% 40)],
                           now() - (g %% 40) * interval '1 day', 'bench-o-' || g, 'pending', now()
                    FROM generate_series(1, %d, 4) g""".formatted(PROFILES));
            step(s, "declines (1 in 20)", """
                    INSERT INTO decline (profile_id, kind, value, declined_at, declined_event_id)
                    SELECT 'bench-p-' || g, 'category', 'category-' || (g %% 40), now() - (g %% 60) * interval '1 day',
                           'bench-d-' || g
                    FROM generate_series(3, %d, 20) g""".formatted(PROFILES));
            step(s, "analyze", "ANALYZE");
            // what the service keeps on each subject row for its decisions (as its migration V3 and its writers do)
            step(s, "subjects' decision columns",
                    "SELECT refresh_decision_columns(ARRAY(SELECT profile_id FROM subject))");
            step(s, "vacuum analyze", "VACUUM ANALYZE subject");
        }
        System.out.printf("loaded in %.0f s%n", (System.nanoTime() - started) / 1e9);
    }

    /**
     * Reads the state into PostgreSQL's buffers (pg_prewarm), as on a server that has been running: `make bench` starts
     * its PostgreSQL afresh each time, and a cold buffer pool would be measured as the service's latency. Says what it
     * did, for the report.
     */
    static String warm(Connection db) {
        try (Statement s = db.createStatement()) {
            s.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm");
            long t0 = System.nanoTime();
            long blocks = Long.parseLong(Bench.one(db, """
                    SELECT sum(pg_prewarm(c.oid)) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'i')
                      AND c.relname NOT LIKE 'decision_audit%'"""));
            System.out.printf("state read into PostgreSQL's buffers: %,d blocks in %.1f s%n", blocks,
                    (System.nanoTime() - t0) / 1e9);
            return "The state (%,d MB) was read into PostgreSQL's buffers first (`pg_prewarm`).".formatted(
                    blocks * 8 / 1024);
        } catch (SQLException e) {
            System.out.println("state not read into PostgreSQL's buffers first: " + e.getMessage());
            return "The state was not read into PostgreSQL's buffers first (`pg_prewarm`: " + e.getMessage().strip()
                    + "): the first reads of each person are measured from a cold buffer pool.";
        }
    }

    private static void step(Statement s, String what, String sql) throws SQLException {
        long t0 = System.nanoTime();
        s.execute(sql);
        System.out.printf("  %-50s %6.1f s%n", what, (System.nanoTime() - t0) / 1e9);
    }

    /** The shipped default policy with quiet hours off, so results do not depend on the hour of the run. */
    static void setPolicy() throws Exception {
        String policy = """
                {"caps":[{"channel":null,"limit":1,"days":1},{"channel":null,"limit":3,"days":7},
                         {"channel":"sms","limit":2,"days":7}],
                 "quietHours":{"start":"21:00","end":"09:00","channels":[]},
                 "purchasedPeriod":"P30D","declinedPeriod":"P30D","ticketGracePeriod":"PT24H",
                 "defaultTimezone":"Europe/Moscow","consentRequired":true}""";
        HttpResponse<String> r = Bench.HTTP.send(HttpRequest.newBuilder(URI.create(URL + "/api/v1/policy"))
                .header("Authorization", "Bearer " + Bench.token("marketer")).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(policy)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("policy refused: " + r.body());
        }
    }

    // ---------------------------------------------------------------------------------------------- DecideBatch ---

    static DecideRequest randomRequest(Random random, boolean commit) {
        int n = 1 + random.nextInt(PROFILES);
        return DecideRequest.newBuilder().setProfileId("bench-p-" + n)
                .setChannel(random.nextInt(10) < 7 ? Channel.CHANNEL_EMAIL : Channel.CHANNEL_SMS)
                .setPurpose(Purpose.PURPOSE_MARKETING).setCampaignId("bench-campaign")
                .addProductIds("product-" + random.nextInt(5000)).addCategories("category-" + random.nextInt(40))
                .setCommit(commit).build();
    }

    /** Committed decisions over {@value #STREAMS} streams for the run's time; answers decisions per second. */
    static double batch() throws Exception {
        URI uri = URI.create(URL);
        // callbacks run on the transport threads: no hand-off per answer, so the generator costs less of the machine
        ManagedChannel channel = NettyChannelBuilder.forAddress(uri.getHost(), uri.getPort()).usePlaintext()
                .directExecutor().maxInboundMessageSize(16 << 20).build();
        Metadata auth = new Metadata();
        auth.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER),
                "Bearer " + Bench.serviceToken("campaign-service"));
        SuppressionServiceGrpc.SuppressionServiceStub stub = SuppressionServiceGrpc.newStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(auth));
        try {
            // warm-up: decisions without commit, so the campaign below meets untouched counters
            run(stub, campaign(false, 300_000), Duration.ofSeconds(15), new AtomicLong(), new AtomicLong());
            DecideBatchRequest[] pool = campaign(true, PROFILES);
            AtomicLong answered = new AtomicLong();
            AtomicLong allowed = new AtomicLong();
            Map<String, Double> cpu0 = Cpu.snapshot(SERVICE_JAR);
            long t0 = System.nanoTime();
            run(stub, pool, TIME, answered, allowed);
            double seconds = (System.nanoTime() - t0) / 1e9;
            Map<String, Double> cpu1 = Cpu.snapshot(SERVICE_JAR);
            double rate = answered.get() / seconds;
            REPORT.append("""
                    ### Committed decisions through `DecideBatch` (%d streams, %d in flight each)

                    | decisions/s | decisions | allowed (took a place) | denied or deferred |
                    |---|---|---|---|
                    | **%,.0f** | %,d in %.0f s | %,d | %,d |

                    A campaign to every one of the %,d people once (at most %d s): each request is a marketing message
                    (email 70 %%, SMS 30 %%) with a product and a category, with `commit`, so each is audited and each
                    allow takes a place under the caps in Redis. CPU: %s.

                    """.formatted(STREAMS, WINDOW, rate, answered.get(), seconds, allowed.get(),
                    answered.get() - allowed.get(), PROFILES, TIME.toSeconds(), Cpu.between(cpu0, cpu1, seconds)));
            return rate;
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /**
     * A campaign: every person once (in an order that spreads them), as fan-out sends them; built when the batch phase
     * starts, so the single-decision phase runs beside a small heap, and before it is measured, so the load generator
     * spends its CPU on sending, not on building.
     */
    private static DecideBatchRequest[] campaign(boolean commit, int size) {
        Random random = new Random(29);
        DecideBatchRequest[] out = new DecideBatchRequest[size];
        for (int i = 0; i < size; i++) {
            long person = 1 + (i * 7919L) % PROFILES; // 7919 is prime to 10^6: each person once
            DecideRequest r = randomRequest(random, commit).toBuilder().setProfileId("bench-p-" + person).build();
            out[i] = DecideBatchRequest.newBuilder().setCorrelationId(Integer.toString(i)).setRequest(r).build();
        }
        return out;
    }

    /** Sends the pool over {@value #STREAMS} streams until it is all answered or the time is up. */
    private static void run(SuppressionServiceGrpc.SuppressionServiceStub stub, DecideBatchRequest[] pool,
            Duration time, AtomicLong answered, AtomicLong allowed) throws InterruptedException {
        long deadline = System.nanoTime() + time.toNanos();
        CountDownLatch done = new CountDownLatch(STREAMS);
        AtomicInteger next = new AtomicInteger();
        for (int s = 0; s < STREAMS; s++) {
            Semaphore window = new Semaphore(WINDOW);
            ClientResponseObserver<DecideBatchRequest, DecideBatchResponse> observer = new ClientResponseObserver<>() {
                ClientCallStreamObserver<DecideBatchRequest> requests;

                @Override
                public void beforeStart(ClientCallStreamObserver<DecideBatchRequest> stream) {
                    requests = stream;
                    stream.setOnReadyHandler(this::send);
                }

                private boolean completed;

                private synchronized void send() {
                    boolean more = true;
                    while (requests.isReady() && window.tryAcquire()) {
                        int i = next.getAndIncrement();
                        if (i >= pool.length || System.nanoTime() >= deadline) {
                            window.release();
                            more = false;
                            break;
                        }
                        requests.onNext(pool[i]);
                    }
                    if (!more && !completed && window.availablePermits() == WINDOW) {
                        completed = true;
                        requests.onCompleted();
                    }
                }

                @Override
                public void onNext(DecideBatchResponse r) {
                    answered.incrementAndGet();
                    if (r.getResponse().getDecisionValue() == 1) {
                        allowed.incrementAndGet();
                    }
                    window.release();
                    send();
                }

                @Override
                public void onError(Throwable t) {
                    System.err.println("DecideBatch failed: " + t);
                    done.countDown();
                }

                @Override
                public void onCompleted() {
                    done.countDown();
                }
            };
            stub.decideBatch(observer);
        }
        if (!done.await(time.toSeconds() + 60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("DecideBatch streams did not end");
        }
    }

    // -------------------------------------------------------------------------------------------------- single ---

    static void single() throws Exception {
        String token = Bench.token("integrator");
        URI base = URI.create(URL);
        Random random = new Random(17);
        Slices decisions = new Slices(SINGLE_RATE, () -> Cpu.snapshot(SERVICE_JAR), List.of());
        Slices caller = new Slices(SINGLE_RATE, () -> Cpu.snapshot(SERVICE_JAR), List.of());
        Slices floor = new Slices(SINGLE_RATE, () -> Cpu.snapshot(SERVICE_JAR), List.of());
        // one pool of keep-alive connections each, as a client keeps them: the slices below take turns over the same
        // connections. Opening 32 new ones at every slice, under load, slowed the first 100-200 ms of each slice (up to
        // 20 ms on the service's side), which a client with a connection pool does not meet.
        try (FixedRate.Connections service = new FixedRate.Connections(base.getHost(), base.getPort(), 32);
                FixedRate.Connections redis = new FixedRate.Connections(REDIS.getHost(), REDIS_PORT, 32)) {
            // warm-up: on 2 cores the JIT compiles for tens of seconds after a start (C2 was still busy 40 s into the
            // load on an AMD EPYC machine), and would be measured too
            FixedRate.run(service, FixedRate.HTTP, SINGLE_RATE, WARM_UP.toSeconds() * SINGLE_RATE,
                    i -> decision(base, token, random), new ConcurrentHistogram(3));
            // two floors of this machine at this moment, from the same generator at the same rate: Redis alone, a
            // server written in C that answers a GET in microseconds, whose tail is the machine's (scheduling, the
            // hypervisor waking an idle virtual CPU); and `GET /api/v1/me` on the same service, the same HTTP stack and
            // token check as a decision without its state, its counters or its rules. The three alternate in slices of
            // 10 s, so that all meet the same neighbours on the host.
            byte[] me = FixedRate.get(base.getHost(), base.getPort(), "/api/v1/me", token);
            long slice = 10L * SINGLE_RATE;
            for (long done = 0; done < TIME.toSeconds() * SINGLE_RATE; done += slice) {
                decisions.run(service, FixedRate.HTTP, slice, i -> decision(base, token, random));
                caller.run(service, FixedRate.HTTP, slice, i -> me);
                floor.run(redis, FixedRate.REDIS, slice,
                        i -> FixedRate.command("GET", "rapport:bench:baseline:" + random.nextInt(PROFILES)));
            }
        }
        REPORT.append("""
                ### One decision per request (`POST /api/v1/decisions`, open loop at %,d requests/s for %.0f s, \
                and two baselines)

                | | requests | errors | p50 | p90 | p99 | p99.9 | max |
                |---|---|---|---|---|---|---|---|
                %s
                %s
                %s

                Marketing by email or SMS with a product and a category, for a random person, without commit, over 32
                keep-alive connections kept for the whole phase, after a warm-up of %d s. Latency is measured from each
                request's scheduled start. The baselines come from the same generator at the same rate over as many
                connections: `GET /api/v1/me` on the same service (HTTP, the token check and a JSON answer, no state)
                and a `GET` of the same Redis; the three alternate in slices of 10 s. CPU during the decisions: %s.
                During `/api/v1/me`: %s. During the Redis `GET`: %s.

                """.formatted(SINGLE_RATE, decisions.seconds, decisions.row("decisions"),
                caller.row("baseline: `GET /api/v1/me`, same service"), floor.row("baseline: Redis `GET`"),
                WARM_UP.toSeconds(), decisions.cpu(), caller.cpu(), floor.cpu()));
    }

    private static byte[] decision(URI base, String token, Random random) {
        DecideRequest r = randomRequest(random, false);
        String json = """
                {"profileId":"%s","channel":"%s","purpose":"marketing","campaignId":"bench","productIds":["%s"],\
                "categories":["%s"]}""".formatted(r.getProfileId(), r.getChannel() == Channel.CHANNEL_EMAIL ? "email"
                : "sms", r.getProductIds(0), r.getCategories(0));
        return FixedRate.post(base.getHost(), base.getPort(), "/api/v1/decisions", token, json);
    }

    private static double ms(Histogram h, double percentile) {
        return Slices.ms(h, percentile);
    }

    // --------------------------------------------------------------------------------------------------- redis ---

    /** redis-benchmark on the same server, for the ratio of decisions to raw Redis operations. */
    static void redis(double decisionsPerSecond) throws Exception {
        Map<String, Double> plain = redisBenchmark("1");
        Map<String, Double> pipelined = redisBenchmark("16");
        StringBuilder rows = new StringBuilder();
        for (String test : plain.keySet()) {
            rows.append("| %s | %,.0f | %,.0f | %.2f | %.3f |\n".formatted(test, plain.get(test),
                    pipelined.getOrDefault(test, 0.0), decisionsPerSecond / plain.get(test),
                    decisionsPerSecond / pipelined.getOrDefault(test, Double.NaN)));
        }
        REPORT.append("""
                ### Raw Redis on the same server (`redis-benchmark -c 50 -n 200000`)

                | command | ops/s | ops/s pipelined (-P 16) | decisions / ops | decisions / pipelined ops |
                |---|---|---|---|---|
                %s
                Decisions/s from the `DecideBatch` run above: %,.0f. A committed marketing decision costs one Redis
                round trip per chunk of up to 500 decisions, and one Lua script per person (an `HMGET` of the cap
                windows, two `HINCRBY`, one `EXPIRE`).

                """.formatted(rows, decisionsPerSecond));
    }

    private static Map<String, Double> redisBenchmark(String pipeline) throws Exception {
        Process p = new ProcessBuilder("redis-benchmark", "-h", REDIS.getHost(), "-p",
                Integer.toString(REDIS_PORT), "--dbnum", REDIS_DB, "-c", "50", "-n", "200000", "-P", pipeline, "-t",
                "get,set,hset", "-q", "--csv").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("redis-benchmark failed: " + out);
        }
        Map<String, Double> rates = new java.util.LinkedHashMap<>();
        for (String line : out.split("\n")) {
            String[] f = line.replace("\"", "").split(",");
            if (f.length >= 2 && !f[0].equals("test")) {
                try {
                    rates.put(f[0].split(" ")[0], Double.parseDouble(f[1]));
                } catch (NumberFormatException ignored) {
                    // a header or a progress line
                }
            }
        }
        return rates;
    }

    // ------------------------------------------------------------------------------------------------- latency ---

    /**
     * A {@code ticket_opened} is posted to profile-service (identified by phone, as a desk would) and the person's
     * marketing decisions are polled until they are denied for it: the time covers intake, the outbox relay, the
     * stream, the consumer and the decision.
     */
    static void latency() throws Exception {
        String integrator = Bench.token("integrator");
        Histogram h = new Histogram(3);
        Random random = new Random(23);
        int timeouts = 0;
        for (int i = 0; i < LATENCY_SAMPLES; i++) {
            int n = 1 + random.nextInt(PROFILES);
            if (n % 50 == 0 || n % 10 == 0) {
                n--; // a person without a ticket, opted in
            }
            String id = "bench-ticket-" + Instant.now().toEpochMilli() + "-" + i;
            ObjectNode event = Bench.JSON.createObjectNode().put("id", id).put("type", "ticket_opened")
                    .put("channel", "service_desk").put("occurredAt", Instant.now().toString());
            event.putObject("identifiers").put("phone", ProfileBench.phone(n));
            event.putObject("properties").put("ticketId", id);
            long t0 = System.nanoTime();
            HttpResponse<String> posted = Bench.HTTP.send(HttpRequest.newBuilder(URI.create(PROFILE_URL
                    + "/api/v1/events")).header("Authorization", "Bearer " + integrator)
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                            event.toString())).build(), HttpResponse.BodyHandlers.ofString());
            if (posted.statusCode() != 202) {
                throw new IllegalStateException("intake answered " + posted.statusCode() + ": " + posted.body());
            }
            String profile = Bench.JSON.readTree(posted.body()).at("/accepted/0/profileId").asText();
            String body = "{\"profileId\":\"" + profile + "\",\"channel\":\"email\",\"purpose\":\"marketing\"}";
            boolean denied = false;
            while (!denied && System.nanoTime() - t0 < Duration.ofSeconds(10).toNanos()) {
                HttpResponse<String> d = Bench.HTTP.send(HttpRequest.newBuilder(URI.create(URL + "/api/v1/decisions"))
                        .header("Authorization", "Bearer " + integrator).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                JsonNode reasons = Bench.JSON.readTree(d.body()).path("reasons");
                for (JsonNode r : reasons) {
                    denied |= "open_ticket".equals(r.path("rule").asText());
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
        REPORT.append("""
                ### From `ticket_opened` entering profile-service to marketing denied (%d samples, one at a time)

                | p50 | p90 | p99 | max | not denied within 10 s |
                |---|---|---|---|---|
                | %.0f ms | %.0f ms | **%.0f ms** | %.0f ms | %d |

                Each sample posts a `ticket_opened` (by phone) to `POST /api/v1/events` of profile-service and polls
                `POST /api/v1/decisions` (every 2 ms) until a reason `open_ticket` comes back: intake, outbox, relay,
                Redis stream, consumer group, state and decision.

                """.formatted(LATENCY_SAMPLES, ms(h, 50), ms(h, 90), ms(h, 99), h.getMaxValue() / 1000.0, timeouts));
    }
}
