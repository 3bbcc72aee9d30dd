package dev.rapport.suppression.grpc;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import jakarta.annotation.security.RolesAllowed;

import com.google.protobuf.Timestamp;

import dev.rapport.common.error.ErrorKind;
import dev.rapport.common.error.RapportException;
import dev.rapport.common.security.Roles;
import dev.rapport.proto.common.v1.FieldError;
import dev.rapport.proto.suppression.v1.DecideBatchRequest;
import dev.rapport.proto.suppression.v1.DecideBatchResponse;
import dev.rapport.proto.suppression.v1.DecideRequest;
import dev.rapport.proto.suppression.v1.DecideResponse;
import dev.rapport.proto.suppression.v1.Decision;
import dev.rapport.proto.suppression.v1.MutinySuppressionServiceGrpc;
import dev.rapport.proto.suppression.v1.Reason;
import dev.rapport.proto.suppression.v1.Rule;
import dev.rapport.suppression.ContactRequest;
import dev.rapport.suppression.ContactRequests;
import dev.rapport.suppression.Verdict;
import dev.rapport.suppression.config.SuppressionConfig;
import dev.rapport.suppression.service.Decisions;
import io.quarkus.grpc.GrpcService;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.BackPressureFailure;

/**
 * The gRPC face of suppression-service ({@code rapport.suppression.v1.SuppressionService}), for Rapport's other
 * services only: every call needs a client-credentials token with the {@code service} role. {@code DecideBatch} decides
 * its requests in chunks (one read of state, one counter round trip and one audit insert per chunk), several chunks at
 * a time, and answers as each chunk is decided, so answers may come out of order.
 */
@GrpcService
@RolesAllowed(Roles.SERVICE)
public class SuppressionGrpcService extends MutinySuppressionServiceGrpc.SuppressionServiceImplBase {

    private final Decisions decisions;
    private final SuppressionConfig config;
    private final SecurityIdentity identity;

    public SuppressionGrpcService(Decisions decisions, SuppressionConfig config, SecurityIdentity identity) {
        this.decisions = decisions;
        this.config = config;
        this.identity = identity;
    }

    @Override
    public Uni<DecideResponse> decide(DecideRequest request) {
        ContactRequest checked = ContactRequests.check(raw(request), "");
        return decisions.decide(checked, caller()).map(SuppressionGrpcService::response);
    }

    @Override
    public Multi<DecideBatchResponse> decideBatch(Multi<DecideBatchRequest> requests) {
        String caller = caller();
        // the timed grouping emits whether or not chunks are asked for: a bounded buffer keeps them until they are,
        // and fails the stream (RESOURCE_EXHAUSTED) when a client sends far more than it reads
        return requests.group().intoLists().of(config.batchChunk(), config.batchLinger())
                .onOverflow().buffer(config.batchBufferedChunks())
                .onItem().transformToUni(chunk -> decideChunk(chunk, caller)).merge(config.batchConcurrency())
                .onItem().transformToIterable(answers -> answers)
                .onFailure(BackPressureFailure.class).transform(f -> new RapportException(ErrorKind.RATE_LIMITED,
                        "too_many_in_flight", "The stream sent far more requests than it read answers; keep fewer "
                                + "requests in flight."));
    }

    private Uni<List<DecideBatchResponse>> decideChunk(List<DecideBatchRequest> chunk, String caller) {
        List<DecideBatchResponse> answers = new ArrayList<>(chunk.size());
        List<ContactRequest> valid = new ArrayList<>(chunk.size());
        List<String> correlations = new ArrayList<>(chunk.size());
        for (DecideBatchRequest item : chunk) {
            try {
                valid.add(ContactRequests.check(raw(item.getRequest()), ""));
                correlations.add(item.getCorrelationId());
            } catch (RapportException e) {
                DecideBatchResponse.Builder invalid = DecideBatchResponse.newBuilder()
                        .setCorrelationId(item.getCorrelationId());
                e.errors().forEach(f -> invalid.addErrors(FieldError.newBuilder().setField(protoField(f.field()))
                        .setMessage(f.message())));
                answers.add(invalid.build());
            }
        }
        if (valid.isEmpty()) {
            return Uni.createFrom().item(answers);
        }
        return decisions.decide(valid, caller).map(verdicts -> {
            for (int i = 0; i < verdicts.size(); i++) {
                answers.add(DecideBatchResponse.newBuilder().setCorrelationId(correlations.get(i))
                        .setResponse(response(verdicts.get(i))).build());
            }
            return answers;
        });
    }

    private String caller() {
        return identity.isAnonymous() ? "grpc" : identity.getPrincipal().getName();
    }

    static ContactRequests.Raw raw(DecideRequest r) {
        return new ContactRequests.Raw(r.getProfileId(), name(r.getChannelValue(), r.getChannel().name(), "CHANNEL_"),
                name(r.getPurposeValue(), r.getPurpose().name(), "PURPOSE_"), r.getCampaignId(), r.getProductIdsList(),
                r.getCategoriesList(), r.getTopic(), r.getCommit());
    }

    /** The API name of a proto enum value (CHANNEL_CALL_CENTER is call_center); null when unset. */
    private static String name(int number, String name, String prefix) {
        if (number == 0) {
            return null;
        }
        return name.startsWith(prefix) ? name.substring(prefix.length()).toLowerCase(Locale.ROOT) : "value " + number;
    }

    /** A field of the JSON request named as in the proto message: profileId is profile_id. */
    private static String protoField(String field) {
        return field.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    }

    static DecideResponse response(Verdict v) {
        DecideResponse.Builder out = DecideResponse.newBuilder()
                .setDecision(Decision.valueOf("DECISION_" + v.decision().name())).setProfileId(v.profileId());
        if (v.retryAt() != null) {
            out.setRetryAt(timestamp(v.retryAt()));
        }
        for (dev.rapport.suppression.Reason r : v.reasons()) {
            Reason.Builder reason = Reason.newBuilder().setRule(Rule.valueOf("RULE_" + r.rule().name()))
                    .setDetail(r.detail());
            if (r.sourceEventId() != null) {
                reason.setSourceEventId(r.sourceEventId());
            }
            if (r.until() != null) {
                reason.setUntil(timestamp(r.until()));
            }
            out.addReasons(reason);
        }
        return out.build();
    }

    private static Timestamp timestamp(Instant at) {
        return Timestamp.newBuilder().setSeconds(at.getEpochSecond()).setNanos(at.getNano()).build();
    }
}
