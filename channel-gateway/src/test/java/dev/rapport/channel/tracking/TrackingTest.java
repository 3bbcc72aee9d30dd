package dev.rapport.channel.tracking;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.inject.Inject;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;

import org.junit.jupiter.api.Test;

import dev.rapport.channel.Content;
import dev.rapport.channel.GreenMailResource;
import dev.rapport.channel.Message;
import dev.rapport.common.testing.Await;
import dev.rapport.common.testing.Rows;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.config.RedirectConfig;
import io.restassured.config.RestAssuredConfig;

/**
 * A tracked email as a person meets it: its links go through the gateway and land where the author pointed them, the
 * pixel records the open, the satisfaction footer speaks the person's language and records the score, the unsubscribe
 * link asks before it unsubscribes (a mail scanner's GET changes nothing) and one-click POST unsubscribes; a forged,
 * altered or borrowed token changes nothing and redirects nowhere.
 */
@QuarkusTest
class TrackingTest {

    private static final RestAssuredConfig NO_REDIRECTS = RestAssuredConfig.config()
            .redirect(RedirectConfig.redirectConfig().followRedirects(false));

    @Inject
    AgroalDataSource db;

    @Inject
    Tracking tracking;

    @Test
    void aTrackedEmailsLinkRedirectsWhereTheAuthorPointedItAndRecordsTheClick() throws Exception {
        String id = stored("transactional", "queued", "<p>Ваш заказ <a href=\"https://shop.example/orders/123?x=1&amp;y=2\""
                + ">123</a> в пути. <a href=\"mailto:help@shop.example\">Напишите нам</a></p>");
        Await.until(() -> "sent".equals(text("SELECT status FROM message WHERE id = ?", id)), "sent");
        String html = html(mailFor(id));
        assertThat(html).doesNotContain("https://shop.example/orders").contains("mailto:help@shop.example")
                .contains("/t/o/").contains("Как мы справились?");
        String click = first(html, "href=\"https?://[^/\"]+(/t/c/[^\"]+)\"");
        given().config(NO_REDIRECTS).when().get(click).then().statusCode(302)
                .header("Location", "https://shop.example/orders/123?x=1&y=2");
        Await.until(() -> "clicked".equals(text("SELECT status FROM message WHERE id = ?", id)), "clicked");
        assertThat(text("SELECT properties->>'url' FROM message_event WHERE message_id = ? AND type = "
                + "'message_clicked'", id)).isEqualTo("https://shop.example/orders/123?x=1&y=2");
    }

    @Test
    void thePixelRecordsTheOpenOnceAndAnswersAnImage() throws Exception {
        String id = stored("transactional", "sent", "<p>Здравствуйте</p>");
        String pixel = "/t/o/" + tracking.tokens().token('o', id, null);
        byte[] gif = given().when().get(pixel).then().statusCode(200).contentType("image/gif")
                .header("Cache-Control", containsString("no-store")).extract().asByteArray();
        assertThat(new String(gif, 0, 6, StandardCharsets.US_ASCII)).isEqualTo("GIF89a");
        given().when().get(pixel).then().statusCode(200);
        assertThat(text("SELECT status FROM message WHERE id = ?", id)).isEqualTo("opened");
        assertThat(texts("SELECT type FROM message_event WHERE message_id = ?", id)).containsExactly("message_opened");
    }

    @Test
    void theSatisfactionFooterRecordsTheScoreAndRefusesAnother() throws Exception {
        String id = stored("service", "sent", "<p>Ваше обращение решено</p>");
        String link = "/t/csat/" + tracking.tokens().token('s', id, null);
        given().queryParam("score", "great").when().get(link).then().statusCode(400)
                .contentType("application/problem+json");
        given().queryParam("score", "bad").when().get(link).then().statusCode(200).contentType(containsString("html"))
                .body(containsString("Спасибо за оценку"));
        assertThat(text("SELECT properties->>'score' FROM message_event WHERE message_id = ? AND type = "
                + "'csat_submitted'", id)).isEqualTo("bad");
    }

    @Test
    void unsubscribeAsksOnGetAndUnsubscribesOnTheOneClickPost() throws Exception {
        String id = stored("marketing", "sent", "<p>Скидка 20%</p>");
        String link = "/t/u/" + tracking.tokens().token('u', id, null);
        given().when().get(link).then().statusCode(200).body(containsString("Отписаться"))
                .body(containsString("method=\"post\""));
        assertThat(texts("SELECT type FROM message_event WHERE message_id = ?", id)).isEmpty();
        given().contentType("application/x-www-form-urlencoded").body("List-Unsubscribe=One-Click").when()
                .post(link).then().statusCode(200).body(containsString("Вы отписаны"));
        assertThat(text("SELECT properties->>'channel' || ' ' || (properties->>'source') FROM message_event "
                + "WHERE message_id = ? AND type = 'unsubscribed'", id)).isEqualTo("email one_click_unsubscribe");
    }

    @Test
    void aMarketingEmailCarriesOneClickUnsubscribeHeadersAndNoFooter() {
        EmailTracking email = new EmailTracking(tracking.tokens(), "https://rapport.example");
        Message m = new Message("m-1", "p-1", "email", "marketing", "a@example.com",
                new Content("Скидка", "<a href=\"https://shop.example\" data-rapport-track=\"off\">"
                        + "магазин</a>", "Скидка 20%", null, null, Map.of()), null, List.of(), 1, null,
                "sending", null, null, 1, null, null, null, null, "en");
        EmailTracking.Tracked t = email.track(m);
        assertThat(t.headers().get("List-Unsubscribe")).startsWith("<https://rapport.example/t/u/").endsWith(">");
        assertThat(t.headers()).containsEntry("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        assertThat(t.html()).contains("href=\"https://shop.example\"").doesNotContain("data-rapport-track")
                .doesNotContain("How did we do?");
        assertThat(t.text()).isEqualTo("Скидка 20%");
    }

    @Test
    void aForgedAlteredOrBorrowedTokenChangesNothingAndRedirectsNowhere() throws Exception {
        String id = stored("transactional", "sent", "<p>Заказ</p>");
        String click = tracking.tokens().token('c', id, "https://shop.example/");
        String payload = click.substring(0, click.indexOf('.'));
        String altered = Base64.getUrlEncoder().withoutPadding().encodeToString(("c\n" + id + "\nhttps://evil.example/")
                .getBytes(StandardCharsets.UTF_8)) + click.substring(click.indexOf('.'));
        given().config(NO_REDIRECTS).when().get("/t/c/" + altered).then().statusCode(404)
                .contentType("application/problem+json").body("reason", equalTo("unknown_token"));
        given().config(NO_REDIRECTS).when().get("/t/c/" + payload + ".AAAAAAAAAAAAAAAAAAAAAA").then().statusCode(404);
        given().config(NO_REDIRECTS).when().get("/t/c/not-a-token").then().statusCode(404);
        String open = tracking.tokens().token('o', id, null);
        given().config(NO_REDIRECTS).when().get("/t/c/" + open).then().statusCode(404); // an open token, not a click
        given().when().get("/t/o/" + tracking.tokens().token('o', "no-such-message", null)).then().statusCode(404);
        given().when().post("/t/u/" + open).then().statusCode(404);
        assertThat(texts("SELECT type FROM message_event WHERE message_id = ?", id)).isEmpty();
        assertThat(text("SELECT status FROM message WHERE id = ?", id)).isEqualTo("sent");
    }

    private String stored(String purpose, String status, String html) throws SQLException {
        String id = "t-" + UUID.randomUUID();
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement s = c.prepareStatement("""
                    INSERT INTO message (id, profile_id, channel, purpose, address, identity, content, request_digest,
                        segments, status, attempts, next_attempt_at, created_at, updated_at, language)
                    VALUES (?, 'p-1', 'email', ?, ?, 'email:p1@example.com',
                        jsonb_build_object('subject', 'Заказ', 'html', ?::text, 'text', 'Заказ в пути'),
                        'digest', 1, ?, 0, now(), now(), now(), 'ru')""")) {
                s.setString(1, id);
                s.setString(2, purpose);
                s.setString(3, id + "@example.com");
                s.setString(4, html);
                s.setString(5, status);
                s.executeUpdate();
            }
            try (PreparedStatement s = c.prepareStatement(
                    "INSERT INTO message_status (message_id, status, at, detail) VALUES (?, ?, now(), 'test')")) {
                s.setString(1, id);
                s.setString(2, status);
                s.executeUpdate();
            }
            c.commit();
        }
        return id;
    }

    private static MimeMessage mailFor(String id) throws Exception {
        for (MimeMessage m : GreenMailResource.mail().getReceivedMessages()) {
            if (m.getAllRecipients()[0].toString().equals(id + "@example.com")) {
                return m;
            }
        }
        throw new AssertionError("no mail for " + id);
    }

    private static String html(MimeMessage m) throws Exception {
        return part(m.getContent());
    }

    private static String part(Object content) throws Exception {
        if (content instanceof MimeMultipart mp) {
            for (int i = 0; i < mp.getCount(); i++) {
                if (mp.getBodyPart(i).isMimeType("text/html")) {
                    return (String) mp.getBodyPart(i).getContent();
                }
                String inner = mp.getBodyPart(i).getContent() instanceof MimeMultipart ? part(mp.getBodyPart(i)
                        .getContent()) : null;
                if (inner != null) {
                    return inner;
                }
            }
            return null;
        }
        return (String) content;
    }

    private static String first(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertThat(m.find()).as(regex + " in " + text).isTrue();
        return m.group(1).replace("&amp;", "&");
    }

    private List<String> texts(String sql, String id) throws SQLException {
        return Rows.texts(db, sql, id);
    }

    private String text(String sql, String id) throws SQLException {
        return Rows.text(db, sql, id);
    }
}
