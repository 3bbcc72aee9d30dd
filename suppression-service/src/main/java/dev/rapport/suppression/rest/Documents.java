package dev.rapport.suppression.rest;

import java.time.Instant;
import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import dev.rapport.suppression.Reason;
import dev.rapport.suppression.Verdict;

/** The JSON documents of the REST API. */
public final class Documents {

    private Documents() {
    }

    /** A contact to decide (docs/api.md). */
    @Schema(name = "DecisionRequest")
    public record DecisionRequest(
            @Schema(required = true, description = "The person") String profileId,
            @Schema(required = true, description = "web, app, email, sms, push, messenger, call_center, store, social, "
                    + "service_desk") String channel,
            @Schema(required = true, description = "marketing, service or transactional") String purpose,
            String campaignId, List<String> productIds, List<String> categories,
            @Schema(description = "Consent topic, such as promo") String topic,
            @Schema(description = "When true, an allow takes a place under the contact-pressure caps and the "
                    + "decision is audited") Boolean commit) {
    }

    /** One reason of a decision. */
    @Schema(name = "Reason")
    public record ReasonDocument(String rule, String detail, String sourceEventId, Instant until) {

        static ReasonDocument of(Reason r) {
            return new ReasonDocument(r.rule().apiName(), r.detail(), r.sourceEventId(), r.until());
        }
    }

    /** A decision (docs/api.md), with the profile it was made for (the survivor when a merged-away id was asked). */
    @Schema(name = "Decision")
    public record DecisionResponse(@Schema(description = "allow, deny or defer") String decision, Instant retryAt,
            List<ReasonDocument> reasons, String profileId) {

        static DecisionResponse of(Verdict v) {
            return new DecisionResponse(v.decision().apiName(), v.retryAt(),
                    v.reasons().stream().map(ReasonDocument::of).toList(), v.profileId());
        }
    }

    /** A suppression in force. */
    @Schema(name = "Suppression")
    public record SuppressionDocument(String rule, String scope, String detail, String sourceEventId, Instant since,
            Instant until) {
    }

    /** What is in force for a person now. */
    public record SuppressionsResponse(String profileId, List<SuppressionDocument> items) {
    }

    /** A consent statement to record (docs/api.md). */
    @Schema(name = "ConsentRequest")
    public record ConsentRequest(
            @Schema(required = true, description = "A channel, or all for every channel") String channel,
            @Schema(description = "A topic, or null for every topic of the channel") String topic,
            @Schema(required = true, description = "opted_in or opted_out") String status,
            @Schema(required = true, description = "Where the statement comes from, kept as evidence: a form, a call, "
                    + "a document") String source,
            @Schema(description = "When the person gave it; now when absent") Instant at) {
    }

    /** A consent in force. */
    public record ConsentDocument(String channel, String topic, String status, String source, Instant at,
            String eventId) {
    }

    /** A consent statement as kept. */
    public record StatementDocument(String channel, String topic, String status, String source, Instant at,
            String eventId, Instant recordedAt, String recordedBy) {
    }

    /** A person's consents in force and every statement received. */
    public record ConsentsResponse(String profileId, List<ConsentDocument> consents, List<StatementDocument> history) {
    }

    /** An entry on the do-not-contact list. */
    @Schema(name = "DoNotContactRequest")
    public record DoNotContactRequest(@Schema(required = true) String reason, @Schema(required = true) String source) {
    }

    /** An audited decision. */
    public record AuditedDecision(long id, String profileId, Instant decidedAt, String channel, String purpose,
            String campaignId, String topic, List<String> productIds, List<String> categories, String decision,
            Instant retryAt, List<ReasonDocument> reasons, String caller) {
    }

    /** A page of audited decisions, newest first. */
    public record DecisionsPage(List<AuditedDecision> items, String nextCursor) {
    }

    /** The contact policy with its version. */
    @Schema(name = "Policy")
    public record PolicyDocument(List<CapDocument> caps, QuietHoursDocument quietHours, String purchasedPeriod,
            String declinedPeriod, String ticketGracePeriod, String defaultTimezone, Boolean consentRequired,
            @Schema(readOnly = true, description = "0 while the defaults are in force") Integer version,
            @Schema(readOnly = true) Instant updatedAt, @Schema(readOnly = true) String updatedBy) {
    }

    /** A cap: at most {@code limit} marketing messages in {@code days} days, on a channel or (null) on all. */
    @Schema(name = "Cap")
    public record CapDocument(String channel, Integer limit, Integer days) {
    }

    /** Quiet hours: local times HH:mm and the channels they hold. */
    @Schema(name = "QuietHours")
    public record QuietHoursDocument(String start, String end, List<String> channels) {
    }
}
