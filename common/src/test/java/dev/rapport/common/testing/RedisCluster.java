package dev.rapport.common.testing;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * A real Redis Cluster of three masters on this machine, for the tests that prove Rapport works on one: three
 * {@code redis-server} processes in cluster mode, the 16,384 slots split between them, met with {@code CLUSTER MEET},
 * torn down after. The service under test is pointed at it ({@code quarkus.redis.client-type=cluster}). The binary is
 * {@code RAPPORT_REDIS_SERVER} (which {@code make test} sets) or {@code redis-server} on the PATH.
 */
public class RedisCluster implements QuarkusTestResourceLifecycleManager {

    /** A test profile whose Redis is such a cluster, started for the tests that use the profile. */
    public static class OnACluster implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(RedisCluster.class));
        }
    }

    private static final int NODES = 3;
    private static final int SLOTS = 16_384;

    private final List<Process> processes = new ArrayList<>();
    private final List<Integer> ports = new ArrayList<>();
    private Path dir;

    @Override
    public Map<String, String> start() {
        try {
            dir = Files.createTempDirectory("rapport-redis-cluster");
            String binary = binary();
            for (int i = 0; i < NODES; i++) {
                int port = freePort();
                ports.add(port);
                processes.add(new ProcessBuilder(binary, "--port", String.valueOf(port), "--bind", "127.0.0.1",
                        "--cluster-enabled", "yes", "--cluster-config-file", "nodes-" + port + ".conf",
                        "--cluster-node-timeout", "5000", "--dir", dir.toString(), "--save", "", "--appendonly", "no",
                        "--protected-mode", "no").redirectErrorStream(true)
                        .redirectOutput(dir.resolve("redis-" + port + ".log").toFile()).start());
            }
            for (int port : ports) {
                Await.until(() -> command(port, "PING").startsWith("+PONG"), "redis-server on " + port + " answers");
            }
            for (int i = 0; i < NODES; i++) {
                int from = i * SLOTS / NODES;
                int to = (i + 1) * SLOTS / NODES;
                List<String> args = new ArrayList<>(List.of("CLUSTER", "ADDSLOTS"));
                for (int slot = from; slot < to; slot++) {
                    args.add(String.valueOf(slot));
                }
                command(ports.get(i), args.toArray(String[]::new));
            }
            for (int i = 1; i < NODES; i++) {
                command(ports.get(0), "CLUSTER", "MEET", "127.0.0.1", String.valueOf(ports.get(i)));
            }
            for (int port : ports) {
                Await.until(() -> command(port, "CLUSTER", "INFO").contains("cluster_state:ok"),
                        "the cluster is up on " + port);
            }
        } catch (IOException e) {
            stop();
            throw new UncheckedIOException(e);
        }
        List<String> hosts = ports.stream().map(p -> "redis://127.0.0.1:" + p).toList();
        return Map.of("quarkus.redis.hosts", String.join(",", hosts), "quarkus.redis.client-type", "cluster");
    }

    @Override
    public void stop() {
        for (Process p : processes) {
            p.destroy();
        }
        for (Process p : processes) {
            try {
                if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        processes.clear();
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            } catch (IOException e) {
                // a temporary directory left behind
            }
        }
    }

    private static String binary() {
        String given = System.getenv("RAPPORT_REDIS_SERVER");
        if (given != null && !given.isBlank() && new File(given).canExecute()) {
            return given;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            File f = new File(dir, "redis-server");
            if (f.canExecute()) {
                return f.getPath();
            }
        }
        throw new IllegalStateException("No redis-server for the Redis Cluster tests: set RAPPORT_REDIS_SERVER or put "
                + "redis-server on the PATH (make test does)");
    }

    /** A port free for the node and for its cluster bus (the port + 10000). */
    private static int freePort() throws IOException {
        for (int attempt = 0; attempt < 100; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(20_000, 30_000);
            try (ServerSocket a = new ServerSocket(port); ServerSocket b = new ServerSocket(port + 10_000)) {
                return port;
            } catch (IOException taken) {
                // another one
            }
        }
        throw new IOException("no free port pair for a Redis Cluster node");
    }

    /** Sends one command and answers the reply as text (a bulk reply's content, else its first line). */
    static String command(int port, String... args) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.UTF_8));
            for (String a : args) {
                byte[] b = a.getBytes(StandardCharsets.UTF_8);
                out.writeBytes(("$" + b.length + "\r\n").getBytes(StandardCharsets.UTF_8));
                out.writeBytes(b);
                out.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
            }
            OutputStream o = s.getOutputStream();
            o.write(out.toByteArray());
            o.flush();
            InputStream in = s.getInputStream();
            String first = line(in);
            if (first.startsWith("$")) {
                int n = Integer.parseInt(first.substring(1));
                return n < 0 ? "" : new String(in.readNBytes(n + 2), StandardCharsets.UTF_8);
            }
            if (first.startsWith("-")) {
                throw new IllegalStateException("Redis on " + port + " answers " + first);
            }
            return first;
        } catch (IOException e) {
            return "-" + e.getMessage();
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int c = in.read(); c != -1 && c != '\n'; c = in.read()) {
            if (c != '\r') {
                b.append((char) c);
            }
        }
        return b.toString();
    }
}
