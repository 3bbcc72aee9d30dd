package dev.rapport.helm;

import static dev.rapport.helm.Rendered.env;
import static dev.rapport.helm.Rendered.render;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.marcnuri.helm.TemplateCommand;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;

/**
 * channel-gateway's part of the chart ({@code channels.*}): where the gateway is reached, the key of its tracking
 * links, and its providers, each off (no URL set) until it is configured, every secret taken from a Secret.
 */
class ChannelGatewayChartTest {

    private static final Path DEFAULT = Rendered.CI.resolve("default-values.yaml");
    private static final Path PRODUCTION = Rendered.CI.resolve("production-values.yaml");
    private static final String GATEWAY = "demo-rapport-channel-gateway";
    /** Each provider's URL: set, it turns the provider on in the gateway. */
    private static final List<String> PROVIDER_URLS = List.of("RAPPORT_SENDGRID_API_URL", "RAPPORT_TWILIO_API_URL",
            "RAPPORT_FCM_API_URL", "RAPPORT_TELEGRAM_API_URL", "RAPPORT_WHATSAPP_API_URL");
    /** The variables that carry a secret, with their key in the Secret. */
    private static final Map<String, String> SECRET_KEYS = Map.of("RAPPORT_TRACKING_SECRET", "tracking-secret",
            "RAPPORT_SMTP_PASSWORD", "smtp-password", "RAPPORT_SENDGRID_API_KEY", "sendgrid-api-key",
            "RAPPORT_TWILIO_AUTH_TOKEN", "twilio-auth-token", "RAPPORT_TELEGRAM_BOT_TOKEN", "telegram-bot-token",
            "RAPPORT_TELEGRAM_WEBHOOK_SECRET", "telegram-webhook-secret", "RAPPORT_WHATSAPP_TOKEN", "whatsapp-token",
            "RAPPORT_WHATSAPP_APP_SECRET", "whatsapp-app-secret", "RAPPORT_WHATSAPP_VERIFY_TOKEN",
            "whatsapp-verify-token");
    private static final String SERVICE_ACCOUNT = """
            {"type": "service_account", "project_id": "example-shop",
             "client_email": "rapport@example-shop.iam.gserviceaccount.com",
             "private_key": "-----BEGIN PRIVATE KEY-----\\nMIIB\\n-----END PRIVATE KEY-----\\n"}
            """;

    /** Every provider on (a values file: --set would read the sender and the phone number id as numbers). */
    private static final String EVERY_PROVIDER = """
            channels:
              email:
                from: Example Shop <news@shop.example.com>
                provider: sendgrid
                sendgrid:
                  apiKey: SG.sendgrid-key
                  webhookPublicKey: MFkwEwYHKoZIzj0CAQ==
              sms:
                twilio:
                  enabled: true
                  accountSid: AC0123456789abcdef0123456789abcdef
                  authToken: twilio-token
                  from: "+4930123456789"
              push:
                fcm:
                  enabled: true
                  projectId: example-shop
              messenger:
                telegram:
                  enabled: true
                  botToken: "7000000001:bot-token"
                  webhookSecret: telegram-hook-secret
                whatsapp:
                  enabled: true
                  url: https://graph.example.com/meta
                  token: whatsapp-token
                  phoneNumberId: "100000000000001"
                  appSecret: whatsapp-app-secret
                  verifyToken: whatsapp-verify-token
            """;

    /** Rate limits as a values file gives them: YAML numbers, which Helm reads as floats. */
    private static final String LIMITS = """
            channels:
              rateLimits:
                twilio: 1000000
                sendgrid: 250
            """;

    @TempDir
    static Path files;
    private static Path everyProvider;
    private static Path serviceAccount;
    private static Path limits;

    @BeforeAll
    static void writeValues() throws IOException {
        everyProvider = Files.writeString(files.resolve("every-provider.yaml"), EVERY_PROVIDER);
        serviceAccount = Files.writeString(files.resolve("service-account.json"), SERVICE_ACCOUNT);
        limits = Files.writeString(files.resolve("limits.yaml"), LIMITS);
    }

    @Test
    void theLeastSettingRendersTrackingAndSmtpAndLeavesEveryOtherProviderOff() {
        Rendered r = render(DEFAULT, t -> t);
        Container c = container(r);
        Map<String, EnvVar> env = env(c);

        assertThat(env.get("RAPPORT_CHANNEL_PUBLIC_URL").getValue()).isEqualTo("https://rapport.example.com");
        assertThat(r.secretValue(env.get("RAPPORT_TRACKING_SECRET"))).isEqualTo("tracking-secret-0123456789");
        assertThat(env.get("RAPPORT_EMAIL_PROVIDER").getValue()).isEqualTo("smtp");
        assertThat(env.get("RAPPORT_SMTP_HOST").getValue()).isEqualTo("smtp.example.com");
        assertThat(env.get("RAPPORT_SMTP_PORT").getValue()).isEqualTo("587");
        assertThat(env.get("RAPPORT_SMTP_START_TLS").getValue()).isEqualTo("REQUIRED");
        assertThat(env.get("RAPPORT_SMTP_USER").getValue()).isEmpty();
        assertThat(r.secretValue(env.get("RAPPORT_SMTP_PASSWORD"))).isEmpty();
        // the gateway's own sender, and no provider but SMTP: none of their URLs is set, so the gateway leaves them off
        assertThat(env).doesNotContainKeys("RAPPORT_EMAIL_FROM", "RAPPORT_EMAIL_FALLBACK_PROVIDER",
                "RAPPORT_TWILIO_ACCOUNT_SID", "RAPPORT_TWILIO_AUTH_TOKEN", "RAPPORT_FCM_SERVICE_ACCOUNT_FILE",
                "RAPPORT_TELEGRAM_BOT_TOKEN", "RAPPORT_WHATSAPP_TOKEN", "RAPPORT_SENDGRID_API_KEY").doesNotContainKeys(
                PROVIDER_URLS.toArray(String[]::new));
        assertThat(c.getVolumeMounts()).extracting(VolumeMount::getName).containsExactly("tmp");
        assertThat(r.get(Secret.class, "demo-rapport").getData()).containsKeys("tracking-secret", "smtp-password")
                .doesNotContainKeys("twilio-auth-token", "fcm-service-account.json", "telegram-bot-token",
                        "whatsapp-token", "sendgrid-api-key");
        secretsComeFromSecrets(env);

        // the other services take none of it
        for (Deployment d : r.all(Deployment.class)) {
            if (!d.getMetadata().getName().equals(GATEWAY)) {
                assertThat(env(d.getSpec().getTemplate().getSpec().getContainers().get(0)))
                        .doesNotContainKeys("RAPPORT_TRACKING_SECRET", "RAPPORT_CHANNEL_PUBLIC_URL",
                                "RAPPORT_SMTP_HOST");
            }
        }
    }

    @Test
    void everyProviderConfiguredSetsItsUrlItsIdsAndItsSecrets() {
        // SendGrid sends the email: no SMTP server is needed
        Rendered r = render(DEFAULT, t -> everyProvider(t).set("channels.email.smtp.host", "")
                .setFile("channels.push.fcm.serviceAccountJson", serviceAccount));
        Container c = container(r);
        Map<String, EnvVar> env = env(c);

        assertThat(env.get("RAPPORT_EMAIL_FROM").getValue()).isEqualTo("Example Shop <news@shop.example.com>");
        assertThat(env.get("RAPPORT_EMAIL_PROVIDER").getValue()).isEqualTo("sendgrid");
        assertThat(env).as("SMTP is not the provider").doesNotContainKeys("RAPPORT_SMTP_HOST", "RAPPORT_SMTP_PORT",
                "RAPPORT_SMTP_START_TLS", "RAPPORT_SMTP_USER", "RAPPORT_SMTP_PASSWORD");
        assertThat(env.get("RAPPORT_SENDGRID_API_URL").getValue()).isEqualTo("https://api.sendgrid.com");
        assertThat(r.secretValue(env.get("RAPPORT_SENDGRID_API_KEY"))).isEqualTo("SG.sendgrid-key");
        assertThat(env.get("RAPPORT_SENDGRID_WEBHOOK_PUBLIC_KEY").getValue()).isEqualTo("MFkwEwYHKoZIzj0CAQ==");

        assertThat(env.get("RAPPORT_TWILIO_API_URL").getValue()).isEqualTo("https://api.twilio.com");
        assertThat(env.get("RAPPORT_TWILIO_ACCOUNT_SID").getValue()).isEqualTo("AC0123456789abcdef0123456789abcdef");
        assertThat(r.secretValue(env.get("RAPPORT_TWILIO_AUTH_TOKEN"))).isEqualTo("twilio-token");
        assertThat(env.get("RAPPORT_TWILIO_FROM").getValue()).isEqualTo("+4930123456789");

        assertThat(env.get("RAPPORT_FCM_API_URL").getValue()).isEqualTo("https://fcm.googleapis.com");
        assertThat(env.get("RAPPORT_FCM_PROJECT_ID").getValue()).isEqualTo("example-shop");
        assertThat(env.get("RAPPORT_FCM_SERVICE_ACCOUNT_FILE").getValue())
                .isEqualTo("/etc/rapport/fcm/service-account.json");

        assertThat(env.get("RAPPORT_TELEGRAM_API_URL").getValue()).isEqualTo("https://api.telegram.org");
        assertThat(r.secretValue(env.get("RAPPORT_TELEGRAM_BOT_TOKEN"))).isEqualTo("7000000001:bot-token");
        assertThat(r.secretValue(env.get("RAPPORT_TELEGRAM_WEBHOOK_SECRET"))).isEqualTo("telegram-hook-secret");

        // a URL of one's own (a proxy, a stand-in) wins over the provider's
        assertThat(env.get("RAPPORT_WHATSAPP_API_URL").getValue()).isEqualTo("https://graph.example.com/meta");
        assertThat(r.secretValue(env.get("RAPPORT_WHATSAPP_TOKEN"))).isEqualTo("whatsapp-token");
        assertThat(env.get("RAPPORT_WHATSAPP_PHONE_NUMBER_ID").getValue()).isEqualTo("100000000000001");
        assertThat(r.secretValue(env.get("RAPPORT_WHATSAPP_APP_SECRET"))).isEqualTo("whatsapp-app-secret");
        assertThat(r.secretValue(env.get("RAPPORT_WHATSAPP_VERIFY_TOKEN"))).isEqualTo("whatsapp-verify-token");
        secretsComeFromSecrets(env);

        // the service account's key is a read-only file of the chart's Secret
        PodSpec pod = r.get(Deployment.class, GATEWAY).getSpec().getTemplate().getSpec();
        VolumeMount mount = c.getVolumeMounts().stream().filter(m -> m.getName().equals("fcm")).findFirst()
                .orElseThrow();
        assertThat(mount.getMountPath()).isEqualTo("/etc/rapport/fcm");
        assertThat(mount.getReadOnly()).isTrue();
        Volume volume = pod.getVolumes().stream().filter(v -> v.getName().equals("fcm")).findFirst().orElseThrow();
        assertThat(volume.getSecret().getSecretName()).isEqualTo("demo-rapport");
        assertThat(volume.getSecret().getDefaultMode()).isEqualTo(0440);
        assertThat(volume.getSecret().getItems()).singleElement().satisfies(item -> {
            assertThat(item.getKey()).isEqualTo("fcm-service-account.json");
            assertThat(item.getPath()).isEqualTo("service-account.json");
        });
        assertThat(decoded(r.get(Secret.class, "demo-rapport"), "fcm-service-account.json"))
                .isEqualTo(SERVICE_ACCOUNT);

        // only the gateway mounts it
        Container profile = r.get(Deployment.class, "demo-rapport-profile-service").getSpec().getTemplate().getSpec()
                .getContainers().get(0);
        assertThat(profile.getVolumeMounts()).extracting(VolumeMount::getName).containsExactly("tmp");
    }

    @Test
    void anExistingSecretReplacesTheChartsOwn() {
        Rendered r = render(DEFAULT, t -> everyProvider(t).set("channels.existingSecret", "rapport-channels")
                .set("channels.trackingSecret", "").set("channels.email.sendgrid.apiKey", "")
                .set("channels.sms.twilio.authToken", "").set("channels.messenger.telegram.botToken", "")
                .set("channels.messenger.telegram.webhookSecret", "").set("channels.messenger.whatsapp.token", "")
                .set("channels.messenger.whatsapp.appSecret", "").set("channels.messenger.whatsapp.verifyToken", ""));
        Map<String, EnvVar> env = env(container(r));

        assertThat(r.get(Secret.class, "demo-rapport").getData()).as("the chart's Secret keeps none of them")
                .doesNotContainKeys("tracking-secret", "smtp-password", "sendgrid-api-key", "twilio-auth-token",
                        "fcm-service-account.json", "telegram-bot-token", "telegram-webhook-secret",
                        "whatsapp-token", "whatsapp-app-secret", "whatsapp-verify-token")
                .containsKey("db-password");
        for (var e : SECRET_KEYS.entrySet()) {
            if (e.getKey().equals("RAPPORT_SMTP_PASSWORD")) {
                continue; // SendGrid is the provider
            }
            SecretKeySelector ref = env.get(e.getKey()).getValueFrom().getSecretKeyRef();
            assertThat(ref.getName()).as(e.getKey()).isEqualTo("rapport-channels");
            assertThat(ref.getKey()).as(e.getKey()).isEqualTo(e.getValue());
        }
        Volume fcm = r.get(Deployment.class, GATEWAY).getSpec().getTemplate().getSpec().getVolumes().stream()
                .filter(v -> v.getName().equals("fcm")).findFirst().orElseThrow();
        assertThat(fcm.getSecret().getSecretName()).isEqualTo("rapport-channels");
        assertThat(fcm.getSecret().getOptional()).as("a missing key keeps the pod from starting").isNotEqualTo(true);
    }

    @Test
    void productionValuesTakeEverySecretFromTheirOwnSecret() {
        Rendered r = render(PRODUCTION, t -> t);
        Map<String, EnvVar> env = env(container(r));

        assertThat(r.all(Secret.class)).isEmpty();
        assertThat(env.get("RAPPORT_EMAIL_PROVIDER").getValue()).isEqualTo("sendgrid");
        assertThat(env).containsKeys(PROVIDER_URLS.toArray(String[]::new));
        // a key the gateway cannot start without stops the pod when it is missing; a webhook's secret may be left out
        for (String required : List.of("RAPPORT_TRACKING_SECRET", "RAPPORT_SENDGRID_API_KEY",
                "RAPPORT_TWILIO_AUTH_TOKEN", "RAPPORT_TELEGRAM_BOT_TOKEN", "RAPPORT_WHATSAPP_TOKEN")) {
            SecretKeySelector ref = env.get(required).getValueFrom().getSecretKeyRef();
            assertThat(ref.getName()).isEqualTo("rapport-channels");
            assertThat(ref.getOptional()).as(required).isNotEqualTo(true);
        }
        // SMTP takes over while SendGrid keeps failing; as for a chosen SMTP server, its password may be left out
        assertThat(env.get("RAPPORT_EMAIL_FALLBACK_PROVIDER").getValue()).isEqualTo("smtp");
        assertThat(env.get("RAPPORT_SMTP_HOST").getValue()).isEqualTo("smtp-relay.shop.example.com");
        assertThat(env.get("RAPPORT_TWILIO_RATE_LIMIT").getValue()).isEqualTo("10");
        assertThat(env.get("RAPPORT_TELEGRAM_RATE_LIMIT").getValue()).isEqualTo("30");
        for (String optional : List.of("RAPPORT_SMTP_PASSWORD", "RAPPORT_TELEGRAM_WEBHOOK_SECRET",
                "RAPPORT_WHATSAPP_APP_SECRET", "RAPPORT_WHATSAPP_VERIFY_TOKEN")) {
            SecretKeySelector ref = env.get(optional).getValueFrom().getSecretKeyRef();
            assertThat(ref.getName()).isEqualTo("rapport-channels");
            assertThat(ref.getOptional()).as(optional).isTrue();
        }
        secretsComeFromSecrets(env);
    }

    @Test
    void aProviderTurnedOffAgainSetsNoUrl() {
        Rendered r = render(DEFAULT, t -> everyProvider(t).set("channels.email.provider", "smtp")
                .set("channels.sms.twilio.enabled", false).set("channels.push.fcm.enabled", false)
                .set("channels.messenger.telegram.enabled", false).set("channels.messenger.whatsapp.enabled", false));
        Container c = container(r);
        // their settings stay in the values, but nothing of them reaches the gateway
        assertThat(env(c)).doesNotContainKeys(PROVIDER_URLS.toArray(String[]::new))
                .doesNotContainKeys("RAPPORT_TWILIO_ACCOUNT_SID", "RAPPORT_FCM_PROJECT_ID",
                        "RAPPORT_WHATSAPP_PHONE_NUMBER_ID", "RAPPORT_SENDGRID_WEBHOOK_PUBLIC_KEY");
        assertThat(c.getVolumeMounts()).extracting(VolumeMount::getName).containsExactly("tmp");
        assertThat(r.get(Secret.class, "demo-rapport").getData()).doesNotContainKeys("sendgrid-api-key",
                "twilio-auth-token", "telegram-bot-token", "whatsapp-token");
    }

    @Test
    void anEmailFallbackSetsItsVariableAndTheFallbackProvidersSettings() {
        // SMTP chosen, SendGrid taking over while it keeps failing: both send, so both get their server or URL and key
        Rendered r = render(DEFAULT, t -> t.set("channels.email.fallback", "sendgrid")
                .set("channels.email.sendgrid.apiKey", "SG.fallback-key"));
        Map<String, EnvVar> env = env(container(r));

        assertThat(env.get("RAPPORT_EMAIL_PROVIDER").getValue()).isEqualTo("smtp");
        assertThat(env.get("RAPPORT_EMAIL_FALLBACK_PROVIDER").getValue()).isEqualTo("sendgrid");
        assertThat(env.get("RAPPORT_SMTP_HOST").getValue()).isEqualTo("smtp.example.com");
        assertThat(r.secretValue(env.get("RAPPORT_SMTP_PASSWORD"))).isEmpty();
        assertThat(env.get("RAPPORT_SENDGRID_API_URL").getValue()).isEqualTo("https://api.sendgrid.com");
        assertThat(r.secretValue(env.get("RAPPORT_SENDGRID_API_KEY"))).isEqualTo("SG.fallback-key");
        assertThat(env.get("RAPPORT_SENDGRID_API_KEY").getValueFrom().getSecretKeyRef().getOptional())
                .as("SendGrid does not send without its key").isNotEqualTo(true);
        assertThat(env).as("no event webhook key given").doesNotContainKey("RAPPORT_SENDGRID_WEBHOOK_PUBLIC_KEY");
        secretsComeFromSecrets(env);

        // SendGrid chosen, SMTP taking over
        Rendered back = render(DEFAULT, t -> everyProvider(t).set("channels.email.fallback", "smtp")
                .set("channels.email.smtp.username", "rapport").set("channels.email.smtp.password", "smtp-secret")
                .setFile("channels.push.fcm.serviceAccountJson", serviceAccount));
        Map<String, EnvVar> backEnv = env(container(back));
        assertThat(backEnv.get("RAPPORT_EMAIL_PROVIDER").getValue()).isEqualTo("sendgrid");
        assertThat(backEnv.get("RAPPORT_EMAIL_FALLBACK_PROVIDER").getValue()).isEqualTo("smtp");
        assertThat(backEnv.get("RAPPORT_SMTP_HOST").getValue()).isEqualTo("smtp.example.com");
        assertThat(backEnv.get("RAPPORT_SMTP_PORT").getValue()).isEqualTo("587");
        assertThat(backEnv.get("RAPPORT_SMTP_USER").getValue()).isEqualTo("rapport");
        assertThat(back.secretValue(backEnv.get("RAPPORT_SMTP_PASSWORD"))).isEqualTo("smtp-secret");
        assertThat(back.secretValue(backEnv.get("RAPPORT_SENDGRID_API_KEY"))).isEqualTo("SG.sendgrid-key");
        secretsComeFromSecrets(backEnv);

        // with the secrets kept elsewhere, the fallback's key is that Secret's
        Map<String, EnvVar> own = env(container(render(DEFAULT, t -> t.set("channels.email.fallback", "sendgrid")
                .set("channels.existingSecret", "rapport-channels").set("channels.trackingSecret", ""))));
        assertThat(own.get("RAPPORT_SENDGRID_API_KEY").getValueFrom().getSecretKeyRef().getName())
                .isEqualTo("rapport-channels");
    }

    @Test
    void rateLimitsAndTheProviderTimeoutReachTheGatewayAsVariables() {
        Rendered r = render(DEFAULT, t -> t);
        Map<String, EnvVar> env = env(container(r));
        // every provider's limit, on or off: 0 (none) but the Bot API's 30
        assertThat(env.get("RAPPORT_SMTP_RATE_LIMIT").getValue()).isEqualTo("0");
        assertThat(env.get("RAPPORT_SENDGRID_RATE_LIMIT").getValue()).isEqualTo("0");
        assertThat(env.get("RAPPORT_TWILIO_RATE_LIMIT").getValue()).isEqualTo("0");
        assertThat(env.get("RAPPORT_FCM_RATE_LIMIT").getValue()).isEqualTo("0");
        assertThat(env.get("RAPPORT_TELEGRAM_RATE_LIMIT").getValue()).isEqualTo("30");
        assertThat(env.get("RAPPORT_WHATSAPP_RATE_LIMIT").getValue()).isEqualTo("0");
        assertThat(env.get("RAPPORT_PROVIDER_TIMEOUT").getValue()).isEqualTo("15s");
        for (Deployment d : r.all(Deployment.class)) {
            if (!d.getMetadata().getName().equals(GATEWAY)) {
                assertThat(env(d.getSpec().getTemplate().getSpec().getContainers().get(0)))
                        .doesNotContainKeys("RAPPORT_TELEGRAM_RATE_LIMIT", "RAPPORT_PROVIDER_TIMEOUT");
            }
        }

        // a values file's number is read as a float: it still reaches the gateway as a whole number
        Map<String, EnvVar> set = env(container(render(DEFAULT, t -> t.withValuesFile(limits)
                .set("channels.rateLimits.telegram", 0).set("channels.providerTimeout", "1m"))));
        assertThat(set.get("RAPPORT_TWILIO_RATE_LIMIT").getValue()).isEqualTo("1000000");
        assertThat(set.get("RAPPORT_SENDGRID_RATE_LIMIT").getValue()).isEqualTo("250");
        assertThat(set.get("RAPPORT_TELEGRAM_RATE_LIMIT").getValue()).isEqualTo("0");
        assertThat(set.get("RAPPORT_PROVIDER_TIMEOUT").getValue()).isEqualTo("1m");
        for (String most : List.of("60s", "60000ms", "500ms")) {
            assertThat(env(container(render(DEFAULT, t -> t.set("channels.providerTimeout", most))))
                    .get("RAPPORT_PROVIDER_TIMEOUT").getValue()).isEqualTo(most);
        }
    }

    @Test
    void aDisabledGatewayNeedsNoneOfIt() {
        Rendered r = render(DEFAULT, t -> t.set("services.channel-gateway.enabled", false)
                .set("channels.publicUrl", "").set("channels.trackingSecret", "")
                .set("channels.email.smtp.host", ""));
        assertThat(r.names(Deployment.class)).doesNotContain(GATEWAY);
        assertThat(r.get(Secret.class, "demo-rapport").getData()).doesNotContainKeys("tracking-secret",
                "smtp-password");
    }

    // ---------------------------------------------------------------------------------------------- bad values ---

    @Test
    void refusesAGatewayWithoutWhereItIsReachedOrItsTrackingKey() {
        assertThatThrownBy(() -> render(DEFAULT, t -> t.set("channels.publicUrl", "")))
                .hasMessageContaining("channels.publicUrl is required while channel-gateway is enabled");
        assertThatThrownBy(() -> render(DEFAULT, t -> t.set("channels.trackingSecret", "")))
                .hasMessageContaining("channels.trackingSecret or channels.existingSecret is required");
        assertThatThrownBy(() -> render(DEFAULT, t -> t.set("channels.trackingSecret", "too-short")))
                .hasMessageContaining("channels.trackingSecret must have at least 16 characters (it has 9)");
        // counted in characters, as the gateway counts them: eight Cyrillic letters are sixteen bytes, and too short
        assertThatThrownBy(() -> render(DEFAULT, t -> t.set("channels.trackingSecret", "ключключ")))
                .hasMessageContaining("at least 16 characters (it has 8)");
        assertThat(render(DEFAULT, t -> t.set("channels.trackingSecret", "ключключключключ")).names(Deployment.class))
                .contains(GATEWAY);
        assertThatThrownBy(() -> render(DEFAULT, t -> t.set("channels.email.smtp.host", "")))
                .hasMessageContaining("channels.email.smtp.host is required while channels.email.provider is smtp");
    }

    @Test
    void refusesAnEnabledProviderWithoutWhatItNeeds() {
        assertThatThrownBy(() -> render(DEFAULT, t -> everyProvider(t).set("channels.email.sendgrid.apiKey", "")))
                .hasMessageContaining("channels.email.sendgrid.apiKey or channels.existingSecret is required");
        assertThatThrownBy(() -> render(DEFAULT, t -> everyProvider(t).set("channels.sms.twilio.accountSid", "")))
                .hasMessageContaining("channels.sms.twilio.accountSid is required");
        assertThatThrownBy(() -> render(DEFAULT, t -> everyProvider(t).set("channels.sms.twilio.authToken", "")))
                .hasMessageContaining("channels.sms.twilio.authToken or channels.existingSecret is required");
        assertThatThrownBy(() -> render(DEFAULT, t -> everyProvider(t).set("channels.push.fcm.projectId", "")))
                .hasMessageContaining("channels.push.fcm.projectId is required");
        assertThatThrownBy(() -> render(DEFAULT, t -> everyProvider(t)))
                .hasMessageContaining("channels.push.fcm.serviceAccountJson or channels.existingSecret is required");
        // a path given where the file's content belongs (--set instead of --set-file)
        assertThatThrownBy(() -> render(DEFAULT, t -> everyProvider(t)
                .set("channels.push.fcm.serviceAccountJson", "./service-account.json")))
                .hasMessageContaining("channels.push.fcm.serviceAccountJson is not a service account's JSON key");
        UnaryOperator<TemplateCommand> withKey = t -> everyProvider(t)
                .setFile("channels.push.fcm.serviceAccountJson", serviceAccount);
        assertThatThrownBy(() -> render(DEFAULT, t -> withKey.apply(t)
                .set("channels.messenger.telegram.botToken", "")))
                .hasMessageContaining("channels.messenger.telegram.botToken or channels.existingSecret is required");
        assertThatThrownBy(() -> render(DEFAULT, t -> withKey.apply(t)
                .set("channels.messenger.whatsapp.phoneNumberId", "")))
                .hasMessageContaining("channels.messenger.whatsapp.phoneNumberId is required");
        assertThatThrownBy(() -> render(DEFAULT, t -> withKey.apply(t).set("channels.messenger.whatsapp.token", "")))
                .hasMessageContaining("channels.messenger.whatsapp.token or channels.existingSecret is required");
    }

    @Test
    void refusesAnEmailFallbackThatIsTheProviderOrLacksWhatItNeeds() {
        assertThatThrownBy(() -> render(DEFAULT, t -> t.set("channels.email.fallback", "smtp")))
                .hasMessageContaining("channels.email.fallback must differ from channels.email.provider")
                .hasMessageContaining("(both are smtp)");
        assertThatThrownBy(() -> render(DEFAULT, t -> everyProvider(t).set("channels.email.fallback", "sendgrid")))
                .hasMessageContaining("(both are sendgrid)");
        // the fallback's own settings, with the same messages as the chosen provider's
        assertThatThrownBy(() -> render(DEFAULT, t -> everyProvider(t).set("channels.email.smtp.host", "")
                .set("channels.email.fallback", "smtp")))
                .hasMessageContaining("channels.email.smtp.host is required while channels.email.fallback is smtp");
        assertThatThrownBy(() -> render(DEFAULT, t -> t.set("channels.email.fallback", "sendgrid")))
                .hasMessageContaining("channels.email.sendgrid.apiKey or channels.existingSecret is required while "
                        + "channels.email.fallback is sendgrid");
        // the chosen provider's come first
        assertThatThrownBy(() -> render(DEFAULT, t -> t.set("channels.email.smtp.host", "")
                .set("channels.email.fallback", "sendgrid")))
                .hasMessageContaining("channels.email.smtp.host is required while channels.email.provider is smtp");
        assertThatThrownBy(() -> render(DEFAULT, t -> t.set("channels.email.fallback", "mailgun")))
                .hasMessageContaining("/channels/email/fallback");
    }

    @Test
    void refusesARateLimitOrAProviderTimeoutOutOfRange() {
        assertThatThrownBy(() -> render(DEFAULT, t -> t.set("channels.rateLimits.twilio", -1)))
                .hasMessageContaining("/channels/rateLimits/twilio");
        assertThatThrownBy(() -> render(DEFAULT, t -> t.set("channels.rateLimits.fcm", "2.5")))
                .hasMessageContaining("/channels/rateLimits/fcm");
        assertThatThrownBy(() -> render(DEFAULT, t -> t.set("channels.rateLimits.telegram", "thirty")))
                .hasMessageContaining("/channels/rateLimits/telegram");
        assertThatThrownBy(() -> render(DEFAULT, t -> t.set("channels.rateLimits.mailgun", 10)))
                .hasMessageContaining("mailgun");
        // not a duration the chart reads: no unit (YAML reads a number), a unit spelt out, ISO 8601, zero, a fraction
        for (String bad : List.of("15", "15 s", "15sec", "PT15S", "fifteen", "0s", "-5s", "1.5s")) {
            assertThatThrownBy(() -> render(DEFAULT, t -> t.set("channels.providerTimeout", bad))).as(bad)
                    .hasMessageContaining("/channels/providerTimeout");
        }
        // a timeout near the lease would count a slow send as an interrupted one
        for (String over : List.of("61s", "2m", "60001ms", "99999999999999999999s")) {
            assertThatThrownBy(() -> render(DEFAULT, t -> t.set("channels.providerTimeout", over))).as(over)
                    .hasMessageContaining("channels.providerTimeout (" + over + ") must be at most 60s")
                    .hasMessageContaining("lease");
        }
    }

    @Test
    void refusesExtraEnvThatWouldSetTheGatewaysVariables() {
        // a secret set there would sit in a plain env value; a provider's URL there would bypass its settings
        for (String name : List.of("RAPPORT_TWILIO_AUTH_TOKEN", "RAPPORT_TRACKING_SECRET", "RAPPORT_TELEGRAM_API_URL",
                "RAPPORT_FCM_SERVICE_ACCOUNT_FILE", "RAPPORT_EMAIL_FALLBACK_PROVIDER", "RAPPORT_TELEGRAM_RATE_LIMIT",
                "RAPPORT_PROVIDER_TIMEOUT")) {
            assertThatThrownBy(() -> render(DEFAULT, t -> t.set("services.channel-gateway.extraEnv[0].name", name)
                    .set("services.channel-gateway.extraEnv[0].value", "x")))
                    .hasMessageContaining("services.channel-gateway: extraEnv sets " + name);
        }
        assertThatThrownBy(() -> render(DEFAULT, t -> t.set("defaults.extraEnv[0].name", "RAPPORT_SMTP_PASSWORD")
                .set("defaults.extraEnv[0].value", "x")))
                .hasMessageContaining("services.channel-gateway: extraEnv sets RAPPORT_SMTP_PASSWORD");
    }

    @Test
    void refusesChannelValuesOfTheWrongShape() {
        assertThatThrownBy(() -> render(DEFAULT, t -> t.set("channels.email.smtp.hots", "smtp.example.com")))
                .hasMessageContaining("hots");
        assertThatThrownBy(() -> render(DEFAULT, t -> t.set("channels.sms.twillio.enabled", true)))
                .hasMessageContaining("twillio");
        assertThatThrownBy(() -> render(DEFAULT, t -> t.set("channels.push.fcm.serviceAccountFile", "/key.json")))
                .hasMessageContaining("serviceAccountFile");
        assertThatThrownBy(() -> render(DEFAULT, t -> t.set("channels.sms.twilio.enabled", "yes")))
                .hasMessageContaining("/channels/sms/twilio/enabled");
        assertThatThrownBy(() -> render(DEFAULT, t -> t.set("channels.email.smtp.port", "submission")))
                .hasMessageContaining("/channels/email/smtp/port");
        assertThatThrownBy(() -> render(DEFAULT, t -> t.set("channels.email.smtp.port", 70000)))
                .hasMessageContaining("/channels/email/smtp/port");
        assertThatThrownBy(() -> render(DEFAULT, t -> t.set("channels.email.smtp.startTls", true)))
                .hasMessageContaining("/channels/email/smtp/startTls");
        assertThatThrownBy(() -> render(DEFAULT, t -> t.set("channels.email.provider", "mailgun")))
                .hasMessageContaining("/channels/email/provider");
        assertThatThrownBy(() -> render(DEFAULT, t -> t.set("channels.publicUrl", "http://rapport.example.com")))
                .hasMessageContaining("/channels/publicUrl");
        assertThatThrownBy(() -> render(DEFAULT, t -> t.set("channels.publicUrl", "rapport.example.com")))
                .hasMessageContaining("/channels/publicUrl");
        assertThatThrownBy(() -> render(DEFAULT, t -> t.set("channels.messenger.telegram.url", "api.telegram.org")))
                .hasMessageContaining("/channels/messenger/telegram/url");
        assertThatThrownBy(() -> render(DEFAULT, t -> t.set("channels.sms.twilio.accountSid", "my-account")))
                .hasMessageContaining("/channels/sms/twilio/accountSid");
        assertThatThrownBy(() -> render(DEFAULT, t -> t.set("channels.trackingSecret", 1234567890123456789L)))
                .hasMessageContaining("/channels/trackingSecret");
    }

    // ------------------------------------------------------------------------------------------------- helpers ---

    /** Every provider on, its secrets in the chart's Secret; FCM's key is left to the caller. */
    private static TemplateCommand everyProvider(TemplateCommand t) {
        return t.withValuesFile(everyProvider);
    }

    private static Container container(Rendered r) {
        return r.get(Deployment.class, GATEWAY).getSpec().getTemplate().getSpec().getContainers().get(0);
    }

    /** No secret of the gateway's is a plain env value: each is a reference to its key in a Secret. */
    private static void secretsComeFromSecrets(Map<String, EnvVar> env) {
        for (var e : SECRET_KEYS.entrySet()) {
            EnvVar var = env.get(e.getKey());
            if (var != null) {
                assertThat(var.getValue()).as(e.getKey()).isNull();
                assertThat(var.getValueFrom().getSecretKeyRef().getKey()).as(e.getKey()).isEqualTo(e.getValue());
            }
        }
    }

    private static String decoded(Secret secret, String key) {
        return new String(Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
    }
}
