package dev.rapport.stubs;

import static dev.rapport.stubs.StubServer.JSON;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;

/**
 * What one stand-in received, newest last, for {@code GET /_received}: each request's method, path and parsed body,
 * and the status (and body) it was answered. A request is written down when it is answered, before the answer leaves,
 * so a client that reads {@code /_received} after its answer always finds its request there.
 *
 * <p>It keeps the last {@value #MAX_ENTRIES} requests and at most {@value #MAX_BYTES} bytes of them, the oldest going
 * first, so a benchmark sending through the stand-ins for hours does not exhaust the process's memory; entries are
 * kept serialized, a fraction of the size of the JSON trees.
 */
final class Received {

    static final int MAX_ENTRIES = 10_000;
    static final long MAX_BYTES = 8L << 20;

    /** Requests being handled, until answered: {@link StubServer#respond} completes their entry. */
    private static final Map<HttpExchange, Pending> PENDING = new ConcurrentHashMap<>();

    private final ArrayDeque<byte[]> entries = new ArrayDeque<>();
    private final int maxEntries;
    private final long maxBytes;
    private long bytes;

    private record Pending(Received into, ObjectNode entry) {
    }

    Received() {
        this(MAX_ENTRIES, MAX_BYTES);
    }

    Received(int maxEntries, long maxBytes) {
        this.maxEntries = maxEntries;
        this.maxBytes = maxBytes;
    }

    /**
     * Starts the entry of a request; the answer given with {@link StubServer#respond} completes and records it.
     *
     * @param body the request's body as the provider reads it (JSON, or a form as an object), or null for none
     * @return the entry, for a stand-in to add what else matters (an idempotency key)
     */
    ObjectNode arrived(HttpExchange exchange, JsonNode body) {
        ObjectNode entry = JSON.createObjectNode().put("at", Instant.now().truncatedTo(ChronoUnit.MILLIS).toString())
                .put("method", exchange.getRequestMethod()).put("path", exchange.getRequestURI().getPath());
        if (body != null) {
            entry.set("body", body);
        }
        PENDING.put(exchange, new Pending(this, entry));
        return entry;
    }

    /** Records the request of {@code exchange}, if one {@link #arrived}, with the answer it is about to get. */
    static void answered(HttpExchange exchange, int status, byte[] answer) {
        Pending pending = PENDING.remove(exchange);
        if (pending == null) {
            return;
        }
        ObjectNode entry = pending.entry().put("status", status);
        if (answer.length > 0) {
            try {
                entry.set("answer", JSON.readTree(answer));
            } catch (IOException e) {
                entry.put("answer", new String(answer, StandardCharsets.UTF_8));
            }
        }
        try {
            pending.into().add(JSON.writeValueAsBytes(entry));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Forgets a request its handler gave up on without answering (it threw), so nothing is kept for it. */
    static void forget(HttpExchange exchange) {
        PENDING.remove(exchange);
    }

    synchronized void add(byte[] entry) {
        entries.addLast(entry);
        bytes += entry.length;
        while (entries.size() > maxEntries || (bytes > maxBytes && entries.size() > 1)) {
            bytes -= entries.removeFirst().length;
        }
    }

    /** The entries as a JSON array, oldest first. */
    synchronized byte[] json() {
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(bytes + entries.size() + 2, 1 << 24));
        out.write('[');
        boolean first = true;
        for (byte[] e : entries) {
            if (!first) {
                out.write(',');
            }
            out.writeBytes(e);
            first = false;
        }
        out.write(']');
        return out.toByteArray();
    }

    /** The entries as JSON, oldest first: a copy, for tests. */
    ArrayNode list() {
        try {
            return (ArrayNode) JSON.readTree(json());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
