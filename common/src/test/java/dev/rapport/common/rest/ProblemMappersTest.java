package dev.rapport.common.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Set;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

class ProblemMappersTest {

    record Item(@NotBlank String id, OffsetDateTime occurredAt, int count) {
    }

    record Batch(@NotEmpty List<@jakarta.validation.Valid Item> events) {
    }

    @Test
    void namesTheJsonPathOfAWronglyTypedField() {
        ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule());
        JsonMappingException e = catchThrowableOfType(JsonMappingException.class,
                () -> json.readValue("{\"events\":[{\"id\":\"a\"},{\"id\":\"b\",\"count\":\"many\"}]}", Batch.class));
        assertThat(ProblemMappers.pathOf(e)).isEqualTo("events[1].count");
    }

    @Test
    void namesTheFieldOfAConstraintViolationInsideABody() {
        Validator validator = Validation.buildDefaultValidatorFactory().getValidator();
        Set<ConstraintViolation<Batch>> violations = validator.validate(new Batch(List.of(new Item("ok", null, 1),
                new Item(" ", null, 1))));
        assertThat(violations).hasSize(1);
        assertThat(ProblemMappers.fieldOf(violations.iterator().next().getPropertyPath())).isEqualTo("events[1].id");
    }

    @Test
    void problemsCarryTheirReasonInTypeAndBody() {
        Problem p = Problem.of(dev.rapport.common.error.ErrorKind.NOT_FOUND, "profile_not_found", "No profile p-1.",
                "/api/v1/profiles/p-1", null);
        assertThat(p.type()).isEqualTo("urn:rapport:problem:profile_not_found");
        assertThat(p.status()).isEqualTo(404);
        assertThat(p.title()).isEqualTo("Not found");
        assertThat(p.errors()).isEmpty();
    }
}
