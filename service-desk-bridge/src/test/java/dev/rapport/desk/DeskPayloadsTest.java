package dev.rapport.desk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import org.junit.jupiter.api.Test;

/** A desk's webhook body read into one ticket change, whatever the desk; what is wrong is named. */
class DeskPayloadsTest {

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void readsRapportsTicketDocument() {
        TicketChange c = DeskPayloads.read("generic", utf8("""
                {"id":"d-1","ticket":{"id":42,"status":"Pending","subject":"Доставка опаздывает",
                 "updatedAt":"2026-12-07T10:00:00+03:00",
                 "requester":{"email":"ivan@example.com","phone":"+7 916 123-45-67"}},
                 "satisfaction":{"score":"bad"}}"""));
        assertThat(c.deliveryId()).isEqualTo("d-1");
        assertThat(c.ticketId()).isEqualTo("42");
        assertThat(c.rapportTicketId()).isEqualTo("generic-42");
        assertThat(c.open()).isTrue();
        assertThat(c.status()).isEqualTo("pending");
        assertThat(c.subject()).isEqualTo("Доставка опаздывает");
        assertThat(c.email()).isEqualTo("ivan@example.com");
        assertThat(c.phone()).isEqualTo("+7 916 123-45-67");
        assertThat(c.at()).isEqualTo(Instant.parse("2026-12-07T07:00:00Z"));
        assertThat(c.satisfaction()).isEqualTo("bad");
    }

    @Test
    void solvedAndClosedAreDoneAndABodyWithoutIdIsKnownByItsDigest() {
        byte[] body = utf8("{\"ticket\":{\"id\":\"7\",\"status\":\"closed\",\"requester\":{\"email\":\"a@example.com\"}}}");
        TicketChange c = DeskPayloads.read("freshdesk", body);
        assertThat(c.open()).isFalse();
        assertThat(c.deliveryId()).startsWith("sha256:").isEqualTo(DeskPayloads.read("freshdesk", body).deliveryId());
        assertThat(c.at()).isNull();
        assertThat(DeskPayloads.read("freshdesk", utf8("{\"ticket\":{\"id\":\"7\",\"status\":\"4\"}}")).open())
                .as("Freshdesk's 4 is resolved").isFalse();
    }

    @Test
    void readsZendesksTicketEventSubscriptionsWhichNameNoRequesterAddress() {
        TicketChange c = DeskPayloads.read("zendesk", utf8("""
                {"type":"zen:event-type:ticket.status_changed","id":"evt-9","time":"2026-12-07T07:00:00Z",
                 "detail":{"id":"35436","status":"SOLVED","subject":"Help","requester_id":"123",
                           "updated_at":"2026-12-07T07:00:00Z"}}"""));
        assertThat(c.deliveryId()).isEqualTo("evt-9");
        assertThat(c.open()).isFalse();
        assertThat(c.hasRequester()).as("Zendesk events carry a requester id only").isFalse();
    }

    @Test
    void namesWhatIsWrong() {
        assertThatThrownBy(() -> DeskPayloads.read("generic", utf8("not json"))).isInstanceOf(DeskPayloads.Invalid.class)
                .hasMessage("body: is not JSON");
        assertThatThrownBy(() -> DeskPayloads.read("generic", utf8("[1]"))).hasMessage("body: must be a JSON object");
        assertThatThrownBy(() -> DeskPayloads.read("generic", utf8("{\"id\":\"x\"}")))
                .hasMessage("ticket: is required: an object");
        DeskPayloads.Invalid invalid = (DeskPayloads.Invalid) org.assertj.core.api.Assertions.catchThrowable(
                () -> DeskPayloads.read("generic", utf8("""
                        {"ticket":{"status":"exploded","subject":"a\\u0000b","updatedAt":"soon",
                         "requester":{"email":["x"]}}}""")));
        assertThat(invalid.errors()).extracting(e -> e.field()).containsExactly("ticket.id", "ticket.status",
                "ticket.subject", "ticket.requester.email", "ticket.updatedAt");
    }
}
