package dev.rapport.common.rest;

import java.util.List;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.rapport.common.error.ErrorKind;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;

/**
 * Answers a body announced larger than {@code quarkus.http.limits.max-body-size} with a 413 problem before it is read.
 * It runs just ahead of Quarkus' own check, which would answer the same status with an empty body.
 */
@Singleton
public class BodySizeLimit {

    private final long limit;
    private final ObjectMapper json;

    public BodySizeLimit(@ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize limit,
            ObjectMapper json) {
        this.limit = limit.asLongValue();
        this.json = json;
    }

    void install(@Observes Router router) {
        router.route().order(RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT - 1).handler(ctx -> {
            String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
            long announced;
            try {
                announced = length == null ? -1 : Long.parseLong(length.strip());
            } catch (NumberFormatException e) {
                announced = -1;
            }
            if (announced <= limit) {
                ctx.next();
                return;
            }
            Problem problem = Problem.of(ErrorKind.TOO_LARGE, "body_too_large",
                    "The body is " + announced + " bytes; at most " + limit + " are accepted.", ctx.request().path(),
                    List.of());
            String body;
            try {
                body = json.writeValueAsString(problem);
            } catch (JsonProcessingException e) {
                body = "{\"status\":413}";
            }
            ctx.response().setStatusCode(413).putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
                    .putHeader(HttpHeaders.CONNECTION, "close")
                    .endHandler(v -> ctx.request().connection().close())
                    .end(body);
        });
    }
}
