package dev.rapport.channel.provider;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;
import jakarta.mail.internet.MimeMessage;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.rapport.channel.Content;
import dev.rapport.channel.GreenMailResource;
import dev.rapport.channel.Message;
import dev.rapport.channel.ProviderStubsResource;
import dev.rapport.channel.service.Dispatcher;
import dev.rapport.common.testing.Await;
import dev.rapport.common.testing.Rows;
import dev.rapport.stubs.SendgridStub;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * With {@code rapport.channel.email-provider=sendgrid}, email goes through SendGrid's v3 mail send (the stand-in) and
 * not SMTP: the mail SendGrid receives carries the same tracked parts and headers SMTP would (the satisfaction footer
 * and pixel, List-Unsubscribe with one-click on marketing), Rapport's id in {@code custom_args.message_id} for the
 * event webhook and SendGrid's {@code X-Message-Id} becomes the provider's id; 429 waits for SendGrid's rate-limit
 * reset, a 5xx is tried again, and an address SendGrid refuses fails the message.
 */
@QuarkusTest
@TestProfile(SendgridEmailTest.Sendgrid.class)
class SendgridEmailTest {

    /** Email through SendGrid. */
    public static final class Sendgrid implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("rapport.channel.email-provider", "sendgrid", "rapport.channel.email-fallback", "smtp");
        }
    }

    @Inject
    AgroalDataSource db;

    @Inject
    SendgridEmail sendgrid;

    @Inject
    SmtpEmail smtp;

    @Inject
    Dispatcher dispatcher;

    @Test
    void emailGoesThroughSendgridAloneWithItsTrackingAndOurIdForTheWebhook() throws Exception {
        assertThat(sendgrid.enabled()).isTrue();
        assertThat(smtp.enabled()).as("SMTP as the fallback").isTrue();
        assertThat(dispatcher.serves("email")).isTrue();

        String id = stored("ada-" + UUID.randomUUID() + "@example.com");
        Await.until(() -> "sent".equals(status(id)), "handed to SendGrid");
        assertThat(text("SELECT provider FROM message WHERE id = ?", id)).isEqualTo("sendgrid");
        JsonNode sent = mailFor(id).get(0);
        assertThat(sent.path("status").asInt()).isEqualTo(202);
        assertThat(text("SELECT provider_message_id FROM message WHERE id = ?", id))
                .isEqualTo(sent.path("messageId").asText()).isNotBlank();

        JsonNode mail = sent.path("body");
        JsonNode to = mail.path("personalizations").path(0);
        assertThat(to.path("to").path(0).path("email").asText()).isEqualTo(text("SELECT address FROM message "
                + "WHERE id = ?", id));
        assertThat(to.path("custom_args").path("message_id").asText()).isEqualTo(id);
        assertThat(mail.path("from").path("email").asText()).isEqualTo("noreply@rapport.local");
        assertThat(mail.path("from").path("name").asText()).isEqualTo("Rapport");
        assertThat(mail.path("subject").asText()).isEqualTo("Ваш заказ передан в доставку");
        assertThat(mail.path("content").path(0).path("type").asText()).isEqualTo("text/plain");
        assertThat(mail.path("content").path(0).path("value").asText()).startsWith("Заказ 123 в пути")
                .contains("/t/csat/");
        assertThat(mail.path("content").path(1).path("type").asText()).isEqualTo("text/html");
        assertThat(mail.path("content").path(1).path("value").asText()).contains("/t/o/", "/t/c/", "/t/csat/")
                .doesNotContain("href=\"https://shop.example.com/orders/123\"");
        assertThat(mail.path("headers").path("X-Rapport-Message-Id").asText()).isEqualTo(id);
        assertThat(mail.path("headers").has("List-Unsubscribe")).as("not marketing").isFalse();

        assertThat(smtpMailFor(id)).as("nothing over SMTP").isEmpty();
    }

    @Test
    void aMarketingEmailCarriesOneClickUnsubscribeInSendgridsHeaders() throws Exception {
        String id = "s-" + UUID.randomUUID();
        Message m = new Message(id, "p-1", "email", "marketing", "grace@example.com", new Content("Скидки недели",
                "<p>Скидки <a href=\"https://shop.example.com/sale\">здесь</a></p>", "Скидки недели", null, null,
                null), null, List.of(), 1, null, "sending", null, null, 1, null, null, null, Instant.now(), "ru");
        String providerId = sendgrid.send(m).await().atMost(Duration.ofSeconds(10));

        JsonNode sent = mailFor(id).get(0);
        assertThat(sent.path("messageId").asText()).isEqualTo(providerId);
        JsonNode headers = sent.path("body").path("headers");
        assertThat(headers.path("List-Unsubscribe").asText()).matches("<http://[^>]+/t/u/[^>]+>");
        assertThat(headers.path("List-Unsubscribe-Post").asText()).isEqualTo("List-Unsubscribe=One-Click");
        assertThat(sent.path("body").path("content").path(0).path("value").asText()).isEqualTo("Скидки недели");
        assertThat(sent.path("body").path("content").path(1).path("value").asText()).contains("/t/c/")
                .doesNotContain("/t/csat/");
    }

    @Test
    void sendgridBusyIsTriedAgainAndAnAddressItRefusesFailsTheMessage() throws Exception {
        SendgridStub stub = ProviderStubsResource.stubs().sendgrid();
        stub.failNext(429, 1);
        String busy = stored("busy-" + UUID.randomUUID() + "@example.com");
        Await.until(() -> "sent".equals(status(busy)), "sent after the rate limit reset");
        assertThat(number("SELECT attempts FROM message WHERE id = ?", busy)).as("the pause spent no attempt")
                .isEqualTo(1);
        assertThat(details(busy)).contains("sendgrid asked to wait", "SendGrid 429", "too many requests");

        stub.failNext(500, 1);
        String broken = stored("broken-" + UUID.randomUUID() + "@example.com");
        Await.until(() -> "sent".equals(status(broken)), "sent once SendGrid is back");
        assertThat(details(broken)).contains("SendGrid 500");

        // an address SendGrid does not take (stored as if the API had let it through)
        String refused = stored("nobody@localhost");
        Await.until(() -> "failed".equals(status(refused)), "refused for good");
        assertThat(text("SELECT last_error FROM message WHERE id = ?", refused)).contains("SendGrid 400",
                "personalizations.0.to.0.email", "valid address");
        assertThat(number("SELECT attempts FROM message WHERE id = ?", refused)).isEqualTo(1);
    }

    @Test
    void whileSendgridKeepsFailingSmtpTakesOverAndEachMailGoesOnceThroughOne() throws Exception {
        SendgridStub stub = ProviderStubsResource.stubs().sendgrid();
        // the test profile's circuits look at 10 hand-offs: ten 500s in a row open SendGrid's
        stub.failNext(500, 10);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            ids.add(stored("failover-" + i + "-" + UUID.randomUUID() + "@example.com"));
        }
        Await.until(() -> ids.stream().allMatch(id -> "sent".equals(unchecked(() -> status(id)))), "all sent");
        int overSmtp = 0;
        for (String id : ids) {
            // each through one of them, once: the ones in flight as SendGrid recovered went through it
            long accepted = mailFor(id).stream().filter(r -> r.path("status").asInt() == 202).count();
            if ("smtp".equals(text("SELECT provider FROM message WHERE id = ?", id))) {
                overSmtp++;
                assertThat(smtpMailFor(id)).as("once over SMTP").hasSize(1);
                assertThat(accepted).as("and not by SendGrid").isZero();
            } else {
                assertThat(accepted).as("once by SendGrid").isEqualTo(1);
                assertThat(smtpMailFor(id)).as("and not over SMTP").isEmpty();
            }
        }
        assertThat(overSmtp).as("SMTP took over the ones SendGrid failed").isGreaterThanOrEqualTo(8);

        // once the circuit's delay is over, SendGrid answers again and takes email back
        Await.until(() -> {
            String id = stored("back-" + UUID.randomUUID() + "@example.com");
            Await.until(() -> "sent".equals(status(id)), "sent");
            return "sendgrid".equals(text("SELECT provider FROM message WHERE id = ?", id));
        }, "SendGrid takes email again");
        String again = stored("again-" + UUID.randomUUID() + "@example.com");
        Await.until(() -> "sent".equals(status(again)), "sent");
        assertThat(text("SELECT provider FROM message WHERE id = ?", again)).isEqualTo("sendgrid");
        assertThat(smtpMailFor(again)).isEmpty();
        assertThat(mailFor(again)).hasSize(1).allSatisfy(r -> assertThat(r.path("status").asInt()).isEqualTo(202));
    }

    private interface Sql<T> {
        T get() throws SQLException;
    }

    private static <T> T unchecked(Sql<T> sql) {
        try {
            return sql.get();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** SendGrid's requests for one of our messages, by its {@code custom_args.message_id}. */
    private static List<JsonNode> mailFor(String id) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode e : ProviderStubsResource.stubs().sendgrid().received()) {
            if (id.equals(e.path("body").path("personalizations").path(0).path("custom_args").path("message_id")
                    .asText())) {
                out.add(e);
            }
        }
        return out;
    }

    private static List<MimeMessage> smtpMailFor(String id) throws Exception {
        List<MimeMessage> out = new ArrayList<>();
        for (MimeMessage m : GreenMailResource.mail().getReceivedMessages()) {
            String[] header = m.getHeader("X-Rapport-Message-Id");
            if (header != null && Arrays.asList(header).contains(id)) {
                out.add(m);
            }
        }
        return out;
    }

    /** A queued transactional email as the gateway stores it (the dispatcher is running). */
    private String stored(String address) throws SQLException {
        String id = "s-" + UUID.randomUUID();
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement s = c.prepareStatement("""
                    INSERT INTO message (id, profile_id, channel, purpose, address, identity, content, request_digest,
                        segments, status, attempts, next_attempt_at, created_at, updated_at)
                    VALUES (?, 'p-1', 'email', 'transactional', ?, 'email:p1@example.com', ?::jsonb, 'digest', 1,
                        'queued', 0, now(), now(), now())""")) {
                s.setString(1, id);
                s.setString(2, address);
                s.setString(3, "{\"subject\":\"Ваш заказ передан в доставку\",\"text\":\"Заказ 123 в пути\","
                        + "\"html\":\"<p>Заказ <a href=\\\"https://shop.example.com/orders/123\\\">123</a>"
                        + " в пути</p>\"}");
                s.executeUpdate();
            }
            try (PreparedStatement s = c.prepareStatement("INSERT INTO message_status (message_id, status, at, detail) "
                    + "VALUES (?, 'queued', now(), 'test')")) {
                s.setString(1, id);
                s.executeUpdate();
            }
            c.commit();
        }
        return id;
    }

    private String status(String id) throws SQLException {
        return text("SELECT status FROM message WHERE id = ?", id);
    }

    private String details(String id) throws SQLException {
        return text("SELECT string_agg(detail, ' | ' ORDER BY seq) FROM message_status WHERE message_id = ?", id);
    }

    private String text(String sql, String id) throws SQLException {
        return Rows.text(db, sql, id);
    }

    private long number(String sql, String id) throws SQLException {
        return Rows.number(db, sql, id);
    }
}
