package dev.rapport.channel.grpc;

import java.time.Instant;
import java.util.Locale;

import jakarta.annotation.security.RolesAllowed;

import com.google.protobuf.Timestamp;

import dev.rapport.channel.Content;
import dev.rapport.channel.Outgoing;
import dev.rapport.channel.service.MessageService;
import dev.rapport.channel.service.MessageService.Accepted;
import dev.rapport.common.error.RapportException;
import dev.rapport.common.grpc.GrpcErrors;
import dev.rapport.common.security.Roles;
import dev.rapport.proto.channel.v1.GetMessageRequest;
import dev.rapport.proto.channel.v1.GetMessageResponse;
import dev.rapport.proto.channel.v1.MessageContent;
import dev.rapport.proto.channel.v1.MessageStatus;
import dev.rapport.proto.channel.v1.MutinyChannelGatewayServiceGrpc;
import dev.rapport.proto.channel.v1.Refusal;
import dev.rapport.proto.channel.v1.SendMessageRequest;
import dev.rapport.proto.channel.v1.SendMessageResponse;
import dev.rapport.proto.channel.v1.SendMessagesRequest;
import dev.rapport.proto.channel.v1.SendMessagesResponse;
import dev.rapport.proto.channel.v1.StatusChange;
import dev.rapport.proto.common.v1.Channel;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * The gRPC face of the gateway ({@code rapport.channel.v1.ChannelGatewayService}), for Rapport's other services only
 * (role {@code service}): one message, a stream of them for a campaign (each answered in turn, queued or refused with
 * the reason, without ending the stream), and a message with its history. The same rules as the REST API apply.
 */
@GrpcService
@RolesAllowed(Roles.SERVICE)
public class ChannelGatewayGrpcService extends MutinyChannelGatewayServiceGrpc.ChannelGatewayServiceImplBase {

    /** How many messages of a stream are taken at once. */
    private static final int STREAM_CONCURRENCY = 16;

    private final MessageService messages;

    public ChannelGatewayGrpcService(MessageService messages) {
        this.messages = messages;
    }

    @Override
    public Uni<SendMessageResponse> sendMessage(SendMessageRequest request) {
        return messages.accept(outgoing(request)).map(ChannelGatewayGrpcService::response);
    }

    @Override
    public Multi<SendMessagesResponse> sendMessages(Multi<SendMessagesRequest> requests) {
        return requests.onItem().transformToUni(r -> messages.accept(outgoing(r.getMessage()))
                .map(a -> SendMessagesResponse.newBuilder().setId(r.getMessage().getId()).setQueued(response(a))
                        .build())
                .onFailure(RapportException.class).recoverWithItem(f -> SendMessagesResponse.newBuilder()
                        .setId(r.getMessage().getId()).setRefused(Refusal.newBuilder().setReason(GrpcErrors.reasonOf(f))
                                .setDetail(detail(f))).build()))
                .merge(STREAM_CONCURRENCY);
    }

    @Override
    public Uni<GetMessageResponse> getMessage(GetMessageRequest request) {
        if (request.getMessageId().isBlank()) {
            return Uni.createFrom().failure(RapportException.invalidField("messageId", "is required"));
        }
        return messages.message(request.getMessageId()).map(f -> {
            GetMessageResponse.Builder b = GetMessageResponse.newBuilder().setMessageId(f.message().id())
                    .setChannel(Channel.valueOf("CHANNEL_" + f.message().channel().toUpperCase(Locale.ROOT)))
                    .setStatus(status(f.message().status()));
            if (f.message().provider() != null) {
                b.setProvider(f.message().provider());
            }
            f.history().forEach(h -> b.addHistory(StatusChange.newBuilder().setStatus(status(h.status()))
                    .setAt(timestamp(h.at())).setDetail(h.detail() == null ? "" : h.detail())));
            return b.build();
        });
    }

    static Outgoing outgoing(SendMessageRequest r) {
        MessageContent c = r.getContent();
        return new Outgoing(r.getId(), r.getProfileId(), api(r.getChannel().name(), "CHANNEL_"),
                api(r.getPurpose().name(), "PURPOSE_"), r.getTo().isBlank() ? null : r.getTo(),
                r.hasContent() ? new Content(blank(c.getSubject()), blank(c.getHtml()), blank(c.getText()),
                        blank(c.getTitle()), blank(c.getBody()), c.getDataMap()) : null,
                blank(r.getCampaignId()), r.getProductIdsList(), r.hasExpiresAt() ? Instant.ofEpochSecond(
                        r.getExpiresAt().getSeconds(), r.getExpiresAt().getNanos()) : null);
    }

    private static SendMessageResponse response(Accepted a) {
        SendMessageResponse.Builder b = SendMessageResponse.newBuilder().setMessageId(a.messageId())
                .setStatus(status(a.status())).setSegments(a.segments());
        if (a.retryAt() != null) {
            b.setRetryAt(timestamp(a.retryAt()));
        }
        return b.build();
    }

    /** A status as the contract names it ({@code sending} is {@code QUEUED} to a caller: not yet with a provider). */
    static MessageStatus status(String status) {
        return status.equals("sending") ? MessageStatus.MESSAGE_STATUS_QUEUED
                : MessageStatus.valueOf("MESSAGE_STATUS_" + status.toUpperCase(Locale.ROOT));
    }

    /** An enum's API name ({@code sms} for {@code CHANNEL_SMS}); an unset or unknown one is null (named as missing). */
    private static String api(String name, String prefix) {
        if (!name.startsWith(prefix) || name.endsWith("UNSPECIFIED")) {
            return null;
        }
        return name.substring(prefix.length()).toLowerCase(Locale.ROOT);
    }

    private static String detail(Throwable f) {
        RapportException e = (RapportException) f;
        return e.getMessage() + (e.errors().isEmpty() ? "" : " " + e.errors());
    }

    private static String blank(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private static Timestamp timestamp(Instant at) {
        return Timestamp.newBuilder().setSeconds(at.getEpochSecond()).setNanos(at.getNano()).build();
    }
}
