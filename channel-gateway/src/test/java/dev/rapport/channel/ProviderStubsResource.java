package dev.rapport.channel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import dev.rapport.stubs.StubServer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * The providers' stand-ins (provider-stubs, speaking Twilio's Messages API and the others' wire formats) beside the
 * gateway under test, with the gateway pointed at them; every test of the module shares them. FCM's service account
 * key is written to a file of its own, as {@code make run} has the stand-ins write it. Email stays on SMTP unless a
 * test's profile chooses SendGrid.
 */
@QuarkusTestResource(ProviderStubsResource.class)
public class ProviderStubsResource implements QuarkusTestResourceLifecycleManager {

    static final String TWILIO_SID = "AC0000000000000000000000000000test";
    static final String TWILIO_TOKEN = "twilio-test-token";
    static final String WHATSAPP_TOKEN = "whatsapp-test-token";
    static final String WHATSAPP_PHONE_NUMBER_ID = "100000000000042";
    static final String SENDGRID_KEY = "SG.rapport-test.sendgrid-test-key";
    private static volatile StubServer stubs;
    private Path fcmKeyFile;

    /** The running stand-ins. */
    public static StubServer stubs() {
        return stubs;
    }

    @Override
    public Map<String, String> start() {
        try {
            stubs = StubServer.start(0, StubServer.Credentials.demo().withTwilio(TWILIO_SID, TWILIO_TOKEN)
                    .withWhatsapp(WHATSAPP_TOKEN, WHATSAPP_PHONE_NUMBER_ID).withSendgrid(SENDGRID_KEY));
            fcmKeyFile = Files.createTempFile("rapport-fcm-service-account", ".json",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(fcmKeyFile, stubs.fcm().serviceAccount().json());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.ofEntries(Map.entry("rapport.channel.twilio.url", stubs.base() + "/twilio"),
                Map.entry("rapport.channel.twilio.account-sid", TWILIO_SID),
                Map.entry("rapport.channel.twilio.auth-token", TWILIO_TOKEN),
                Map.entry("rapport.channel.telegram.url", stubs.base() + "/telegram"),
                Map.entry("rapport.channel.telegram.bot-token", stubs.telegram().token()),
                Map.entry("rapport.channel.fcm.url", stubs.base() + "/fcm"),
                Map.entry("rapport.channel.fcm.service-account-file", fcmKeyFile.toString()),
                Map.entry("rapport.channel.fcm.project-id", stubs.fcm().projectId()),
                Map.entry("rapport.channel.whatsapp.url", stubs.base() + "/whatsapp"),
                Map.entry("rapport.channel.whatsapp.token", WHATSAPP_TOKEN),
                Map.entry("rapport.channel.whatsapp.phone-number-id", WHATSAPP_PHONE_NUMBER_ID),
                Map.entry("rapport.channel.sendgrid.url", stubs.base() + "/sendgrid"),
                Map.entry("rapport.channel.sendgrid.api-key", SENDGRID_KEY));
    }

    @Override
    public void stop() {
        if (stubs != null) {
            stubs.close();
        }
        if (fcmKeyFile != null) {
            try {
                Files.deleteIfExists(fcmKeyFile);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
