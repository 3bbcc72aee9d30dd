package dev.rapport.desk;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

import dev.rapport.stubs.StubServer;
import dev.rapport.stubs.ZendeskStub;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Starts the Zendesk stand-in (provider-stubs) beside the bridge under test and points the bridge's Zendesk API at it;
 * every test of the module shares it (and so one start of the bridge). The scheduled rounds are slowed down so tests
 * run them themselves.
 */
@QuarkusTestResource(ZendeskStubResource.class)
public class ZendeskStubResource implements QuarkusTestResourceLifecycleManager {

    static final String USER = "agent@example.com";
    static final String TOKEN = "zendesk-test-token";
    private static volatile StubServer stubs;

    /** The running Zendesk stand-in. */
    public static ZendeskStub zendesk() {
        return stubs.zendesk();
    }

    @Override
    public Map<String, String> start() {
        try {
            stubs = StubServer.start(0, USER, TOKEN);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of("rapport.desk.zendesk-api-url", stubs.base() + "/zendesk", "rapport.desk.zendesk-api-user", USER,
                "rapport.desk.zendesk-api-token", TOKEN, "rapport.desk.reconcile-interval", "1h");
    }

    @Override
    public void stop() {
        if (stubs != null) {
            stubs.close();
        }
    }
}
