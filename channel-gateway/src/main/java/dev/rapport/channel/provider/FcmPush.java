package dev.rapport.channel.provider;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import dev.rapport.channel.Message;
import dev.rapport.channel.config.ChannelConfig;
import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.build.JwtException;
import io.smallrye.jwt.util.KeyUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.core.MultiMap;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;

/**
 * Push through FCM's HTTP v1 API: {@code POST {url}/v1/projects/{project}/messages:send} with
 * {@code {"message":{"token":…,"notification":{"title","body"},"data":{…}}}} and {@code Authorization: Bearer} an
 * OAuth 2.0 access token; the answer's {@code name} ({@code projects/{project}/messages/…}) is the provider's id.
 *
 * <p>The token comes from the service account's JSON key file, read at each sign-in: a JWT signed RS256 with its
 * {@code private_key} ({@code kid} its {@code private_key_id}; {@code iss} its {@code client_email}, {@code scope}
 * FCM's, {@code aud} its {@code token_uri}, an hour between {@code iat} and {@code exp}) is traded at
 * {@code token_uri} ({@code grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer}) for an access token, kept until
 * shortly before it expires and shared by the sends meanwhile (one sign-in at a time). A 401 from FCM signs in again
 * once, then is temporary.
 *
 * <p>FCM's refusals are read by their {@code FcmError}: {@code UNREGISTERED} (404 or 400) and {@code INVALID_ARGUMENT}
 * about the token mean the device token can never be reached; {@code QUOTA_EXCEEDED} (429), {@code UNAVAILABLE} (503),
 * {@code INTERNAL} (500), any 5xx and network failures are temporary, no sooner than {@code Retry-After}; so are a
 * refused sign-in or a key file that cannot be read, and a 403 for the project (the configuration is wrong, not the
 * message), but {@code SENDER_ID_MISMATCH} (a token of another project) is permanent, as is any other 4xx. Off while
 * {@code rapport.channel.fcm.url} or {@code rapport.channel.fcm.service-account-file} is unset.
 */
@ApplicationScoped
public class FcmPush implements Provider {

    /** The OAuth scope of FCM's send API. */
    static final String SCOPE = "https://www.googleapis.com/auth/firebase.messaging";
    static final String JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";
    /** How long before its expiry an access token is replaced, so none expires on its way to FCM. */
    static final Duration RENEW_BEFORE = Duration.ofMinutes(5);

    /** A signed-in service account: the token sends carry, the project they go to, and when to sign in again. */
    record Access(String token, String projectId, Instant renewAt) {
    }

    private final WebClient client;
    private final long timeout;
    private final Vertx vertx;
    private final Clock clock;
    private final Optional<String> url;
    private final Optional<String> keyFile;
    private final Optional<String> projectId;
    private volatile Access access;
    private Uni<Access> signingIn;

    public FcmPush(Vertx vertx, ChannelConfig config, Clock clock) {
        this.client = ProviderClients.create(vertx, config);
        this.timeout = config.providerTimeout().toMillis();
        this.vertx = vertx;
        this.clock = clock;
        this.url = config.fcm().url().map(u -> u.endsWith("/") ? u.substring(0, u.length() - 1) : u)
                .filter(u -> !u.isBlank());
        this.keyFile = config.fcm().serviceAccountFile().filter(f -> !f.isBlank());
        this.projectId = config.fcm().projectId().filter(p -> !p.isBlank());
    }

    @Override
    public String name() {
        return "fcm";
    }

    @Override
    public String channel() {
        return "push";
    }

    @Override
    public boolean enabled() {
        return url.isPresent() && keyFile.isPresent();
    }

    @Override
    public Uni<String> send(Message m) {
        JsonObject message = new JsonObject().put("token", m.address());
        JsonObject notification = new JsonObject();
        if (m.content().title() != null) {
            notification.put("title", m.content().title());
        }
        if (m.content().body() != null) {
            notification.put("body", m.content().body());
        }
        if (!notification.isEmpty()) {
            message.put("notification", notification);
        }
        if (!m.content().data().isEmpty()) {
            JsonObject data = new JsonObject();
            m.content().data().forEach(data::put);
            message.put("data", data);
        }
        JsonObject body = new JsonObject().put("message", message);
        return access().chain(a -> post(a, body).chain(r -> {
            if (r.statusCode() != 401) {
                return Uni.createFrom().item(r);
            }
            // the token expired early or was revoked: one new sign-in, then what FCM says is final
            return renew(a).chain(fresh -> post(fresh, body));
        })).map(FcmPush::answer);
    }

    private Uni<HttpResponse<Buffer>> post(Access a, JsonObject body) {
        return client.postAbs(url.orElseThrow() + "/v1/projects/" + a.projectId() + "/messages:send")
                .bearerTokenAuthentication(a.token()).timeout(timeout).sendJsonObject(body)
                .onFailure().transform(f -> ProviderFailure.unanswered("FCM", f));
    }

    private static String answer(HttpResponse<Buffer> r) {
        JsonObject body = json(r);
        if (r.statusCode() == 200) {
            String name = body == null ? null : body.getString("name");
            if (name == null || name.isBlank()) {
                throw ProviderFailure.temporary("FCM answered 200 without a message name", null, null);
            }
            return name;
        }
        throw refusal(r.statusCode(), body, TwilioSms.retryAfter(r));
    }

    /** What a refusal of FCM means: its status, its Google API error body (or null) and its {@code Retry-After}. */
    static ProviderFailure refusal(int status, JsonObject body, Duration retryAfter) {
        JsonObject error = body == null ? null : body.getValue("error") instanceof JsonObject e ? e : null;
        String grpcStatus = error == null ? "" : error.getString("status", "");
        String message = error == null ? "" : String.valueOf(error.getValue("message", ""));
        String fcmError = "";
        boolean aboutToken = false;
        List<String> violations = new ArrayList<>();
        JsonArray details = error == null || !(error.getValue("details") instanceof JsonArray d) ? new JsonArray() : d;
        for (Object detail : details) {
            if (!(detail instanceof JsonObject d)) {
                continue;
            }
            if (String.valueOf(d.getValue("@type", "")).endsWith("google.firebase.fcm.v1.FcmError")) {
                fcmError = String.valueOf(d.getValue("errorCode", ""));
            }
            if (d.getValue("fieldViolations") instanceof JsonArray list) {
                for (Object v : list) {
                    if (v instanceof JsonObject fv) {
                        String field = String.valueOf(fv.getValue("field", ""));
                        aboutToken |= field.startsWith("message.token");
                        violations.add(field + ": " + fv.getValue("description", ""));
                    }
                }
            }
        }
        aboutToken |= message.toLowerCase(Locale.ROOT).contains("registration token");
        String code = fcmError.isEmpty() ? grpcStatus : fcmError;
        String why = "FCM " + status + (code.isEmpty() ? "" : " " + code) + (message.isEmpty() ? "" : ": " + message)
                + (violations.isEmpty() ? "" : " (" + String.join("; ", violations) + ")");
        if (status == 429 || status >= 500 || status == 401) {
            return ProviderFailure.temporary(why, retryAfter, null);
        }
        if (fcmError.equals("UNREGISTERED") && (status == 404 || status == 400)) {
            return ProviderFailure.unreachable(why);
        }
        if (status == 400 && (fcmError.equals("INVALID_ARGUMENT") || grpcStatus.equals("INVALID_ARGUMENT"))
                && aboutToken) {
            return ProviderFailure.unreachable(why);
        }
        if (status == 403 && !fcmError.equals("SENDER_ID_MISMATCH")) {
            return ProviderFailure.temporary(why, retryAfter, null);
        }
        return ProviderFailure.permanent(why);
    }

    /** The access token sends carry now: the one kept while it is fresh, else a new sign-in. */
    private Uni<Access> access() {
        Access a = access;
        if (a != null && clock.instant().isBefore(a.renewAt())) {
            return Uni.createFrom().item(a);
        }
        return signIn();
    }

    /** A new token in place of {@code refused}, unless another send already replaced it. */
    private Uni<Access> renew(Access refused) {
        synchronized (this) {
            if (access == refused) {
                access = null;
            }
        }
        return access();
    }

    /** The sign-in under way, which concurrent sends share, or a new one. */
    private synchronized Uni<Access> signIn() {
        if (signingIn == null) {
            signingIn = Uni.createFrom().deferred(this::signInNow).onItemOrFailure().invoke((a, f) -> {
                synchronized (this) {
                    if (a != null) {
                        access = a;
                    }
                    signingIn = null;
                }
            }).memoize().indefinitely();
        }
        return signingIn;
    }

    private Uni<Access> signInNow() {
        String file = keyFile.orElseThrow();
        return vertx.fileSystem().readFile(file)
                .onFailure().transform(f -> ProviderFailure.temporary("FCM: the service account key file " + file
                        + " cannot be read: " + f.getMessage(), null, f))
                .chain(bytes -> {
                    JsonObject key;
                    PrivateKey privateKey;
                    String assertion;
                    Instant now = clock.instant();
                    try {
                        key = new JsonObject(bytes.toString());
                        privateKey = KeyUtils.decodePrivateKey(key.getString("private_key", ""),
                                SignatureAlgorithm.RS256);
                        var claims = Jwt.claims().issuer(key.getString("client_email"))
                                .audience(key.getString("token_uri")).claim("scope", SCOPE)
                                .issuedAt(now.getEpochSecond()).expiresAt(now.plus(Duration.ofHours(1))
                                        .getEpochSecond())
                                .jws().algorithm(SignatureAlgorithm.RS256);
                        String kid = key.getString("private_key_id");
                        assertion = (kid == null || kid.isBlank() ? claims : claims.keyId(kid)).sign(privateKey);
                    } catch (DecodeException | ClassCastException | IllegalArgumentException
                            | GeneralSecurityException | JwtException e) {
                        return Uni.createFrom().failure(ProviderFailure.temporary("FCM: the service account key file "
                                + file + " is not a usable key: " + e.getMessage(), null, e));
                    }
                    String tokenUri = key.getString("token_uri");
                    String project = projectId.orElse(key.getString("project_id", ""));
                    if (tokenUri == null || tokenUri.isBlank() || key.getString("client_email") == null
                            || project.isBlank()) {
                        return Uni.createFrom().failure(ProviderFailure.temporary("FCM: the service account key file "
                                + file + " names no token_uri, client_email or project_id", null, null));
                    }
                    MultiMap form = MultiMap.caseInsensitiveMultiMap().add("grant_type", JWT_BEARER)
                            .add("assertion", assertion);
                    return client.postAbs(tokenUri).timeout(timeout).sendForm(form)
                            .onFailure().transform(f -> ProviderFailure.temporary("FCM's token endpoint cannot be "
                                    + "reached: " + f.getMessage(), null, f))
                            .map(r -> signedIn(r, project, now));
                });
    }

    private static Access signedIn(HttpResponse<Buffer> r, String project, Instant asked) {
        JsonObject body = json(r);
        String token = body == null ? null : body.getString("access_token");
        if (r.statusCode() != 200 || token == null || token.isBlank()) {
            String why = body == null ? "" : ": " + body.getString("error", "") + " " + body.getString(
                    "error_description", "");
            // a refused sign-in is the configuration's fault, not the message's: kept and tried again
            throw ProviderFailure.temporary("FCM's token endpoint answered " + r.statusCode() + why.stripTrailing(),
                    TwilioSms.retryAfter(r), null);
        }
        long lifetime = body.getValue("expires_in") instanceof Number n ? n.longValue() : 3600;
        Instant renewAt = asked.plusSeconds(lifetime).minus(RENEW_BEFORE);
        return new Access(token, project, renewAt.isAfter(asked) ? renewAt : asked.plusSeconds(lifetime / 2));
    }

    private static JsonObject json(HttpResponse<Buffer> r) {
        try {
            return r.body() == null ? null : r.bodyAsJsonObject();
        } catch (RuntimeException e) {
            return null;
        }
    }
}
