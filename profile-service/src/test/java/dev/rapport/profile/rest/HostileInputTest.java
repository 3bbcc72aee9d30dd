package dev.rapport.profile.rest;

import static dev.rapport.profile.ProfileFixtures.email;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.Value;

import dev.rapport.common.testing.TestTokens;
import dev.rapport.proto.common.v1.Channel;
import dev.rapport.proto.profile.v1.Event;
import dev.rapport.proto.profile.v1.Identifier;
import dev.rapport.proto.profile.v1.IdentifierKind;
import dev.rapport.proto.profile.v1.ProfileService;
import dev.rapport.proto.profile.v1.RecordEventsRequest;
import dev.rapport.proto.profile.v1.RecordEventsResponse;
import io.agroal.api.AgroalDataSource;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;

/**
 * What strangers write (an inbound SMS, a messenger text, a public post) reaches intake as it is: one hostile value
 * must cost its own event only, named by its field, never the batch it came in, and nothing of it is stored. What the
 * database can hold (right-to-left text, Cyrillic, emoji) is kept exactly as sent.
 */
@QuarkusTest
class HostileInputTest {

    private static final Instant AT = Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);

    @Inject
    AgroalDataSource db;
    @GrpcClient("profile")
    ProfileService profiles;

    /** A property value as JSON text (escapes as a client would send them), and the field the answer names. */
    static Stream<Arguments> refused() {
        String deep = "{\"a\":".repeat(40) + "1" + "}".repeat(40);
        return Stream.of(
                Arguments.of("NUL", "{\"text\":\"a\\u0000b\"}", "properties.text", "must not contain NUL characters"),
                Arguments.of("a lone high surrogate", "{\"text\":\"x\\ud800y\"}", "properties.text",
                        "is not valid Unicode (an unpaired surrogate)"),
                Arguments.of("a lone low surrogate", "{\"text\":\"\\udc00\"}", "properties.text",
                        "is not valid Unicode (an unpaired surrogate)"),
                Arguments.of("a 64 KB string", "{\"text\":\"" + "я".repeat(65_536) + "\"}", "properties.text",
                        "must be at most 16384 characters"),
                Arguments.of("deeply nested JSON", "{\"nested\":" + deep + "}", "properties.nested.a.a.a.a.a.a.a",
                        "nests deeper than 8 levels"),
                Arguments.of("a NUL in a key", "{\"te\\u0000xt\":\"hi\"}", "properties",
                        "holds a key that must not contain NUL characters"),
                Arguments.of("an escape character", "{\"text\":\"\\u001b[31mred\"}", "properties.text",
                        "must not contain control characters"),
                Arguments.of("a NUL in a list", "{\"items\":[\"ok\",\"b\\u0000\"]}", "properties.items[1]",
                        "must not contain NUL characters"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void oneHostilePropertyCostsOnlyItsOwnEventNamedByItsField(String what, String properties, String field,
            String message) throws SQLException {
        String good = "evt-" + UUID.randomUUID();
        String bad = "evt-" + UUID.randomUUID();
        String body = "{\"events\":[" + event(good, "{\"text\":\"fine\"}") + "," + event(bad, properties) + "]}";
        post(body).statusCode(202)
                .body("accepted.size()", equalTo(1))
                .body("accepted[0].id", equalTo(good))
                .body("rejected[0].index", equalTo(1))
                .body("rejected[0].id", equalTo(bad))
                .body("rejected[0].errors[0].field", equalTo(field))
                .body("rejected[0].errors[0].message", equalTo(message));
        assertThat(stored(good)).isTrue();
        assertThat(stored(bad)).as("nothing of the refused event is stored").isFalse();
    }

    @Test
    void hostileTopLevelFieldsAreRefusedPerEventToo() {
        String good = "evt-" + UUID.randomUUID();
        String mail = email();
        String rtlId = "evt-\u202Egnp.exe-" + UUID.randomUUID();
        String body = "{\"events\":["
                + event(good, "{}") + ","
                + "{\"id\":\"" + rtlId + "\",\"type\":\"page_viewed\",\"occurredAt\":\"" + AT
                + "\",\"identifiers\":{\"email\":\"" + mail + "\"}},"
                + "{\"id\":\"evt-" + UUID.randomUUID() + "\",\"type\":\"page_viewed\",\"occurredAt\":\""
                + "-300000-01-01T00:00Z\",\"identifiers\":{\"email\":\"" + mail + "\"}},"
                + "{\"id\":\"evt-" + UUID.randomUUID() + "\",\"type\":\"page_viewed\",\"occurredAt\":\"" + AT
                + "\",\"identifiers\":{\"externalId\":\"crm\\u0000-1\"}},"
                + "{\"id\":\"evt-" + UUID.randomUUID() + "\",\"type\":\"page_viewed\",\"occurredAt\":\"" + AT
                + "\",\"identifiers\":{\"email\":\"" + mail + "\"},\"traits\":{\"firstName\":\"\\ud83d\"}}"
                + "]}";
        ValidatableResponse r = post(body).statusCode(202).body("accepted.size()", equalTo(1))
                .body("accepted[0].id", equalTo(good));
        r.body("rejected.find { it.index == 1 }.errors[0].field", equalTo("id"))
                .body("rejected.find { it.index == 1 }.errors[0].message",
                        equalTo("must not contain bidirectional formatting characters"))
                .body("rejected.find { it.index == 2 }.errors[0].field", equalTo("occurredAt"))
                .body("rejected.find { it.index == 3 }.errors[0].field", equalTo("identifiers.externalId"))
                .body("rejected.find { it.index == 4 }.errors[0].field", equalTo("traits.firstName"));
    }

    @Test
    void rightToLeftCyrillicAndEmojiAreKeptExactlyAsSent() {
        String text = "\u202Eשלום\u202C Привет, мир! 👋🏽 ok\n\tвторая строка";
        String id = "evt-" + UUID.randomUUID();
        String body = event(id, "{\"text\":" + json(text) + ",\"emoji\":\"🎉\"}");
        String profile = post(body).statusCode(202).extract().path("accepted[0].profileId");
        Api.get("/api/v1/profiles/" + profile + "/timeline").statusCode(200)
                .body("items.find { it.id == '" + id + "' }.properties.text", equalTo(text))
                .body("items.find { it.id == '" + id + "' }.properties.emoji", equalTo("🎉"));
    }

    @Test
    void aHostileProfileIdInThePathIsABadRequestNotAFailure() {
        for (String path : List.of("/api/v1/profiles/abc%00def", "/api/v1/profiles/abc%00def/timeline",
                "/api/v1/profiles?externalId=crm%00x", "/api/v1/profiles/%E2%80%AEabc")) {
            // sent as written: the %00 reaches the service as a NUL, not as the text "%00"
            given().urlEncodingEnabled(false).auth().oauth2(TestTokens.user("integrator")).when().get(path).then()
                    .statusCode(400).contentType("application/problem+json").body("errors[0].field",
                            org.hamcrest.Matchers.anyOf(equalTo("id"), equalTo("externalId")));
        }
        given().urlEncodingEnabled(false).auth().oauth2(TestTokens.user("admin")).when()
                .get("/api/v1/profiles/abc%00def/export").then().statusCode(400);
    }

    @Test
    void recordEventsOverGrpcRefusesTheHostileMessageAndKeepsTheRest() throws SQLException {
        Timestamp at = Timestamp.newBuilder().setSeconds(AT.getEpochSecond()).build();
        Identifier phone = Identifier.newBuilder().setKind(IdentifierKind.IDENTIFIER_KIND_PHONE)
                .setValue(dev.rapport.profile.ProfileFixtures.phone()).build();
        Event good = Event.newBuilder().setId("evt-" + UUID.randomUUID()).setType("inbound_message")
                .setChannel(Channel.CHANNEL_SMS).setOccurredAt(at).addIdentifiers(phone)
                .setProperties(Struct.newBuilder().putFields("text", Value.newBuilder().setStringValue("СТОП").build()))
                .build();
        Event hostile = good.toBuilder().setId("evt-" + UUID.randomUUID())
                .setProperties(Struct.newBuilder().putFields("text", Value.newBuilder().setStringValue("a\u0000b")
                        .build()))
                .build();
        Event ancient = good.toBuilder().setId("evt-" + UUID.randomUUID())
                .setOccurredAt(Timestamp.newBuilder().setSeconds(Long.MIN_VALUE / 2)).build();
        RecordEventsResponse response = profiles.recordEvents(RecordEventsRequest.newBuilder().addEvents(good)
                .addEvents(hostile).addEvents(ancient).build()).await().atMost(Duration.ofSeconds(30));
        assertThat(response.getAcceptedList()).singleElement()
                .satisfies(a -> assertThat(a.getId()).isEqualTo(good.getId()));
        assertThat(response.getRejectedList()).hasSize(2);
        assertThat(response.getRejected(0).getErrors(0).getField()).isEqualTo("properties.text");
        assertThat(response.getRejected(1).getErrors(0).getField()).isEqualTo("occurredAt");
        assertThat(stored(hostile.getId())).isFalse();
    }

    private static String event(String id, String properties) {
        return "{\"id\":\"" + id + "\",\"type\":\"inbound_message\",\"channel\":\"sms\",\"occurredAt\":\"" + AT
                + "\",\"identifiers\":{\"email\":\"" + email() + "\"},\"properties\":" + properties + "}";
    }

    private static String json(String s) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(s);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ValidatableResponse post(String body) {
        return given().auth().oauth2(TestTokens.user("integrator")).contentType(ContentType.JSON.withCharset("UTF-8"))
                .body(body).when().post("/api/v1/events").then().log().ifValidationFails();
    }

    private boolean stored(String eventId) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT count(*) FROM event WHERE id = ?")) {
            s.setString(1, eventId);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1) > 0;
            }
        }
    }
}
