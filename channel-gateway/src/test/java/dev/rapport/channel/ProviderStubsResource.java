package dev.rapport.channel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

import dev.rapport.stubs.StubServer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * The providers' stand-ins (provider-stubs, speaking Twilio's Messages API and the others' wire formats) beside the
 * gateway under test, with the gateway pointed at them; every test of the module shares them.
 */
@QuarkusTestResource(ProviderStubsResource.class)
public class ProviderStubsResource implements QuarkusTestResourceLifecycleManager {

    static final String TWILIO_SID = "AC0000000000000000000000000000test";
    static final String TWILIO_TOKEN = "twilio-test-token";
    private static volatile StubServer stubs;

    /** The running stand-ins. */
    public static StubServer stubs() {
        return stubs;
    }

    @Override
    public Map<String, String> start() {
        try {
            stubs = StubServer.start(0, StubServer.Credentials.demo().withTwilio(TWILIO_SID, TWILIO_TOKEN));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of("rapport.channel.twilio.url", stubs.base() + "/twilio", "rapport.channel.twilio.account-sid",
                TWILIO_SID, "rapport.channel.twilio.auth-token", TWILIO_TOKEN, "rapport.channel.telegram.url",
                stubs.base() + "/telegram", "rapport.channel.telegram.bot-token", stubs.telegram().token());
    }

    @Override
    public void stop() {
        if (stubs != null) {
            stubs.close();
        }
    }
}
