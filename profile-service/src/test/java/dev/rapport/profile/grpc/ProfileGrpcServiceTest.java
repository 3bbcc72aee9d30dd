package dev.rapport.profile.grpc;

import static dev.rapport.profile.ProfileFixtures.email;
import static dev.rapport.profile.ProfileFixtures.phone;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.Value;

import dev.rapport.common.grpc.GrpcErrors;
import dev.rapport.proto.common.v1.Channel;
import dev.rapport.proto.profile.v1.Comparator;
import dev.rapport.proto.profile.v1.Condition;
import dev.rapport.proto.profile.v1.ConditionList;
import dev.rapport.proto.profile.v1.CountAudienceRequest;
import dev.rapport.proto.profile.v1.Event;
import dev.rapport.proto.profile.v1.EventCondition;
import dev.rapport.proto.profile.v1.GetProfileRequest;
import dev.rapport.proto.profile.v1.Identifier;
import dev.rapport.proto.profile.v1.IdentifierKind;
import dev.rapport.proto.profile.v1.ListTimelineRequest;
import dev.rapport.proto.profile.v1.Profile;
import dev.rapport.proto.profile.v1.ProfileService;
import dev.rapport.proto.profile.v1.RecordEventsRequest;
import dev.rapport.proto.profile.v1.RecordEventsResponse;
import dev.rapport.proto.profile.v1.ResolveProfileRequest;
import dev.rapport.proto.profile.v1.Segment;
import dev.rapport.proto.profile.v1.StreamAudienceRequest;
import dev.rapport.proto.profile.v1.StreamAudienceResponse;
import dev.rapport.proto.profile.v1.TraitCondition;
import dev.rapport.proto.profile.v1.TraitOperator;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;

/** The profile contract, called the way the other services call it: with this service's own client-credentials token. */
@QuarkusTest
class ProfileGrpcServiceTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);

    @GrpcClient("profile")
    ProfileService profiles;

    private static Timestamp ts(Instant at) {
        return Timestamp.newBuilder().setSeconds(at.getEpochSecond()).build();
    }

    private static Identifier id(IdentifierKind kind, String value) {
        return Identifier.newBuilder().setKind(kind).setValue(value).build();
    }

    private static Event.Builder event(String type, Instant at, Identifier... identifiers) {
        return Event.newBuilder().setId("evt-" + UUID.randomUUID()).setType(type).setChannel(Channel.CHANNEL_WEB)
                .setOccurredAt(ts(at)).addAllIdentifiers(List.of(identifiers));
    }

    private static Struct struct(String key, Value value) {
        return Struct.newBuilder().putFields(key, value).build();
    }

    private static Value text(String s) {
        return Value.newBuilder().setStringValue(s).build();
    }

    private RecordEventsResponse record(Event.Builder... events) {
        RecordEventsRequest.Builder r = RecordEventsRequest.newBuilder();
        for (Event.Builder e : events) {
            r.addEvents(e);
        }
        return profiles.recordEvents(r.build()).await().atMost(WAIT);
    }

    @Test
    void recordsEventsPerItemAndResolvesProfilesByNormalisedIdentifiers() {
        String tel = phone();
        Event.Builder good = event("signed_up", NOW, id(IdentifierKind.IDENTIFIER_KIND_PHONE, tel))
                .setTraits(struct("firstName", text("Иван")));
        Event.Builder bad = event("signed_up", NOW, id(IdentifierKind.IDENTIFIER_KIND_EMAIL, "nope"));
        RecordEventsResponse response = record(good, bad);
        assertThat(response.getAcceptedList()).singleElement().satisfies(a -> {
            assertThat(a.getId()).isEqualTo(good.getId());
            assertThat(a.getDuplicate()).isFalse();
        });
        assertThat(response.getRejectedList()).singleElement().satisfies(r -> {
            assertThat(r.getIndex()).isEqualTo(1);
            assertThat(r.getErrors(0).getField()).isEqualTo("identifiers.email");
        });
        String profileId = response.getAccepted(0).getProfileId();

        assertThat(record(good).getAccepted(0).getDuplicate()).isTrue();
        String resolved = profiles.resolveProfile(ResolveProfileRequest.newBuilder()
                .setIdentifier(id(IdentifierKind.IDENTIFIER_KIND_PHONE, "8 (" + tel.substring(3, 6) + ") "
                        + tel.substring(7))).build()).await().atMost(WAIT).getProfileId();
        assertThat(resolved).isEqualTo(profileId);
        Profile p = profiles.getProfile(GetProfileRequest.newBuilder().setProfileId(profileId).build()).await()
                .atMost(WAIT).getProfile();
        assertThat(p.getTraits().getFieldsOrThrow("firstName").getStringValue()).isEqualTo("Иван");
        assertThat(p.getIdentifiersList()).contains(id(IdentifierKind.IDENTIFIER_KIND_PHONE, tel.replaceAll("[^+0-9]", "")));
        assertThat(p.getSummary().getLastSeenMap()).containsKey("web");
    }

    @Test
    void answersTheErrorTableForBadAndUnknownInput() {
        assertCode(() -> record(event("x", NOW).clearId().clearType()), Status.Code.INVALID_ARGUMENT, "invalid_request");
        assertCode(() -> profiles.recordEvents(RecordEventsRequest.getDefaultInstance()).await().atMost(WAIT),
                Status.Code.INVALID_ARGUMENT, "invalid_request");
        assertCode(() -> profiles.resolveProfile(ResolveProfileRequest.newBuilder()
                .setIdentifier(id(IdentifierKind.IDENTIFIER_KIND_EMAIL, email())).build()).await().atMost(WAIT),
                Status.Code.NOT_FOUND, "profile_not_found");
        assertCode(() -> profiles.resolveProfile(ResolveProfileRequest.getDefaultInstance()).await().atMost(WAIT),
                Status.Code.INVALID_ARGUMENT, "invalid_request");
        assertCode(() -> profiles.getProfile(GetProfileRequest.newBuilder().setProfileId("nobody").build()).await()
                .atMost(WAIT), Status.Code.NOT_FOUND, "profile_not_found");
        assertCode(() -> profiles.listTimeline(ListTimelineRequest.newBuilder().setProfileId("x").setCursor("bad")
                .build()).await().atMost(WAIT), Status.Code.INVALID_ARGUMENT, "invalid_request");
        assertCode(() -> profiles.countAudience(CountAudienceRequest.getDefaultInstance()).await().atMost(WAIT),
                Status.Code.INVALID_ARGUMENT, "invalid_request");
        assertCode(() -> profiles.countAudience(CountAudienceRequest.newBuilder().setSegment(Segment.newBuilder()
                .setCondition(Condition.newBuilder().setEvent(EventCondition.newBuilder()))).build()).await()
                .atMost(WAIT), Status.Code.INVALID_ARGUMENT, "invalid_request");
    }

    @Test
    void listsTheTimelineNewestFirstInPages() {
        String mail = email();
        Identifier who = id(IdentifierKind.IDENTIFIER_KIND_EMAIL, mail);
        String profileId = record(event("a", NOW.minusSeconds(30), who), event("b", NOW.minusSeconds(20), who),
                event("c", NOW.minusSeconds(10), who)).getAccepted(0).getProfileId();
        var page1 = profiles.listTimeline(ListTimelineRequest.newBuilder().setProfileId(profileId).setLimit(2).build())
                .await().atMost(WAIT);
        assertThat(page1.getEventsList()).extracting(e -> e.getEvent().getType()).containsExactly("c", "b");
        var page2 = profiles.listTimeline(ListTimelineRequest.newBuilder().setProfileId(profileId).setLimit(2)
                .setCursor(page1.getNextCursor()).build()).await().atMost(WAIT);
        assertThat(page2.getEventsList()).extracting(e -> e.getEvent().getType()).containsExactly("a");
        assertThat(page2.getNextCursor()).isEmpty();
    }

    @Test
    void findsWhoViewedBasketballThisWeekAndOrderedNothing() {
        String cohort = UUID.randomUUID().toString();
        Struct traits = Struct.newBuilder().putFields("cohort", text(cohort)).putFields("firstName", text("Анна"))
                .build();
        Value basketball = text("basketball");
        // the one who matches
        String wanted = email();
        record(event("product_viewed", NOW.minus(2, ChronoUnit.DAYS), id(IdentifierKind.IDENTIFIER_KIND_EMAIL, wanted))
                .setTraits(traits).setProperties(struct("category", basketball)));
        // viewed, then ordered
        String buyer = email();
        record(event("product_viewed", NOW.minus(2, ChronoUnit.DAYS), id(IdentifierKind.IDENTIFIER_KIND_EMAIL, buyer))
                .setTraits(traits).setProperties(struct("category", basketball)),
                event("order_placed", NOW.minus(1, ChronoUnit.DAYS), id(IdentifierKind.IDENTIFIER_KIND_EMAIL, buyer)));
        // viewed too long ago
        record(event("product_viewed", NOW.minus(10, ChronoUnit.DAYS), id(IdentifierKind.IDENTIFIER_KIND_EMAIL, email()))
                .setTraits(traits).setProperties(struct("category", basketball)));
        // viewed something else
        record(event("product_viewed", NOW.minus(1, ChronoUnit.DAYS), id(IdentifierKind.IDENTIFIER_KIND_EMAIL, email()))
                .setTraits(traits).setProperties(struct("category", text("football"))));

        Segment segment = Segment.newBuilder().setCondition(all(
                trait("cohort", TraitOperator.TRAIT_OPERATOR_EQUALS, text(cohort)),
                Condition.newBuilder().setEvent(EventCondition.newBuilder().setType("product_viewed")
                        .putProperties("category", basketball)
                        .setWithin(com.google.protobuf.Duration.newBuilder().setSeconds(7 * 86400))).build(),
                Condition.newBuilder().setNot(Condition.newBuilder().setEvent(EventCondition.newBuilder()
                        .setType("order_placed"))).build())).build();

        assertThat(profiles.countAudience(CountAudienceRequest.newBuilder().setSegment(segment).build()).await()
                .atMost(WAIT).getCount()).isEqualTo(1);
        List<StreamAudienceResponse> members = profiles.streamAudience(StreamAudienceRequest.newBuilder()
                .setSegment(segment).addTraitKeys("firstName").build()).collect().asList().await().atMost(WAIT);
        assertThat(members).singleElement().satisfies(m -> {
            assertThat(m.getAddressesList()).containsExactly(id(IdentifierKind.IDENTIFIER_KIND_EMAIL, wanted));
            assertThat(m.getTraits().getFieldsMap()).containsOnlyKeys("firstName");
        });

        // "exactly one order" and "any of" work too
        Segment oneOrder = Segment.newBuilder().setCondition(all(
                trait("cohort", TraitOperator.TRAIT_OPERATOR_EQUALS, text(cohort)),
                Condition.newBuilder().setEvent(EventCondition.newBuilder().setType("order_placed")
                        .setComparator(Comparator.COMPARATOR_EXACTLY).setCount(1)).build())).build();
        assertThat(profiles.countAudience(CountAudienceRequest.newBuilder().setSegment(oneOrder).build()).await()
                .atMost(WAIT).getCount()).isEqualTo(1);
        Segment anyView = Segment.newBuilder().setCondition(all(
                trait("cohort", TraitOperator.TRAIT_OPERATOR_EQUALS, text(cohort)),
                Condition.newBuilder().setAny(ConditionList.newBuilder()
                        .addConditions(Condition.newBuilder().setEvent(EventCondition.newBuilder()
                                .setType("product_viewed").putProperties("category", text("football"))))
                        .addConditions(Condition.newBuilder().setEvent(EventCondition.newBuilder()
                                .setType("order_placed")))).build())).build();
        assertThat(profiles.countAudience(CountAudienceRequest.newBuilder().setSegment(anyView).build()).await()
                .atMost(WAIT).getCount()).isEqualTo(2);
    }

    @Test
    void streamsLargeAudiencesWholeAndInOrder() {
        String cohort = UUID.randomUUID().toString();
        Struct traits = Struct.newBuilder().putFields("cohort", text(cohort)).build();
        List<Event.Builder> events = new ArrayList<>();
        for (int i = 0; i < 1005; i++) {
            events.add(event("signed_up", NOW.minusSeconds(60), id(IdentifierKind.IDENTIFIER_KIND_EMAIL, email()))
                    .setTraits(traits));
        }
        record(events.subList(0, 1000).toArray(Event.Builder[]::new));
        record(events.subList(1000, 1005).toArray(Event.Builder[]::new));
        Segment segment = Segment.newBuilder().setCondition(trait("cohort", TraitOperator.TRAIT_OPERATOR_EQUALS,
                text(cohort))).build();
        List<String> ids = profiles.streamAudience(StreamAudienceRequest.newBuilder().setSegment(segment).build())
                .map(StreamAudienceResponse::getProfileId).collect().asList().await().atMost(WAIT);
        assertThat(ids).hasSize(1005).doesNotHaveDuplicates().isSorted();
    }

    private static Condition all(Condition... conditions) {
        return Condition.newBuilder().setAll(ConditionList.newBuilder().addAllConditions(List.of(conditions))).build();
    }

    private static Condition trait(String key, TraitOperator op, Value value) {
        return Condition.newBuilder().setTrait(TraitCondition.newBuilder().setKey(key).setOperator(op).addValues(value))
                .build();
    }

    private static void assertCode(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, Status.Code code,
            String reason) {
        assertThatThrownBy(call).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(code);
            assertThat(GrpcErrors.reasonOf(e)).isEqualTo(reason);
        });
    }
}
