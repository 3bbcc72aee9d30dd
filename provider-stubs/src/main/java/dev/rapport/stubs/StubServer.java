package dev.rapport.stubs;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;

/**
 * The local stand-ins of the external services Rapport calls, on one port, each under its own path: {@code /zendesk}
 * speaks Zendesk's ticket API. {@code GET /_received} lists what each stand-in received, newest last, so a newcomer
 * running {@code make run} sees what Rapport sent, as GreenMail shows email. Tests start one in their JVM; {@code make
 * run} starts {@link #main} as a process.
 */
public final class StubServer implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final ExecutorService threads;
    private final ZendeskStub zendesk;

    private StubServer(HttpServer server, ExecutorService threads, ZendeskStub zendesk) {
        this.server = server;
        this.threads = threads;
        this.zendesk = zendesk;
    }

    /**
     * Starts the stand-ins on a port of the loopback interface (0 picks a free one).
     *
     * @param zendeskUser the Zendesk API user (an agent's email) the stand-in accepts with {@code zendeskToken}
     * @param zendeskToken the Zendesk API token it accepts
     */
    public static StubServer start(int port, String zendeskUser, String zendeskToken) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
        ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(threads);
        ZendeskStub zendesk = new ZendeskStub(zendeskUser, zendeskToken);
        Map<String, Received> logs = new LinkedHashMap<>();
        serve(server, "zendesk", zendesk::handle);
        logs.put("zendesk", zendesk.log());
        server.createContext("/_received", exchange -> received(exchange, logs));
        server.start();
        return new StubServer(server, threads, zendesk);
    }

    /** Where the stand-ins answer, e.g. {@code http://127.0.0.1:8090}. */
    public URI base() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** The Zendesk stand-in; its API is at {@code base()/zendesk}. */
    public ZendeskStub zendesk() {
        return zendesk;
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }

    /**
     * Runs the stand-ins until the process is stopped: port {@code RAPPORT_STUBS_PORT} (8090), the Zendesk API user
     * and token from {@code RAPPORT_ZENDESK_API_USER} and {@code RAPPORT_ZENDESK_API_TOKEN}.
     */
    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(System.getenv().getOrDefault("RAPPORT_STUBS_PORT", "8090"));
        StubServer stubs = start(port, System.getenv().getOrDefault("RAPPORT_ZENDESK_API_USER", "agent@example.com"),
                System.getenv().getOrDefault("RAPPORT_ZENDESK_API_TOKEN", "zendesk-dev-token"));
        Runtime.getRuntime().addShutdownHook(new Thread(stubs::close));
        System.out.println("Provider stand-ins on " + stubs.base() + " (what they received: " + stubs.base()
                + "/_received)");
    }

    /** Serves a stand-in under {@code /name/}; a handler that fails answers 500 with why, not a dropped connection. */
    private static void serve(HttpServer server, String name, HttpHandler handler) {
        server.createContext("/" + name + "/", exchange -> {
            try {
                handler.handle(exchange);
            } catch (IOException | RuntimeException e) {
                e.printStackTrace();
                try {
                    respond(exchange, 500, Map.of(), JSON.writeValueAsBytes(JSON.createObjectNode()
                            .put("error", "the " + name + " stand-in failed: " + e)));
                } catch (IOException | RuntimeException ignored) {
                    exchange.close();
                }
            } finally {
                Received.forget(exchange);
            }
        });
    }

    /** {@code GET /_received}: every stand-in's list, by name; {@code GET /_received/{name}}: one stand-in's. */
    private static void received(HttpExchange exchange, Map<String, Received> logs) throws IOException {
        String path = exchange.getRequestURI().getPath().replaceAll("/+$", "");
        if (path.equals("/_received")) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write('{');
            for (Map.Entry<String, Received> log : logs.entrySet()) {
                if (out.size() > 1) {
                    out.write(',');
                }
                out.writeBytes(utf8(JSON.writeValueAsString(log.getKey()) + ":"));
                out.writeBytes(log.getValue().json());
            }
            out.write('}');
            respond(exchange, 200, Map.of(), out.toByteArray());
            return;
        }
        Received log = path.startsWith("/_received/") ? logs.get(path.substring("/_received/".length())) : null;
        if (log == null) {
            respond(exchange, 404, Map.of(), JSON.writeValueAsBytes(JSON.createObjectNode()
                    .put("error", "no such stand-in; there are " + String.join(", ", logs.keySet()))));
        } else {
            respond(exchange, 200, Map.of(), log.json());
        }
    }

    static byte[] body(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            return in.readNBytes(1 << 20);
        }
    }

    static void respond(HttpExchange exchange, int status, Map<String, String> headers, byte[] body)
            throws IOException {
        Received.answered(exchange, status, body);
        if (body.length > 0) {
            exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        }
        headers.forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
        exchange.close();
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
