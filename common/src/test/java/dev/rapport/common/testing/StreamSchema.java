package dev.rapport.common.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;

/** Checks documents against the event stream's schema ({@code rapport/stream/event.schema.json} of rapport-common). */
public final class StreamSchema {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonSchema SCHEMA;

    static {
        try (InputStream in = StreamSchema.class.getResourceAsStream("/rapport/stream/event.schema.json")) {
            SCHEMA = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private StreamSchema() {
    }

    /** What is wrong with a document, empty when it follows the schema. */
    public static List<String> violations(String document) {
        try {
            return SCHEMA.validate(JSON.readTree(document)).stream().map(Object::toString).sorted().toList();
        } catch (IOException e) {
            return List.of("not JSON: " + e.getMessage());
        }
    }
}
