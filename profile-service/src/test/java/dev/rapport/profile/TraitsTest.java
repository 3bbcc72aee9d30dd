package dev.rapport.profile;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

class TraitsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static ObjectNode traits(String json) throws Exception {
        return (ObjectNode) JSON.readTree(json);
    }

    @Test
    void keepsTheValueOfTheLatestEventWhateverOrderEventsArriveIn() throws Exception {
        Traits t = Traits.empty();
        t.apply(traits("{\"firstName\":\"Иван\",\"locale\":\"ru\"}"), Instant.parse("2026-11-20T10:00:00Z"));
        t.apply(traits("{\"firstName\":\"Ivan\"}"), Instant.parse("2026-11-19T10:00:00Z"));
        assertThat(t.values().get("firstName").asText()).isEqualTo("Иван");
        t.apply(traits("{\"locale\":null}"), Instant.parse("2026-11-21T10:00:00Z"));
        assertThat(t.values().has("locale")).as("null clears a trait").isFalse();
        assertThat(t.changed()).isTrue();
    }

    @Test
    void aMergeTakesTheNewerTraitsOfBoth() throws Exception {
        Traits survivor = Traits.empty();
        survivor.apply(traits("{\"firstName\":\"Ivan\",\"timezone\":\"Europe/Moscow\"}"),
                Instant.parse("2026-11-20T10:00:00Z"));
        Traits merged = Traits.empty();
        merged.apply(traits("{\"firstName\":\"Иван\",\"birthday\":\"1988-12-01\"}"), Instant.parse("2026-11-21T10:00:00Z"));
        merged.apply(traits("{\"timezone\":\"Asia/Omsk\"}"), Instant.parse("2026-11-01T10:00:00Z"));
        survivor.absorb(merged);
        assertThat(survivor.values().get("firstName").asText()).isEqualTo("Иван");
        assertThat(survivor.values().get("birthday").asText()).isEqualTo("1988-12-01");
        assertThat(survivor.values().get("timezone").asText()).isEqualTo("Europe/Moscow");
    }
}
