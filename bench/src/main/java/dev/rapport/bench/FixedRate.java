package dev.rapport.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;

import org.HdrHistogram.Histogram;

/**
 * An open-loop load generator that costs next to no CPU, for HTTP/1.1 and for Redis (RESP, the baseline of the same
 * machine): requests are scheduled at a fixed rate and taken by a pool of keep-alive connections, each on its own
 * thread; latency is measured from the scheduled start, so a stall counts for every request it delays (no coordinated
 * omission).
 */
final class FixedRate {

    /** Writes one request and reads its whole answer; answers 200 for success. */
    @FunctionalInterface
    interface Protocol {
        int exchange(OutputStream out, InputStream in, byte[] request) throws IOException;
    }

    /** HTTP/1.1 with keep-alive: the answer's status. */
    static final Protocol HTTP = FixedRate::http;

    /** Redis (RESP2): 200 for any answer but an error. */
    static final Protocol REDIS = FixedRate::redis;

    private record Task(long scheduled, byte[] request) {
    }

    private FixedRate() {
    }

    /**
     * @param host server host
     * @param port server port
     * @param protocol what the server speaks
     * @param connections keep-alive connections
     * @param rate requests per second
     * @param total requests to send
     * @param request the bytes of request number i (a complete HTTP/1.1 request, or a command of {@link #command})
     * @param latency where latencies go, in microseconds
     * @return the number of requests that did not succeed
     */
    static long run(String host, int port, Protocol protocol, int connections, int rate, long total,
            LongFunction<byte[]> request, Histogram latency) throws Exception {
        try (Connections pool = new Connections(host, port, connections)) {
            return run(pool, protocol, rate, total, request, latency);
        }
    }

    /**
     * Keep-alive connections that outlive one run, as a client's connection pool does: runs that take turns with
     * other load (slices) go on over the same connections instead of opening new ones each time.
     */
    static final class Connections implements AutoCloseable {
        private final String host;
        private final int port;
        private final Socket[] sockets;
        private final InputStream[] ins;

        Connections(String host, int port, int size) {
            this.host = host;
            this.port = port;
            this.sockets = new Socket[size];
            this.ins = new InputStream[size];
        }

        int size() {
            return sockets.length;
        }

        /** What connection c reads from; call after {@link #socket}. */
        private InputStream in(int c) {
            return ins[c];
        }

        /** Connection c, opened on first use or after a failure. */
        private Socket socket(int c) throws IOException {
            if (sockets[c] == null) {
                Socket socket = new Socket(host, port);
                socket.setTcpNoDelay(true);
                ins[c] = new BufferedInputStream(socket.getInputStream(), 65536);
                sockets[c] = socket;
            }
            return sockets[c];
        }

        private void drop(int c) {
            if (sockets[c] != null) {
                try {
                    sockets[c].close();
                } catch (IOException ignored) {
                    // closing a connection that failed
                }
                sockets[c] = null;
                ins[c] = null;
            }
        }

        @Override
        public void close() {
            for (int c = 0; c < sockets.length; c++) {
                drop(c);
            }
        }
    }

    /**
     * @param pool the connections, one worker thread each
     * @param protocol what the server speaks
     * @param rate requests per second
     * @param total requests to send
     * @param request the bytes of request number i (a complete HTTP/1.1 request, or a command of {@link #command})
     * @param latency where latencies go, in microseconds
     * @return the number of requests that did not succeed
     */
    static long run(Connections pool, Protocol protocol, int rate, long total, LongFunction<byte[]> request,
            Histogram latency) throws Exception {
        BlockingQueue<Task> queue = new ArrayBlockingQueue<>(100_000);
        AtomicLong errors = new AtomicLong();
        AtomicLong done = new AtomicLong();
        Thread[] workers = new Thread[pool.size()];
        for (int c = 0; c < workers.length; c++) {
            int connection = c;
            workers[c] = new Thread(() -> {
                try {
                    while (done.get() < total) {
                        Task task = queue.poll(100, TimeUnit.MILLISECONDS);
                        if (task == null) {
                            continue;
                        }
                        int status;
                        try {
                            Socket socket = pool.socket(connection);
                            status = protocol.exchange(socket.getOutputStream(), pool.in(connection), task.request());
                        } catch (IOException e) {
                            status = -1;
                            pool.drop(connection);
                        }
                        latency.recordValue(Math.max(1, (System.nanoTime() - task.scheduled()) / 1000));
                        if (status != 200) {
                            errors.incrementAndGet();
                        }
                        done.incrementAndGet();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "load-" + c);
            workers[c].start();
        }
        long interval = 1_000_000_000L / rate;
        long start = System.nanoTime();
        for (long i = 0; i < total; i++) {
            long scheduled = start + i * interval;
            long wait = scheduled - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            queue.put(new Task(scheduled, request.apply(i)));
        }
        for (Thread w : workers) {
            w.join();
        }
        return errors.get();
    }

    /**
     * A closed loop over the same connections, for what a server answers at a given concurrency (its throughput): each
     * connection sends its next request as soon as it has read the answer to the last, until the time is up. Latency
     * is each request's own, from its send to its answer: a closed loop sends less while the server stalls, so this is
     * the tail at that concurrency, not that of an open loop. Request number i is built on its connection's thread, so
     * {@code request} must be safe to call from several threads.
     *
     * @param pool the connections, one worker thread each
     * @param protocol what the server speaks
     * @param time how long to send
     * @param request the bytes of request number i
     * @param latency where latencies go, in microseconds
     * @return {requests, requests that did not succeed}
     */
    static long[] closed(Connections pool, Protocol protocol, Duration time, LongFunction<byte[]> request,
            Histogram latency) throws InterruptedException {
        AtomicLong next = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        long deadline = System.nanoTime() + time.toNanos();
        Thread[] workers = new Thread[pool.size()];
        for (int c = 0; c < workers.length; c++) {
            int connection = c;
            workers[c] = new Thread(() -> {
                while (System.nanoTime() < deadline) {
                    byte[] bytes = request.apply(next.getAndIncrement());
                    long sent = System.nanoTime();
                    int status;
                    try {
                        Socket socket = pool.socket(connection);
                        status = protocol.exchange(socket.getOutputStream(), pool.in(connection), bytes);
                    } catch (IOException e) {
                        status = -1;
                        pool.drop(connection);
                    }
                    latency.recordValue(Math.max(1, (System.nanoTime() - sent) / 1000));
                    if (status != 200) {
                        errors.incrementAndGet();
                    }
                }
            }, "closed-" + c);
            workers[c].start();
        }
        for (Thread w : workers) {
            w.join();
        }
        return new long[] { next.get(), errors.get() };
    }

    /** Writes a request and reads the whole answer; returns its status. */
    private static int http(OutputStream out, InputStream in, byte[] request) throws IOException {
        out.write(request);
        out.flush();
        String status = line(in);
        int code = Integer.parseInt(status.substring(9, 12));
        long length = 0;
        boolean chunked = false;
        String header;
        while (!(header = line(in)).isEmpty()) {
            String lower = header.toLowerCase(java.util.Locale.ROOT);
            if (lower.startsWith("content-length:")) {
                length = Long.parseLong(header.substring(15).strip());
            } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                chunked = true;
            }
        }
        if (chunked) {
            long size;
            while ((size = Long.parseLong(line(in).strip(), 16)) > 0) {
                in.skipNBytes(size);
                line(in);
            }
            line(in);
        } else {
            in.skipNBytes(length);
        }
        return code;
    }

    /** Writes a command and reads its reply: a simple string, an error, an integer or a bulk string. */
    private static int redis(OutputStream out, InputStream in, byte[] request) throws IOException {
        out.write(request);
        out.flush();
        String reply = line(in);
        if (reply.startsWith("$")) {
            long length = Long.parseLong(reply.substring(1));
            if (length >= 0) {
                in.skipNBytes(length);
                line(in);
            }
        } else if (!reply.startsWith("+") && !reply.startsWith(":")) {
            return 500;
        }
        return 200;
    }

    /** A Redis command, as bytes (RESP). */
    static byte[] command(String... args) {
        StringBuilder out = new StringBuilder("*").append(args.length).append("\r\n");
        for (String a : args) {
            out.append('$').append(a.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(a).append("\r\n");
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder s = new StringBuilder(64);
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            if (c != '\r') {
                s.append((char) c);
            }
        }
        if (c < 0 && s.isEmpty()) {
            throw new IOException("connection closed");
        }
        return s.toString();
    }

    /** A POST request of a JSON body with a bearer token, as bytes. */
    static byte[] post(String host, int port, String path, String token, String json) {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        byte[] head = ("POST " + path + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\nAuthorization: Bearer " + token
                + "\r\nContent-Type: application/json\r\nAccept: application/json\r\nContent-Length: " + body.length
                + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] out = java.util.Arrays.copyOf(head, head.length + body.length);
        System.arraycopy(body, 0, out, head.length, body.length);
        return out;
    }

    /** A POST request of a JSON body with headers of its own (a webhook's signature, no token), as bytes. */
    static byte[] post(String host, int port, String path, Map<String, String> headers, byte[] body) {
        StringBuilder head = new StringBuilder("POST ").append(path).append(" HTTP/1.1\r\nHost: ").append(host)
                .append(':').append(port).append("\r\n");
        headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        byte[] start = head.append("Content-Type: application/json\r\nAccept: application/json\r\nContent-Length: ")
                .append(body.length).append("\r\n\r\n").toString().getBytes(StandardCharsets.US_ASCII);
        byte[] out = java.util.Arrays.copyOf(start, start.length + body.length);
        System.arraycopy(body, 0, out, start.length, body.length);
        return out;
    }

    /** A GET request with a bearer token, as bytes. */
    static byte[] get(String host, int port, String pathAndQuery, String token) {
        return ("GET " + pathAndQuery + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\nAuthorization: Bearer " + token
                + "\r\nAccept: application/json\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }
}
