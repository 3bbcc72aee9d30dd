package dev.rapport.stubs;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
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
 * speaks Zendesk's ticket API, {@code /twilio} Twilio's Messages API, {@code /fcm} FCM's HTTP v1 API and the Google
 * token endpoint its service account signs in at, {@code /telegram} Telegram's Bot API, {@code /whatsapp} the WhatsApp
 * Cloud API and {@code /sendgrid} SendGrid's v3 mail send. A client is pointed at one by its base URL (the path
 * replaces the provider's host) and given the credentials of {@link Credentials}.
 *
 * <p>{@code GET /_received} lists what each stand-in received, newest last, and {@code GET /_received/{name}} one
 * stand-in's, so a newcomer running {@code make run} sees what Rapport sent, as GreenMail shows email. Tests start
 * one in their JVM; {@code make run} starts {@link #main} as a process.
 */
public final class StubServer implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final ExecutorService threads;
    private final Holds holds;
    private final ZendeskStub zendesk;
    private final TwilioStub twilio;
    private final TelegramStub telegram;
    private final WhatsappStub whatsapp;
    private final SendgridStub sendgrid;
    private final FcmStub fcm;

    /**
     * The credentials the stand-ins accept, each as the provider issues it; {@link #demo()} has the demo values of
     * {@code dev/local.env}, and a test changes the ones it cares about.
     *
     * @param zendeskUser the Zendesk API user (an agent's email) the stand-in accepts with {@code zendeskToken}
     * @param zendeskToken the Zendesk API token
     * @param twilioAccountSid the Twilio account SID ({@code AC} and 32 hex digits), also the HTTP Basic user
     * @param twilioAuthToken the Twilio auth token, the HTTP Basic password
     * @param telegramBotToken the Telegram bot's token ({@code {bot id}:{secret}}), part of the Bot API's paths
     * @param whatsappToken the WhatsApp Cloud API access token (a system user's), sent as a bearer token
     * @param whatsappPhoneNumberId the id of the business phone number messages are sent from
     * @param sendgridApiKey the SendGrid API key, sent as a bearer token
     * @param fcmProjectId the Firebase project FCM messages are sent for
     * @param fcmServiceAccount the service account whose signed assertions the FCM token endpoint accepts, or null for
     *     a new one (with a new key) at each start; its {@code token_uri} is set to the stand-in's
     */
    public record Credentials(String zendeskUser, String zendeskToken, String twilioAccountSid,
            String twilioAuthToken, String telegramBotToken, String whatsappToken, String whatsappPhoneNumberId,
            String sendgridApiKey, String fcmProjectId, FcmStub.ServiceAccount fcmServiceAccount) {

        /** The demo values, as in {@code dev/local.env}. */
        public static Credentials demo() {
            return new Credentials("agent@example.com", "zendesk-dev-token", "AC00000000000000000000000000000001",
                    "twilio-dev-auth-token", "7000000001:rapport-dev-telegram-bot-token", "whatsapp-dev-token",
                    "100000000000001", "SG.rapport-dev.sendgrid-dev-api-key", "rapport-dev", null);
        }

        /** The demo values, replaced by the {@code RAPPORT_…} variables that {@code env} sets. */
        static Credentials from(Map<String, String> env) {
            Credentials d = demo();
            return new Credentials(env.getOrDefault("RAPPORT_ZENDESK_API_USER", d.zendeskUser()),
                    env.getOrDefault("RAPPORT_ZENDESK_API_TOKEN", d.zendeskToken()),
                    env.getOrDefault("RAPPORT_TWILIO_ACCOUNT_SID", d.twilioAccountSid()),
                    env.getOrDefault("RAPPORT_TWILIO_AUTH_TOKEN", d.twilioAuthToken()),
                    env.getOrDefault("RAPPORT_TELEGRAM_BOT_TOKEN", d.telegramBotToken()),
                    env.getOrDefault("RAPPORT_WHATSAPP_TOKEN", d.whatsappToken()),
                    env.getOrDefault("RAPPORT_WHATSAPP_PHONE_NUMBER_ID", d.whatsappPhoneNumberId()),
                    env.getOrDefault("RAPPORT_SENDGRID_API_KEY", d.sendgridApiKey()),
                    env.getOrDefault("RAPPORT_FCM_PROJECT_ID", d.fcmProjectId()), null);
        }

        /** The same, with Zendesk accepting this API user and token. */
        public Credentials withZendesk(String user, String token) {
            return new Credentials(user, token, twilioAccountSid, twilioAuthToken, telegramBotToken, whatsappToken,
                    whatsappPhoneNumberId, sendgridApiKey, fcmProjectId, fcmServiceAccount);
        }

        /** The same, with Twilio accepting this account SID and auth token. */
        public Credentials withTwilio(String accountSid, String authToken) {
            return new Credentials(zendeskUser, zendeskToken, accountSid, authToken, telegramBotToken, whatsappToken,
                    whatsappPhoneNumberId, sendgridApiKey, fcmProjectId, fcmServiceAccount);
        }

        /** The same, with Telegram accepting this bot token. */
        public Credentials withTelegram(String botToken) {
            return new Credentials(zendeskUser, zendeskToken, twilioAccountSid, twilioAuthToken, botToken,
                    whatsappToken, whatsappPhoneNumberId, sendgridApiKey, fcmProjectId, fcmServiceAccount);
        }

        /** The same, with WhatsApp accepting this access token, sending from this phone number id. */
        public Credentials withWhatsapp(String token, String phoneNumberId) {
            return new Credentials(zendeskUser, zendeskToken, twilioAccountSid, twilioAuthToken, telegramBotToken,
                    token, phoneNumberId, sendgridApiKey, fcmProjectId, fcmServiceAccount);
        }

        /** The same, with SendGrid accepting this API key. */
        public Credentials withSendgrid(String apiKey) {
            return new Credentials(zendeskUser, zendeskToken, twilioAccountSid, twilioAuthToken, telegramBotToken,
                    whatsappToken, whatsappPhoneNumberId, apiKey, fcmProjectId, fcmServiceAccount);
        }

        /** FCM for {@code projectId}, accepting {@code account}'s assertions (null: a new account at each start). */
        public Credentials withFcm(String projectId, FcmStub.ServiceAccount account) {
            return new Credentials(zendeskUser, zendeskToken, twilioAccountSid, twilioAuthToken, telegramBotToken,
                    whatsappToken, whatsappPhoneNumberId, sendgridApiKey, projectId, account);
        }
    }

    private StubServer(HttpServer server, ExecutorService threads, Holds holds, ZendeskStub zendesk,
            TwilioStub twilio, TelegramStub telegram, WhatsappStub whatsapp, SendgridStub sendgrid, FcmStub fcm) {
        this.server = server;
        this.threads = threads;
        this.holds = holds;
        this.zendesk = zendesk;
        this.twilio = twilio;
        this.telegram = telegram;
        this.whatsapp = whatsapp;
        this.sendgrid = sendgrid;
        this.fcm = fcm;
    }

    /**
     * Starts the stand-ins on a port of the loopback interface (0 picks a free one), the others than Zendesk with the
     * demo credentials of {@link Credentials#demo()}.
     *
     * @param zendeskUser the Zendesk API user (an agent's email) the stand-in accepts with {@code zendeskToken}
     * @param zendeskToken the Zendesk API token it accepts
     */
    public static StubServer start(int port, String zendeskUser, String zendeskToken) throws IOException {
        return start(port, Credentials.demo().withZendesk(zendeskUser, zendeskToken));
    }

    /** Starts the stand-ins on a port of the loopback interface (0 picks a free one), accepting {@code accepted}. */
    public static StubServer start(int port, Credentials accepted) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
        ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(threads);
        ZendeskStub zendesk = new ZendeskStub(accepted.zendeskUser(), accepted.zendeskToken());
        TwilioStub twilio = new TwilioStub(accepted.twilioAccountSid(), accepted.twilioAuthToken());
        TelegramStub telegram = new TelegramStub(accepted.telegramBotToken());
        WhatsappStub whatsapp = new WhatsappStub(accepted.whatsappToken(), accepted.whatsappPhoneNumberId());
        SendgridStub sendgrid = new SendgridStub(accepted.sendgridApiKey());
        URI tokenUri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/fcm/token");
        FcmStub fcm = new FcmStub(accepted.fcmProjectId(), accepted.fcmServiceAccount() == null
                ? FcmStub.ServiceAccount.generate(accepted.fcmProjectId(), tokenUri)
                : accepted.fcmServiceAccount().at(accepted.fcmProjectId(), tokenUri));
        Map<String, Received> logs = new LinkedHashMap<>();
        Holds holds = new Holds();
        serve(server, logs, holds, "zendesk", zendesk::handle, zendesk.log());
        serve(server, logs, holds, "twilio", twilio::handle, twilio.log());
        serve(server, logs, holds, "telegram", telegram::handle, telegram.log());
        serve(server, logs, holds, "whatsapp", whatsapp::handle, whatsapp.log());
        serve(server, logs, holds, "sendgrid", sendgrid::handle, sendgrid.log());
        serve(server, logs, holds, "fcm", fcm::handle, fcm.log());
        server.createContext("/_received", exchange -> received(exchange, logs));
        server.createContext("/_hold", exchange -> hold(exchange, logs, holds));
        server.start();
        return new StubServer(server, threads, holds, zendesk, twilio, telegram, whatsapp, sendgrid, fcm);
    }

    /** Where the stand-ins answer, e.g. {@code http://127.0.0.1:8090}. */
    public URI base() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Holding a stand-in's requests before they are answered (also {@code POST/DELETE/GET /_hold/{name}}). */
    public Holds holds() {
        return holds;
    }

    /** The Zendesk stand-in; its API is at {@code base()/zendesk}. */
    public ZendeskStub zendesk() {
        return zendesk;
    }

    /** The Twilio stand-in; its API is at {@code base()/twilio} (Twilio's at https://api.twilio.com). */
    public TwilioStub twilio() {
        return twilio;
    }

    /** The Telegram stand-in; its Bot API is at {@code base()/telegram} (Telegram's at https://api.telegram.org). */
    public TelegramStub telegram() {
        return telegram;
    }

    /** The WhatsApp stand-in; its Cloud API is at {@code base()/whatsapp} (Meta's at https://graph.facebook.com). */
    public WhatsappStub whatsapp() {
        return whatsapp;
    }

    /** The SendGrid stand-in; its v3 API is at {@code base()/sendgrid} (SendGrid's at https://api.sendgrid.com). */
    public SendgridStub sendgrid() {
        return sendgrid;
    }

    /**
     * The FCM stand-in; its HTTP v1 API is at {@code base()/fcm} (Google's at https://fcm.googleapis.com), the
     * token endpoint its service account signs in at {@code base()/fcm/token}.
     */
    public FcmStub fcm() {
        return fcm;
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }

    /**
     * Runs the stand-ins until the process is stopped: port {@code RAPPORT_STUBS_PORT} (8090), the credentials from
     * the {@code RAPPORT_…} variables of {@link Credentials#from} (the demo values where unset). When given a path (the
     * first argument, else {@code RAPPORT_FCM_SERVICE_ACCOUNT_FILE}) it writes the FCM service account's JSON key
     * there, for channel-gateway to be configured with; a key already there is kept, so a restarted stand-in still
     * accepts the assertions of a gateway that read the file before.
     */
    public static void main(String[] args) throws IOException {
        StubServer stubs = launch(System.getenv(), args);
        Runtime.getRuntime().addShutdownHook(new Thread(stubs::close));
    }

    /** {@link #main} with this environment and these arguments; answers the running stand-ins. */
    static StubServer launch(Map<String, String> env, String[] args) throws IOException {
        int port = Integer.parseInt(env.getOrDefault("RAPPORT_STUBS_PORT", "8090"));
        String file = args.length > 0 ? args[0] : env.get("RAPPORT_FCM_SERVICE_ACCOUNT_FILE");
        Path keyFile = file == null || file.isBlank() ? null : Path.of(file).toAbsolutePath();
        Credentials accepted = Credentials.from(env);
        if (keyFile != null && Files.isRegularFile(keyFile)) {
            try {
                accepted = accepted.withFcm(accepted.fcmProjectId(), FcmStub.ServiceAccount.parse(
                        Files.readString(keyFile)));
            } catch (IOException e) {
                System.err.println("Not reusing the FCM service account key in " + keyFile + " (" + e.getMessage()
                        + "); writing a new one");
            }
        }
        StubServer stubs = start(port, accepted);
        if (keyFile != null) {
            writePrivately(keyFile, stubs.fcm().serviceAccount().json());
        }
        System.out.println("Provider stand-ins on " + stubs.base() + " (what they received: " + stubs.base()
                + "/_received)" + (keyFile == null ? "" : "; FCM service account key in " + keyFile));
        return stubs;
    }

    /** Writes a private key file readable by its owner only, whole or not at all (a reader never sees half). */
    private static void writePrivately(Path path, String content) throws IOException {
        Files.createDirectories(path.getParent());
        Path temporary = Files.createTempFile(path.getParent(), path.getFileName().toString(), ".tmp");
        try {
            if (Files.getFileStore(temporary).supportsFileAttributeView("posix")) {
                Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rw-------"));
            }
            Files.writeString(temporary, content);
            Files.move(temporary, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /** Serves a stand-in under {@code /name/}; a handler that fails answers 500 with why, not a dropped connection. */
    private static void serve(HttpServer server, Map<String, Received> logs, Holds holds, String name,
            HttpHandler handler, Received log) {
        logs.put(name, log);
        server.createContext("/" + name + "/", exchange -> {
            try {
                holds.await(name);
                handler.handle(exchange);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                exchange.close();
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

    /**
     * {@code POST /_hold/{name}} holds the stand-in's requests, {@code DELETE} lets them go, {@code GET} says how many
     * wait: {@code {"holding":true,"held":2}}.
     */
    private static void hold(HttpExchange exchange, Map<String, Received> logs, Holds holds) throws IOException {
        String path = exchange.getRequestURI().getPath().replaceAll("/+$", "");
        String name = path.startsWith("/_hold/") ? path.substring("/_hold/".length()) : "";
        if (!logs.containsKey(name)) {
            respond(exchange, 404, Map.of(), JSON.writeValueAsBytes(JSON.createObjectNode()
                    .put("error", "no such stand-in; there are " + String.join(", ", logs.keySet()))));
            return;
        }
        switch (exchange.getRequestMethod()) {
            case "POST" -> holds.hold(name);
            case "DELETE" -> holds.release(name);
            case "GET" -> {
                // only reads
            }
            default -> {
                respond(exchange, 405, Map.of("Allow", "GET, POST, DELETE"), new byte[0]);
                return;
            }
        }
        respond(exchange, 200, Map.of(), JSON.writeValueAsBytes(JSON.createObjectNode()
                .put("holding", holds.holding(name)).put("held", holds.held(name))));
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

    /** An {@code application/x-www-form-urlencoded} body (or query), the first value of each name, in order. */
    static Map<String, String> form(byte[] body) {
        Map<String, String> form = new LinkedHashMap<>();
        for (String pair : new String(body, StandardCharsets.UTF_8).split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            form.putIfAbsent(name, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return form;
    }

    /** The token of an {@code Authorization: Bearer …} header, or null. */
    static String bearer(HttpExchange exchange) {
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        return header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : null;
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
