package dev.rapport.desk.rest;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import com.google.protobuf.Value;

import dev.rapport.common.error.ErrorKind;
import dev.rapport.common.error.FieldError;
import dev.rapport.common.error.RapportException;
import dev.rapport.common.security.Roles;
import dev.rapport.desk.AgentContext;
import dev.rapport.desk.Happening;
import dev.rapport.desk.LikelyReasons;
import dev.rapport.desk.Ticket;
import dev.rapport.desk.repository.OutcomeStore.Outcome;
import dev.rapport.desk.service.AgentDesk;
import dev.rapport.proto.profile.v1.Identifier;
import dev.rapport.proto.profile.v1.IdentifierKind;
import dev.rapport.proto.profile.v1.Profile;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

/**
 * The call-centre agent's page: signed in through Keycloak (the {@code agent-page} OIDC tenant, authorization-code
 * flow), the agent types the caller's phone or email and sees the customer on one screen, then records what came of
 * the call. Server-rendered, no JavaScript: a search form (GET) and an outcome form (POST, answered with a redirect
 * back to the customer, so a reload never records twice). The page speaks Russian; what it shows comes from
 * {@link AgentDesk}, exactly as the agent API answers it.
 */
@Path("/agent")
@Tag(name = "agent")
@Authenticated
@Produces(MediaType.TEXT_HTML)
public class AgentPage {

    private static final LikelyReasons.Words RUSSIAN = LikelyReasons.Words.RUSSIAN;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("dd.MM.yyyy HH:mm");

    /** Channels by their API names, as an agent says them. */
    private static final Map<String, String> CHANNELS = Map.ofEntries(Map.entry("web", "сайт"),
            Map.entry("app", "приложение"), Map.entry("email", "email"), Map.entry("sms", "SMS"),
            Map.entry("push", "push"), Map.entry("messenger", "мессенджер"), Map.entry("call_center", "колл-центр"),
            Map.entry("store", "магазин"), Map.entry("social", "соцсети"), Map.entry("service_desk",
                    "служба поддержки"));

    /** Event types of the timeline, as an agent says them. */
    private static final Map<String, String> TYPES = Map.ofEntries(Map.entry("order_placed", "заказ оформлен"),
            Map.entry("order_status_changed", "статус заказа"), Map.entry("cart_updated", "корзина изменена"),
            Map.entry("signed_up", "регистрация"), Map.entry("offer_declined", "отказ от предложения"),
            Map.entry("offer_accepted", "предложение принято"), Map.entry("ticket_opened", "обращение открыто"),
            Map.entry("ticket_updated", "обращение обновлено"), Map.entry("ticket_resolved", "обращение решено"),
            Map.entry("message_sent", "сообщение отправлено"), Map.entry("message_delivered", "сообщение доставлено"),
            Map.entry("message_opened", "сообщение открыто"), Map.entry("message_clicked", "переход по ссылке"),
            Map.entry("message_bounced", "сообщение не доставлено"), Map.entry("message_failed", "ошибка отправки"),
            Map.entry("message_held", "сообщение отложено"), Map.entry("message_suppressed", "сообщение не отправлено"),
            Map.entry("subscribed", "подписка"), Map.entry("unsubscribed", "отписка"),
            Map.entry("inbound_message", "сообщение от клиента"), Map.entry("call_started", "звонок"),
            Map.entry("call_ended", "звонок завершён"), Map.entry("csat_submitted", "оценка обслуживания"),
            Map.entry("review_left", "отзыв"), Map.entry("product_viewed", "просмотр товара"),
            Map.entry("callback_requested", "просьба перезвонить"));

    /** A desk's satisfaction ratings, as an agent says them. */
    private static final Map<String, String> SCORES = Map.of("good", "хорошо", "ok", "нормально", "bad", "плохо");

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance page(Screen screen);

        static native TemplateInstance refused(String user);
    }

    /** What the page shows: the signed-in agent, the search, an error in words, the customer when one was found. */
    public record Screen(String agent, String query, String error, Customer customer, boolean recorded) {
    }

    /** The customer on one screen. */
    public record Customer(String profileId, String name, List<String> identifiers, List<Line> reasons,
            List<Line> tickets, List<Line> doNotOffer, List<Entry> timeline, List<String> products,
            List<Line> outcomes) {
    }

    /** A line with its explanation. */
    public record Line(String title, String detail) {
    }

    /** An event of the timeline: when, on which channel, what, with what. */
    public record Entry(String at, String channel, String what, String detail) {
    }

    private final AgentDesk desk;
    private final SecurityIdentity identity;

    public AgentPage(AgentDesk desk, SecurityIdentity identity) {
        this.desk = desk;
        this.identity = identity;
    }

    @GET
    @Operation(summary = "The agent's page (HTML, signed in through Keycloak): the caller found by phone or email in q "
            + "(or by profileId), on one screen")
    @APIResponse(responseCode = "200", description = "The page")
    @APIResponse(responseCode = "400", description = "The page, saying what is wrong with the phone or email")
    @APIResponse(responseCode = "403", description = "A page saying the user lacks the role agent")
    @APIResponse(responseCode = "404", description = "The page, saying no customer was found")
    public Uni<Response> page(@QueryParam("q") String query, @QueryParam("profileId") String profileId,
            @QueryParam("recorded") String recorded) {
        if (!isAgent()) {
            return Uni.createFrom().item(refused());
        }
        if (blank(query) && blank(profileId)) {
            return Uni.createFrom().item(html(200, new Screen(agent(), "", null, null, false)));
        }
        String q = blank(query) ? "" : query.strip();
        Uni<AgentDesk.View> view = blank(query) ? desk.context(null, null, profileId, RUSSIAN)
                : q.contains("@") ? desk.context(null, q, null, RUSSIAN) : desk.context(q, null, null, RUSSIAN);
        return view.map(v -> html(200, new Screen(agent(), q, null, customer(v), recorded != null)))
                .onFailure(RapportException.class).recoverWithItem(e -> {
                    return html(e.kind().httpStatus(), new Screen(agent(), q, words(e), null, false));
                });
    }

    @POST
    @Path("/outcomes")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Operation(summary = "Records the outcome of a call from the agent's page, then shows the customer again")
    @APIResponse(responseCode = "303", description = "Recorded: back to the customer")
    @APIResponse(responseCode = "400", description = "The customer's page, saying what is missing; nothing recorded")
    @APIResponse(responseCode = "403", description = "A page saying the user lacks the role agent")
    public Uni<Response> outcome(@FormParam("profileId") String profileId, @FormParam("productId") String productId,
            @FormParam("outcome") String outcome, @FormParam("note") String note) {
        if (!isAgent()) {
            return Uni.createFrom().item(refused());
        }
        return desk.record(profileId, productId, outcome, note, agent())
                .map(o -> Response.seeOther(URI.create("/agent?profileId=" + URLEncoder.encode(o.profileId(),
                        StandardCharsets.UTF_8) + "&recorded=" + o.id())).build())
                .onFailure(RapportException.class).recoverWithUni(e -> {
                    if (blank(profileId)) {
                        return Uni.createFrom().item(html(e.kind().httpStatus(), new Screen(agent(), "", words(e),
                                null, false)));
                    }
                    return desk.context(null, null, profileId, RUSSIAN).map(v -> html(e.kind().httpStatus(), new Screen(
                            agent(), "", words(e), customer(v), false))).onFailure(RapportException.class)
                            .recoverWithItem(g -> html(e.kind().httpStatus(), new Screen(agent(), "", words(e), null,
                                    false)));
                });
    }

    private boolean isAgent() {
        return identity.hasRole(Roles.AGENT) || identity.hasRole(Roles.ADMIN);
    }

    private String agent() {
        return identity.getPrincipal().getName();
    }

    private Response refused() {
        return Response.status(403).type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8"))
                .entity(Templates.refused(agent()).render()).build();
    }

    private static Response html(int status, Screen screen) {
        return Response.status(status).type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8"))
                .entity(Templates.page(screen).render()).build();
    }

    /** The customer as the page shows them, in Russian, times in the customer's zone. */
    static Customer customer(AgentDesk.View v) {
        Profile p = v.profile();
        ZoneId zone = AgentDesk.zone(p);
        List<String> identifiers = new ArrayList<>();
        for (Identifier i : p.getIdentifiersList()) {
            if (i.getKind() == IdentifierKind.IDENTIFIER_KIND_PHONE) {
                identifiers.add("телефон " + i.getValue());
            } else if (i.getKind() == IdentifierKind.IDENTIFIER_KIND_EMAIL) {
                identifiers.add("email " + i.getValue());
            }
        }
        List<Line> reasons = new ArrayList<>();
        for (LikelyReasons.Reason r : v.context().likelyReasons()) {
            reasons.add(new Line(r.reason(), String.join("; ", r.evidence())));
        }
        List<Line> tickets = new ArrayList<>();
        for (Ticket t : v.openTickets()) {
            tickets.add(new Line(t.id() + (t.subject() == null ? "" : " «" + t.subject() + "»"), "открыто "
                    + at(t.openedAt(), zone) + ", " + desk(t.desk()) + " " + t.externalId()));
        }
        List<Line> doNotOffer = new ArrayList<>();
        for (AgentContext.DoNotOffer d : v.context().doNotOffer()) {
            doNotOffer.add(d.product().equals("*") ? new Line("ничего", "пока открыто обращение "
                    + v.openTickets().get(0).id() + ", никакой рекламы") : new Line(d.product(), why(d.rule())));
        }
        List<Entry> timeline = new ArrayList<>();
        for (Happening h : v.context().timeline()) {
            timeline.add(new Entry(at(h.at(), zone), channel(h.channel()), what(h.type()), detail(h)));
        }
        List<Line> outcomes = new ArrayList<>();
        for (Outcome o : v.outcomes()) {
            outcomes.add(new Line(outcome(o.outcome()) + (o.productId() == null ? "" : ": " + o.productId()),
                    at(o.recordedAt(), zone) + ", " + o.agent() + (o.note() == null ? "" : ", «" + o.note() + "»")));
        }
        return new Customer(p.getId(), name(p), identifiers, reasons, tickets, doNotOffer, timeline,
                List.copyOf(AgentDesk.products(v)), outcomes);
    }

    private static String name(Profile p) {
        Map<String, Value> traits = p.getTraits().getFieldsMap();
        List<String> parts = new ArrayList<>();
        for (String key : List.of("firstName", "lastName")) {
            Value v = traits.get(key);
            if (v != null && v.hasStringValue() && !v.getStringValue().isBlank()) {
                parts.add(v.getStringValue().strip());
            }
        }
        if (parts.isEmpty() && traits.get("name") != null && traits.get("name").hasStringValue()) {
            parts.add(traits.get("name").getStringValue().strip());
        }
        return parts.isEmpty() ? "Клиент без имени" : String.join(" ", parts);
    }

    private static String at(Instant t, ZoneId zone) {
        return t == null ? "" : TIME.format(t.atZone(zone));
    }

    /** What went wrong, in the agent's words, naming the field where there is one. */
    static String words(RapportException e) {
        FieldError first = e.errors().isEmpty() ? null : e.errors().get(0);
        if (e.kind() == ErrorKind.UNAVAILABLE) {
            return "Сервис профилей сейчас не отвечает. Попробуйте ещё раз через минуту.";
        }
        if (e.kind() == ErrorKind.NOT_FOUND) {
            return "Клиент не найден.";
        }
        if (first == null) {
            return "Запрос не выполнен: " + e.getMessage();
        }
        return switch (first.field()) {
            case "phone" -> "Телефон указан неверно: это не номер телефона. Введите номер, например +7 916 123-45-67, "
                    + "или email.";
            case "email" -> "Email указан неверно.";
            case "productId" -> e.kind() == ErrorKind.UNPROCESSABLE
                    ? "Этого товара нет в истории клиента: итог можно записать только по тому, что клиент смотрел, "
                            + "заказывал или отклонял."
                    : "Выберите товар: без него отказ или согласие не записать.";
            case "outcome" -> "Выберите итог звонка: отказ, согласие или перезвонить.";
            case "note" -> "Комментарий слишком длинный (не больше 2000 знаков).";
            default -> "Запрос не выполнен: " + first.field() + " " + first.message();
        };
    }

    private static String why(String rule) {
        return switch (rule) {
            case "pending_order" -> "уже заказан, заказ ещё не выполнен";
            case "purchased" -> "уже куплен";
            case "declined" -> "клиент недавно отказался";
            default -> rule;
        };
    }

    private static String outcome(String outcome) {
        return switch (outcome) {
            case "declined" -> "отказ";
            case "accepted" -> "согласие, оформлен заказ";
            case "callback_requested" -> "просьба перезвонить";
            default -> outcome;
        };
    }

    private static String desk(String desk) {
        return switch (desk) {
            case "zendesk" -> "Zendesk";
            case "freshdesk" -> "Freshdesk";
            default -> "служба поддержки";
        };
    }

    static String channel(String channel) {
        return channel == null ? "—" : CHANNELS.getOrDefault(channel, channel);
    }

    static String what(String type) {
        return TYPES.getOrDefault(type, type);
    }

    /** The properties an agent reads, in words: product, order, status, campaign, subject, text, rating, reason. */
    static String detail(Happening h) {
        Map<String, String> parts = new LinkedHashMap<>();
        if (h.text("productId") != null) {
            parts.put("товар", h.text("productId"));
        } else if (!h.texts("productIds").isEmpty()) {
            parts.put("товары", String.join(", ", h.texts("productIds")));
        }
        put(parts, "заказ", h.text("orderId"));
        put(parts, "статус", h.text("status"));
        put(parts, "кампания", h.text("campaignId"));
        put(parts, "тема", quoted(h.text("subject")));
        put(parts, "текст", quoted(h.text("text")));
        String score = h.text("rating") != null ? h.text("rating") : h.text("score");
        put(parts, "оценка", score == null ? null : SCORES.getOrDefault(score, score));
        put(parts, "причина", h.text("reason"));
        List<String> out = new ArrayList<>();
        parts.forEach((k, v) -> out.add(k + " " + v));
        return String.join(", ", out);
    }

    private static void put(Map<String, String> parts, String label, String value) {
        if (value != null) {
            parts.put(label, value);
        }
    }

    private static String quoted(String text) {
        if (text == null) {
            return null;
        }
        String one = text.strip().replaceAll("\\s+", " ");
        return "«" + (one.length() > 120 ? one.substring(0, 120) + "…" : one) + "»";
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
