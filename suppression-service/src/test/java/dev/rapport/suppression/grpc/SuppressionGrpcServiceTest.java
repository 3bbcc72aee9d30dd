package dev.rapport.suppression.grpc;

import static dev.rapport.suppression.SuppressionFixtures.event;
import static dev.rapport.suppression.SuppressionFixtures.profileId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.rapport.common.stream.EventStreamConsumer;
import dev.rapport.proto.common.v1.Channel;
import dev.rapport.proto.common.v1.Purpose;
import dev.rapport.proto.suppression.v1.DecideBatchRequest;
import dev.rapport.proto.suppression.v1.DecideBatchResponse;
import dev.rapport.proto.suppression.v1.DecideRequest;
import dev.rapport.proto.suppression.v1.DecideResponse;
import dev.rapport.proto.suppression.v1.Decision;
import dev.rapport.proto.suppression.v1.Rule;
import dev.rapport.proto.suppression.v1.SuppressionService;
import dev.rapport.suppression.rest.Api;
import dev.rapport.suppression.stream.EventStreamFixture;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Multi;

/** Decide and DecideBatch for the other services, with this service's own client-credentials token. */
@QuarkusTest
class SuppressionGrpcServiceTest {

    @GrpcClient("suppression")
    SuppressionService client;
    @Inject
    RedisDataSource redis;
    @Inject
    EventStreamConsumer consumer;

    String subscribedPerson() {
        String p = profileId();
        new EventStreamFixture(redis, consumer).publish(
                event("logged_in", p, Instant.now().minus(Duration.ofDays(1))).id("email", "g@example.com"),
                event("subscribed", p, Instant.now().minus(Duration.ofDays(1))).prop("channel", "email"));
        return p;
    }

    @Test
    void decidesOneContactWithItsReasons() {
        Api.policy(Map.of());
        String p = subscribedPerson();
        DecideResponse allow = client.decide(DecideRequest.newBuilder().setProfileId(p).setChannel(Channel.CHANNEL_EMAIL)
                .setPurpose(Purpose.PURPOSE_MARKETING).build()).await().atMost(Duration.ofSeconds(10));
        assertThat(allow.getDecision()).isEqualTo(Decision.DECISION_ALLOW);
        assertThat(allow.getProfileId()).isEqualTo(p);
        DecideResponse deny = client.decide(DecideRequest.newBuilder().setProfileId(p).setChannel(Channel.CHANNEL_SMS)
                .setPurpose(Purpose.PURPOSE_MARKETING).build()).await().atMost(Duration.ofSeconds(10));
        assertThat(deny.getDecision()).isEqualTo(Decision.DECISION_DENY);
        assertThat(deny.getReasonsList()).extracting(r -> r.getRule()).containsExactly(Rule.RULE_UNREACHABLE,
                Rule.RULE_NO_CONSENT);
    }

    @Test
    void defersANightContactWithTheTimeItMayGo() {
        // quiet hours from an hour ago to an hour from now in the policy's zone (the person gave none)
        ZonedDateTime local = Instant.now().atZone(ZoneId.of("Europe/Moscow"));
        LocalTime end = local.plusHours(1).toLocalTime().withSecond(0).withNano(0);
        Api.policy(Map.of("quietHours", Map.of("start", local.minusHours(1).toLocalTime().withSecond(0).withNano(0)
                .toString(), "end", end.toString(), "channels", List.of("email"))));
        String p = subscribedPerson();
        DecideResponse defer = client.decide(DecideRequest.newBuilder().setProfileId(p).setChannel(Channel.CHANNEL_EMAIL)
                .setPurpose(Purpose.PURPOSE_MARKETING).build()).await().atMost(Duration.ofSeconds(10));
        Api.policy(Map.of());
        assertThat(defer.getDecision()).isEqualTo(Decision.DECISION_DEFER);
        assertThat(defer.getReasonsList()).extracting(r -> r.getRule()).containsExactly(Rule.RULE_QUIET_HOURS);
        assertThat(defer.hasRetryAt()).isTrue();
        Instant retryAt = Instant.ofEpochSecond(defer.getRetryAt().getSeconds(), defer.getRetryAt().getNanos());
        assertThat(retryAt.atZone(ZoneId.of("Europe/Moscow")).toLocalTime()).isEqualTo(end);
        assertThat(retryAt).isAfter(Instant.now());
    }

    @Test
    void refusesARequestWithoutChannelOrPurpose() {
        assertThatThrownBy(() -> client.decide(DecideRequest.newBuilder().setProfileId("p").build()).await()
                .atMost(Duration.ofSeconds(10))).isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
    }

    @Test
    void decidesAStreamCommittingPlacesAndAnsweringInvalidItemsWithoutEndingIt() {
        Api.policy(Map.of("caps", List.of(Map.of("limit", 1, "days", 1))));
        String p = subscribedPerson();
        List<DecideBatchRequest> requests = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            requests.add(DecideBatchRequest.newBuilder().setCorrelationId("r" + i).setRequest(DecideRequest.newBuilder()
                    .setProfileId(p).setChannel(Channel.CHANNEL_EMAIL).setPurpose(Purpose.PURPOSE_MARKETING)
                    .setCommit(true)).build());
        }
        requests.add(DecideBatchRequest.newBuilder().setCorrelationId("bad").setRequest(DecideRequest.newBuilder()
                .setChannel(Channel.CHANNEL_EMAIL)).build());
        for (int i = 0; i < 300; i++) {
            requests.add(DecideBatchRequest.newBuilder().setCorrelationId("u" + i).setRequest(DecideRequest.newBuilder()
                    .setProfileId(profileId()).setChannel(Channel.CHANNEL_SMS).setPurpose(Purpose.PURPOSE_TRANSACTIONAL))
                    .build());
        }
        List<DecideBatchResponse> answers = client.decideBatch(Multi.createFrom().iterable(requests)).collect().asList()
                .await().atMost(Duration.ofSeconds(30));
        assertThat(answers).hasSize(requests.size());
        assertThat(answers.stream().filter(a -> a.getCorrelationId().startsWith("r")
                && a.getResponse().getDecision() == Decision.DECISION_ALLOW)).as("one place under a cap of one")
                .hasSize(1);
        DecideBatchResponse bad = answers.stream().filter(a -> a.getCorrelationId().equals("bad")).findFirst()
                .orElseThrow();
        assertThat(bad.hasResponse()).isFalse();
        assertThat(bad.getErrorsList()).extracting(e -> e.getField()).containsExactly("profile_id", "purpose");
        assertThat(answers.stream().filter(a -> a.getCorrelationId().startsWith("u")))
                .allSatisfy(a -> assertThat(a.getResponse().getReasons(0).getRule()).isEqualTo(Rule.RULE_UNREACHABLE));
    }
}
