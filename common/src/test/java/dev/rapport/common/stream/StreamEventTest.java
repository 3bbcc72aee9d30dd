package dev.rapport.common.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;

import org.junit.jupiter.api.Test;

import dev.rapport.common.testing.StreamSchema;

/** Both sides of the stream contract: what profile-service writes, every consumer reads, and the schema describes. */
class StreamEventTest {

    static final Instant AT = Instant.parse("2026-11-20T07:15:00Z");

    static String document(String type, String properties) {
        return StreamEvent.write("evt-1", type, "web", AT, AT.plusSeconds(2), "p-1",
                "{\"email\":\"ivan@example.com\",\"phone\":\"+79161234567\"}", "{\"firstName\":\"Иван\"}", properties);
    }

    @Test
    void aWrittenEventFollowsTheSchemaAndReadsBackAsItWasWritten() {
        String doc = document("product_viewed", "{\"productId\":\"hoop-42\",\"price\":12.5}");
        assertThat(StreamSchema.violations(doc)).isEmpty();
        StreamEvent e = StreamEvent.parse(doc);
        assertThat(e.id()).isEqualTo("evt-1");
        assertThat(e.type()).isEqualTo("product_viewed");
        assertThat(e.channel()).isEqualTo("web");
        assertThat(e.occurredAt()).isEqualTo(AT);
        assertThat(e.profileId()).isEqualTo("p-1");
        assertThat(e.identifiers()).containsEntry("email", "ivan@example.com").containsEntry("phone", "+79161234567");
        assertThat(e.trait("firstName")).isEqualTo("Иван");
        assertThat(e.property("productId")).isEqualTo("hoop-42");
        assertThat(e.property("price")).isEqualTo("12.5");
    }

    @Test
    void aMissingChannelTraitsOrPropertiesAreWrittenAsAbsentAndEmpty() {
        String doc = StreamEvent.write(EventTypes.mergedEventId("m-1"), EventTypes.PROFILE_MERGED, null, AT, AT, "s-1",
                "{}", null, "{\"survivorId\":\"s-1\",\"mergedId\":\"m-1\"}");
        assertThat(StreamSchema.violations(doc)).isEmpty();
        StreamEvent e = StreamEvent.parse(doc);
        assertThat(e.channel()).isNull();
        assertThat(e.traits().isObject()).isTrue();
        assertThat(e.property(EventTypes.MERGED_ID)).isEqualTo("m-1");
        assertThat(e.withProfile("other").profileId()).isEqualTo("other");
    }

    @Test
    void theSchemaRefusesWhatConsumersCouldNotRead() {
        String good = document("page_viewed", "{}");
        assertThat(StreamSchema.violations(good.replace("\"channel\":\"web\"", "\"channel\":\"fax\""))).isNotEmpty();
        assertThat(StreamSchema.violations(good.replace("\"type\":\"page_viewed\"", "\"type\":\"Page Viewed\"")))
                .isNotEmpty();
        assertThat(StreamSchema.violations(good.replace("\"subject\":\"p-1\",", ""))).isNotEmpty();
    }

    @Test
    void readingSaysWhatIsWrongWithADocument() {
        assertThatThrownBy(() -> StreamEvent.parse("nope")).hasMessage("not JSON");
        assertThatThrownBy(() -> StreamEvent.parse("[1]")).hasMessage("not a JSON object");
        assertThatThrownBy(() -> StreamEvent.parse("{\"data\":{\"id\":\"e\"}}"))
                .hasMessage("id, type, subject and time are required");
        assertThatThrownBy(() -> StreamEvent.parse("{\"id\":\"e\",\"type\":\"x\",\"subject\":\"p\",\"time\":\"soon\"}"))
                .hasMessage("time is not an ISO-8601 instant");
    }

    @Test
    void aProfilesPartitionIsStableAndWithinTheCount() {
        assertThat(StreamLayout.partition("p-1", 16)).isEqualTo(Math.floorMod("p-1".hashCode(), 16));
        for (String id : new String[] { "", "a", "ffffffff-ffff", "Иван" }) {
            assertThat(StreamLayout.partition(id, 7)).isBetween(0, 6);
        }
    }
}
