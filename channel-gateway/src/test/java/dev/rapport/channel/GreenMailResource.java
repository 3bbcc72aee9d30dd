package dev.rapport.channel;

import java.util.Map;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A real SMTP server (GreenMail) beside the gateway under test, on a port of its own; every test of the module shares
 * it. A test may stop it ({@link #stop}) to see the gateway meet a mail server that is down, and start it again.
 */
@QuarkusTestResource(GreenMailResource.class)
public class GreenMailResource implements QuarkusTestResourceLifecycleManager {

    private static volatile GreenMail mail;
    private static volatile int port;

    /** The running server. */
    public static GreenMail mail() {
        return mail;
    }

    /** Stops the server, as a mail server that is down. */
    public static void down() {
        mail.stop();
    }

    /** Starts it again on the same port. */
    public static void up() {
        mail = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        mail.start();
    }

    @Override
    public Map<String, String> start() {
        mail = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
        mail.start();
        port = mail.getSmtp().getPort();
        return Map.of("quarkus.mailer.host", "127.0.0.1", "quarkus.mailer.port", String.valueOf(port));
    }

    @Override
    public void stop() {
        if (mail != null) {
            mail.stop();
        }
    }
}
