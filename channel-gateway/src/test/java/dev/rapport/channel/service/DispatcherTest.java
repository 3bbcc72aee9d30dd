package dev.rapport.channel.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import jakarta.inject.Inject;
import jakarta.mail.internet.MimeMessage;

import org.junit.jupiter.api.Test;

import dev.rapport.channel.GreenMailResource;
import dev.rapport.channel.ProviderStubsResource;
import dev.rapport.common.testing.Await;
import dev.rapport.common.testing.Rows;
import dev.rapport.stubs.Holds;
import dev.rapport.stubs.TelegramStub;
import dev.rapport.stubs.TwilioStub;
import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The dispatcher hands stored messages to real SMTP (GreenMail) once; keeps a message whose mail server is down and
 * sends it when it is back; drops a message past its expiry; never lets a marketing message go without
 * suppression-service's decision (down beside these tests: it gives up after its attempts); and, for a hand-off
 * interrupted between the provider call and its record, sends a transactional message again but not a marketing one
 * (docs/adr/0012). The events wait in the database while profile-service cannot take them.
 */
@QuarkusTest
class DispatcherTest {

    @Inject
    AgroalDataSource db;

    @Inject
    MeterRegistry metrics;

    @Test
    void aQueuedEmailGoesOnceThroughSmtpAndItsEventWaitsForProfileService() throws Exception {
        String id = stored("transactional", "queued", null, null);
        Await.until(() -> "sent".equals(status(id)), "handed to SMTP");
        List<MimeMessage> mail = mailFor(id);
        assertThat(mail).hasSize(1);
        assertThat(mail.get(0).getSubject()).isEqualTo("Ваш заказ передан в доставку");
        assertThat(mail.get(0).getAllRecipients()[0].toString()).isEqualTo(address(id));
        assertThat(history(id)).containsExactly("queued", "sent");
        assertThat(text("SELECT provider FROM message WHERE id = ?", id)).isEqualTo("smtp");
        Await.until(() -> number("SELECT attempts FROM message_event WHERE message_id = ?", id) >= 1,
                "the event tried, profile-service being down");
        assertThat(text("SELECT type || ':' || recorded FROM message_event WHERE message_id = ?", id))
                .isEqualTo("message_sent:false");
        Thread.sleep(500);
        assertThat(mailFor(id)).as("sent once").hasSize(1);
    }

    @Test
    void anEmailWhoseMailServerIsDownIsKeptAndSentWhenItIsBack() throws Exception {
        GreenMailResource.down();
        String id;
        try {
            id = stored("transactional", "queued", null, null);
            Await.until(() -> number("SELECT attempts FROM message WHERE id = ?", id) >= 2, "tried again");
            assertThat(status(id)).isIn("queued", "sending");
            assertThat(text("SELECT last_error FROM message WHERE id = ?", id)).isNotBlank();
        } finally {
            GreenMailResource.up();
        }
        Await.until(() -> "sent".equals(status(id)), "sent once the server is back");
        assertThat(mailFor(id)).hasSize(1);
    }

    @Test
    void aMessagePastItsExpiryIsDroppedNotSent() throws Exception {
        String id = stored("transactional", "queued", null, Instant.now().minusSeconds(1));
        Await.until(() -> "expired".equals(status(id)), "dropped");
        assertThat(mailFor(id)).isEmpty();
    }

    @Test
    void aMarketingMessageNeverGoesWithoutSuppressionsDecision() throws Exception {
        String id = stored("marketing", "queued", null, null);
        Await.until(() -> "failed".equals(status(id)), "given up: suppression-service never answered");
        assertThat(text("SELECT last_error FROM message WHERE id = ?", id)).contains("suppression-service");
        assertThat(mailFor(id)).isEmpty();
    }

    @Test
    void anInterruptedHandOffGoesAgainWhenTransactionalButNotWhenMarketing() throws Exception {
        Instant ranOut = Instant.now().minusSeconds(5);
        String promo = stored("marketing", "sending", ranOut, null);
        String order = stored("transactional", "sending", ranOut, null);
        Await.until(() -> "failed".equals(status(promo)) && "sent".equals(status(order)), "looked at again");
        assertThat(text("SELECT detail FROM message_status WHERE message_id = ? ORDER BY seq DESC LIMIT 1", promo))
                .contains("interrupted", "at most once");
        assertThat(mailFor(promo)).isEmpty();
        assertThat(mailFor(order)).hasSize(1);
        assertThat(history(order)).containsSubsequence("queued", "sent");
    }

    @Test
    void anSmsGoesThroughTwilioAndTwiliosRefusalsAreReadByTheirCode() throws Exception {
        TwilioStub twilio = ProviderStubsResource.stubs().twilio();
        String id = storedTo("transactional", "sms", "+79161230001", "{\"text\":\"Код 1234\"}");
        Await.until(() -> "sent".equals(status(id)), "handed to Twilio");
        String sid = text("SELECT provider_message_id FROM message WHERE id = ?", id);
        assertThat(sid).startsWith("SM");
        assertThat(twilio.message(sid).path("to").asText()).isEqualTo("+79161230001");
        assertThat(twilio.message(sid).path("body").asText()).isEqualTo("Код 1234");

        // a number that replied STOP (error 21610) can never be reached
        twilio.optOut("+79161230002");
        String stopped = storedTo("transactional", "sms", "+79161230002", "{\"text\":\"Код 1234\"}");
        Await.until(() -> "bounced".equals(status(stopped)), "unreachable");
        assertThat(text("SELECT last_error FROM message WHERE id = ?", stopped)).contains("21610");

        // busy (429 with Retry-After): tried again after the pause Twilio asked for, which spent no attempt
        twilio.failNext(429, 1);
        String busy = storedTo("transactional", "sms", "+79161230003", "{\"text\":\"Код 1234\"}");
        Await.until(() -> "sent".equals(status(busy)), "sent after the pause");
        assertThat(number("SELECT attempts FROM message WHERE id = ?", busy)).isEqualTo(1);
        assertThat(text("SELECT string_agg(detail, ' | ') FROM message_status WHERE message_id = ?", busy))
                .contains("twilio asked to wait");
    }

    @Test
    void aProviderTakingItsTimeHoldsOnlyItsOwnMessageWhichGoesAgainWhenUnansweredAndTransactional() throws Exception {
        Holds holds = ProviderStubsResource.stubs().holds();
        String slow;
        holds.hold("telegram");
        try {
            slow = storedTo("transactional", "messenger", "telegram:500200", "{\"text\":\"Заказ 123 в пути\"}");
            Await.until(() -> holds.held("telegram") >= 1, "Telegram holds it");
            String sms = storedTo("transactional", "sms", "+79161230009", "{\"text\":\"Код 1234\"}");
            Await.until(() -> "sent".equals(status(sms)), "the SMS went meanwhile");
            assertThat(status(slow)).isEqualTo("sending");
            Await.until(() -> number("SELECT attempts FROM message WHERE id = ?", slow) >= 2,
                    "unanswered past the provider timeout: handed off again (transactional goes at least once)");
            assertThat(text("SELECT string_agg(detail, ' | ') FROM message_status WHERE message_id = ?", slow))
                    .contains("Telegram cannot be reached");
        } finally {
            holds.release("telegram");
        }
        Await.until(() -> "sent".equals(status(slow)), "sent once Telegram answers");
    }

    @Test
    void handOffsToOneProviderRunAtOnceBeyondTheHttpClientsDefaultOfFiveConnections() throws Exception {
        Holds holds = ProviderStubsResource.stubs().holds();
        List<String> ids = new ArrayList<>();
        holds.hold("twilio");
        try {
            for (int i = 0; i < 8; i++) {
                ids.add(storedTo("transactional", "sms", "+7916125" + String.format("%04d", i),
                        "{\"text\":\"Код 1234\"}"));
            }
            Await.until(() -> holds.held("twilio") >= 8, "all eight in Twilio's hands at once");
        } finally {
            holds.release("twilio");
        }
        Await.until(() -> ids.stream().allMatch(id -> "sent".equals(unchecked(() -> status(id)))), "all sent");
    }

    @Test
    void smsWaitForTwiliosRateLimitCountedInSegmentsWithoutSpendingAttempts() throws Exception {
        // the test profile allows Twilio 40 segments a second: twelve 5-part messages (60 segments) cannot all go now
        double limitedBefore = limited();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            ids.add(stored("d-" + UUID.randomUUID(), "transactional", "sms", "+7916124" + String.format("%04d", i),
                    "queued", null, null, "{\"text\":\"Длинное сообщение\"}", 5));
        }
        Await.until(() -> ids.stream().allMatch(id -> "sent".equals(unchecked(() -> status(id)))), "all sent");
        assertThat(limited()).as("some waited for the bucket").isGreaterThan(limitedBefore);
        for (String id : ids) {
            assertThat(number("SELECT attempts FROM message WHERE id = ?", id)).as("waiting spent nothing")
                    .isEqualTo(1);
            assertThat(history(id)).as("waiting is no news").containsExactly("queued", "sent");
        }
        String sids = ids.stream().map(id -> unchecked(() -> text("SELECT provider_message_id FROM message "
                + "WHERE id = ?", id))).reduce((a, b) -> a + "," + b).orElseThrow();
        assertThat(sids.split(",")).doesNotHaveDuplicates().hasSize(12);
    }

    private double limited() {
        return metrics.find("rapport.channel.rate.limited").tag("provider", "twilio").counters()
                .stream().mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
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

    @Test
    void aTelegramMessageGoesThroughTheBotApiAndABlockedBotMeansUnreachable() throws Exception {
        TelegramStub telegram = ProviderStubsResource.stubs().telegram();
        String id = storedTo("transactional", "messenger", "telegram:500100", "{\"text\":\"Заказ 123 в пути\"}");
        Await.until(() -> "sent".equals(status(id)), "handed to Telegram");
        assertThat(text("SELECT provider || '/' || provider_message_id FROM message WHERE id = ?", id))
                .startsWith("telegram/500100:");

        telegram.block("500101");
        String blocked = storedTo("transactional", "messenger", "telegram:500101", "{\"text\":\"Заказ в пути\"}");
        Await.until(() -> "bounced".equals(status(blocked)), "unreachable");
        assertThat(text("SELECT last_error FROM message WHERE id = ?", blocked)).contains("bot was blocked");

        // flood control: the pause Telegram names, then sent
        telegram.retryAfter(1);
        telegram.failNext(429, 1);
        String flood = storedTo("transactional", "messenger", "telegram:500102", "{\"text\":\"Заказ в пути\"}");
        Await.until(() -> "sent".equals(status(flood)), "sent after the pause");
        assertThat(text("SELECT string_agg(detail, ' | ') FROM message_status WHERE message_id = ?", flood))
                .contains("retry after 1");
    }

    /** A message as the gateway stores it, with its first status, in one transaction (the dispatcher is running). */
    private String stored(String purpose, String status, Instant leaseUntil, Instant expiresAt) throws SQLException {
        String id = "d-" + UUID.randomUUID();
        return stored(id, purpose, "email", id + "@example.com", status, leaseUntil, expiresAt,
                "{\"subject\":\"Ваш заказ передан в доставку\",\"text\":\"Заказ 123 в пути\"}");
    }

    private String storedTo(String purpose, String channel, String address, String content) throws SQLException {
        return stored("d-" + UUID.randomUUID(), purpose, channel, address, "queued", null, null, content);
    }

    private String stored(String id, String purpose, String channel, String address, String status,
            Instant leaseUntil, Instant expiresAt, String content) throws SQLException {
        return stored(id, purpose, channel, address, status, leaseUntil, expiresAt, content, 1);
    }

    private String stored(String id, String purpose, String channel, String address, String status,
            Instant leaseUntil, Instant expiresAt, String content, int segments) throws SQLException {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement s = c.prepareStatement("""
                    INSERT INTO message (id, profile_id, channel, purpose, address, identity, content, request_digest,
                        segments, status, attempts, next_attempt_at, lease_until, expires_at, created_at, updated_at)
                    VALUES (?, 'p-1', ?, ?, ?, 'email:p1@example.com', ?::jsonb, 'digest', ?, ?, 0, now(), ?,
                        ?, now(), now())""")) {
                s.setString(1, id);
                s.setString(2, channel);
                s.setString(3, purpose);
                s.setString(4, address);
                s.setString(5, content);
                s.setInt(6, segments);
                s.setString(7, status);
                s.setTimestamp(8, leaseUntil == null ? null : Timestamp.from(leaseUntil));
                s.setTimestamp(9, expiresAt == null ? null : Timestamp.from(expiresAt));
                s.executeUpdate();
            }
            try (PreparedStatement s = c.prepareStatement(
                    "INSERT INTO message_status (message_id, status, at, detail) VALUES (?, 'queued', now(), 'test')")) {
                s.setString(1, id);
                s.executeUpdate();
            }
            c.commit();
        }
        return id;
    }

    private static String address(String id) {
        return id + "@example.com";
    }

    private static List<MimeMessage> mailFor(String id) throws Exception {
        List<MimeMessage> out = new ArrayList<>();
        for (MimeMessage m : GreenMailResource.mail().getReceivedMessages()) {
            String[] header = m.getHeader("X-Rapport-Message-Id");
            if (header != null && Arrays.asList(header).contains(id)) {
                out.add(m);
            }
        }
        return out;
    }

    private String status(String id) throws SQLException {
        return text("SELECT status FROM message WHERE id = ?", id);
    }

    private List<String> history(String id) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT status FROM message_status WHERE message_id = ? ORDER BY seq")) {
            s.setString(1, id);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    out.add(r.getString(1));
                }
            }
        }
        return out;
    }

    private String text(String sql, String id) throws SQLException {
        return Rows.text(db, sql, id);
    }

    private long number(String sql, String id) throws SQLException {
        return Rows.number(db, sql, id);
    }
}
