package dev.rapport.desk.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.rapport.common.stream.EventStreamConsumer;
import dev.rapport.common.stream.StreamEvent;
import dev.rapport.common.testing.Await;
import dev.rapport.common.testing.EventStreamPublisher;
import dev.rapport.desk.ZendeskStubResource;
import dev.rapport.stubs.ZendeskStub;
import io.agroal.api.AgroalDataSource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Unhappy customers reach a person: inbound messages of every channel come over the event stream, one that reads as
 * unhappy opens a ticket in Zendesk (its stand-in) once per conversation, with the conversation's latest messages and
 * the reason; a happy one opens nothing; a Zendesk that is down only delays the ticket; an erasure forgets the
 * messages. (No profile-service runs here: the step that puts the ticket on the profile waits, retried; the system
 * test covers it.)
 */
@QuarkusTest
class EscalationTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    RedisDataSource redis;
    @Inject
    EventStreamConsumer consumer;
    @Inject
    AgroalDataSource db;

    EventStreamPublisher stream;
    ZendeskStub zendesk = ZendeskStubResource.zendesk();

    @BeforeEach
    void setUp() {
        stream = new EventStreamPublisher(redis, consumer);
    }

    @Test
    void anUnhappySmsOpensOneTicketWithTheConversationsLatestMessages() throws Exception {
        String profile = UUID.randomUUID().toString();
        String conversation = "sms-" + UUID.randomUUID();
        Instant t = Instant.now().minus(Duration.ofMinutes(10));
        inbound(profile, "sms", null, conversation, "Здравствуйте, где мой заказ 123?", t);
        inbound(profile, "sms", null, conversation, "Жду уже две недели", t.plusSeconds(60));
        assertThat(escalation(conversation)).as("not unhappy yet").isNull();
        inbound(profile, "sms", null, conversation, "Это ужас! Третий раз пишу, никто не отвечает!!!",
                t.plusSeconds(120));

        JsonNode ticket = awaitTicket(conversation);
        assertThat(ticket.path("subject").asText()).startsWith("Unhappy customer on sms: Это ужас!");
        assertThat(ticket.path("priority").asText()).isEqualTo("high");
        List<String> comments = zendesk.comments(ticket.path("id").asLong());
        assertThat(comments).hasSize(1);
        assertThat(comments.get(0)).contains("где мой заказ 123?", "Жду уже две недели", "Третий раз пишу")
                .contains("Why: reads as unhappy").contains(profile);
        Await.until(() -> "created".equals(escalation(conversation)), "the ticket is opened in the desk");
        assertThat(column(conversation, "ticket_id")).isEqualTo(ticket.path("id").asText());

        inbound(profile, "sms", null, conversation, "Ну и где ответ?! Безобразие!", t.plusSeconds(180));
        Thread.sleep(500);
        assertThat(tickets(conversation)).as("once per conversation").hasSize(1);
    }

    @Test
    void aChatbotComplaintAndAPublicPostReachAPersonAndThanksDoNot() throws Exception {
        String profile = UUID.randomUUID().toString();
        String chat = "chat-" + UUID.randomUUID();
        String post = "social-" + UUID.randomUUID();
        String thanks = "tg-" + UUID.randomUUID();
        inbound(profile, "web", "chatbot", chat, "Бот бесполезный, я не доволен, позовите человека", Instant.now());
        inbound(profile, "social", "social", post, "Worst delivery ever, still waiting for my refund. Not happy!",
                Instant.now());
        inbound(profile, "messenger", "telegram", thanks, "Спасибо большое, всё пришло, никаких проблем!",
                Instant.now());
        assertThat(awaitTicket(chat).path("subject").asText()).contains("web (chatbot)");
        assertThat(awaitTicket(post).path("tags").toString()).contains("social");
        Thread.sleep(500);
        assertThat(escalation(thanks)).isNull();
        assertThat(tickets(thanks)).isEmpty();
    }

    @Test
    void aZendeskThatIsDownOnlyDelaysTheTicketAndOpensOneNotTwo() throws Exception {
        String profile = UUID.randomUUID().toString();
        String conversation = "sms-" + UUID.randomUUID();
        zendesk.failNext(503, 2);
        inbound(profile, "sms", null, conversation, "Отвратительно. Верните деньги!", Instant.now());
        Await.until(() -> column(conversation, "last_error") != null, "tried while Zendesk is down");
        assertThat(escalation(conversation)).isEqualTo("pending");
        awaitTicket(conversation);
        Await.until(() -> "created".equals(escalation(conversation)), "opened once Zendesk is back");
        assertThat(tickets(conversation)).hasSize(1);
    }

    @Test
    void anErasureForgetsTheMessagesAndTheSendersIdentifiers() throws Exception {
        String profile = UUID.randomUUID().toString();
        String conversation = "sms-" + UUID.randomUUID();
        inbound(profile, "sms", null, conversation, "Ужасное обслуживание, я в бешенстве", Instant.now());
        awaitTicket(conversation);
        stream.publish(profile, StreamEvent.write("erase-" + UUID.randomUUID(), "profile_erased", null,
                Instant.now(), Instant.now(), profile, "{}", "{}", "{\"profileId\":\"" + profile + "\"}"));
        assertThat(count("SELECT count(*) FROM conversation_message WHERE profile_id = ?", profile)).isZero();
        assertThat(column(conversation, "identifiers::text")).isEqualTo("{}");
    }

    private void inbound(String profile, String channel, String source, String conversation, String text,
            Instant at) throws Exception {
        Map<String, String> properties = new java.util.LinkedHashMap<>();
        properties.put("text", text);
        properties.put("conversationId", conversation);
        if (source != null) {
            properties.put("source", source);
        }
        stream.publish(profile, StreamEvent.write("in-" + UUID.randomUUID(), "inbound_message", channel, at,
                Instant.now(), profile, "{\"phone\":\"+79161234567\"}", "{}", JSON.writeValueAsString(properties)));
    }

    private JsonNode awaitTicket(String conversation) {
        Await.until(() -> !tickets(conversation).isEmpty(), "a ticket in Zendesk for " + conversation);
        return tickets(conversation).get(0);
    }

    /** Tickets of the stand-in whose description names the conversation. */
    private List<JsonNode> tickets(String conversation) {
        return zendesk.tickets().stream()
                .filter(t -> zendesk.comments(t.path("id").asLong()).stream().anyMatch(c -> c.contains(conversation)))
                .toList();
    }

    private String escalation(String conversation) throws SQLException {
        return column(conversation, "status");
    }

    private String column(String conversation, String column) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT " + column + " FROM escalation WHERE conversation_id = ?")) {
            s.setString(1, conversation);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private long count(String sql, String param) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, param);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
