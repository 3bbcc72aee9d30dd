package dev.rapport.channel.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.rapport.common.stream.EventStreamConsumer;
import dev.rapport.common.stream.StreamEvent;
import dev.rapport.common.testing.EventStreamPublisher;
import dev.rapport.common.testing.Rows;
import io.agroal.api.AgroalDataSource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A {@code profile_erased} on the stream makes the gateway forget the person (and whoever was merged into them) in its
 * messages: addresses, content, status details and event properties go; a message still waiting is never sent; an
 * event not recorded yet is dropped rather than name the person to profile-service again; other people's messages
 * stay as they were, and the erasure coming again changes nothing.
 */
@QuarkusTest
class ErasuresTest {

    @Inject
    RedisDataSource redis;

    @Inject
    EventStreamConsumer consumer;

    @Inject
    AgroalDataSource db;

    EventStreamPublisher stream;

    @BeforeEach
    void setUp() {
        stream = new EventStreamPublisher(redis, consumer);
    }

    @Test
    void anErasedPersonsMessagesAreForgottenAndTheOnesWaitingNeverGo() throws Exception {
        String erased = "p-" + UUID.randomUUID();
        String merged = "p-" + UUID.randomUUID();
        String other = "p-" + UUID.randomUUID();
        String sent = message(erased, "sent", "ivan@example.com");
        String held = message(merged, "held", "+79161234567");
        String kept = message(other, "sent", "maria@example.com");

        stream.publish(erased, StreamEvent.write("rapport:erased:" + erased, "profile_erased", null, Instant.now(),
                Instant.now(), erased, "{}", "{}", "{\"profileId\":\"" + erased + "\",\"mergedIds\":[\"" + merged
                        + "\"]}"));

        assertThat(text("SELECT address || '|' || identity || '|' || content::text || '|' || status FROM message "
                + "WHERE id = ?", sent)).isEqualTo("||{}|sent");
        assertThat(text("SELECT address || '|' || content::text || '|' || status || '|' || last_error FROM message "
                + "WHERE id = ?", held)).isEqualTo("|{}|failed|erased");
        assertThat(text("SELECT count(*) FROM message_status WHERE message_id = ? AND detail LIKE '%ivan%'", sent))
                .isEqualTo("0");
        assertThat(text("SELECT string_agg(coalesce(detail, '-'), ' | ' ORDER BY seq) FROM message_status "
                + "WHERE message_id = ?", held)).isEqualTo("- | the person was erased: not sent");
        assertThat(text("SELECT recorded || '|' || last_error || '|' || coalesce(properties::text, 'none') FROM "
                + "message_event WHERE message_id = ?", sent)).isEqualTo("true|erased|none");

        assertThat(text("SELECT address || '|' || status FROM message WHERE id = ?", kept))
                .isEqualTo("maria@example.com|sent");
        assertThat(text("SELECT recorded::text FROM message_event WHERE message_id = ?", kept)).isEqualTo("false");

        // again: nothing more to forget, nothing changed
        stream.publish(erased, StreamEvent.write("rapport:erased:" + erased, "profile_erased", null, Instant.now(),
                Instant.now(), erased, "{}", "{}", "{\"profileId\":\"" + erased + "\"}"));
        assertThat(text("SELECT count(*) FROM message_status WHERE message_id = ?", held)).isEqualTo("2");
    }

    /** A message of a person as the gateway stores it, with its history and an event not recorded yet. */
    private String message(String profile, String status, String address) throws SQLException {
        String id = "e-" + UUID.randomUUID();
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement s = c.prepareStatement("""
                    INSERT INTO message (id, profile_id, channel, purpose, address, identity, content, request_digest,
                        segments, status, attempts, next_attempt_at, created_at, updated_at)
                    VALUES (?, ?, 'email', 'transactional', ?, ?, '{"subject":"Заказ","text":"Заказ 123"}'::jsonb,
                        'digest', 1, ?, 1, now() + interval '1 day', now(), now())""")) {
                s.setString(1, id);
                s.setString(2, profile);
                s.setString(3, address);
                s.setString(4, "email:" + address);
                s.setString(5, status);
                s.executeUpdate();
            }
            try (PreparedStatement s = c.prepareStatement("INSERT INTO message_status (message_id, status, at, detail) "
                    + "VALUES (?, ?, now(), ?)")) {
                s.setString(1, id);
                s.setString(2, status);
                s.setString(3, "sent to " + address);
                s.executeUpdate();
            }
            try (PreparedStatement s = c.prepareStatement("INSERT INTO message_event (id, message_id, type, at, "
                    + "next_attempt_at, properties) VALUES (?, ?, 'message_clicked', now(), now() + interval '1 day', "
                    + "'{\"url\":\"https://shop.example.com/x\"}'::jsonb)")) {
                s.setString(1, id + ":message_clicked");
                s.setString(2, id);
                s.executeUpdate();
            }
            c.commit();
        }
        return id;
    }

    private String text(String sql, String id) throws SQLException {
        return Rows.text(db, sql, id);
    }
}
