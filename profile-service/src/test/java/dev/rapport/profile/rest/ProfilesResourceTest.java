package dev.rapport.profile.rest;

import static dev.rapport.profile.ProfileFixtures.e164;
import static dev.rapport.profile.ProfileFixtures.email;
import static dev.rapport.profile.ProfileFixtures.event;
import static dev.rapport.profile.ProfileFixtures.phone;
import static dev.rapport.profile.rest.Api.get;
import static dev.rapport.profile.rest.Api.profile;
import static dev.rapport.profile.rest.Api.record;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.rapport.common.testing.TestTokens;
import dev.rapport.profile.ProfileFixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

@QuarkusTest
class ProfilesResourceTest {

    private static final Instant T0 = Instant.now().minus(1, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);

    /** Query values go as typed: REST Assured encodes them. */
    private static String q(String s) {
        return s;
    }

    @Test
    void oneCustomerAcrossLaptopPhoneLoginCallCentreAndStoreIsOneProfile() {
        String laptop = ProfileFixtures.id("cookie");
        String mobile = ProfileFixtures.id("cookie");
        String mail = email();
        String tel = phone();
        String card = ProfileFixtures.id("card");
        List<String> profiles = new ArrayList<>();
        profiles.add(record(event("product_viewed", T0, "anonymousId", laptop)));
        profiles.add(record(event("product_viewed", T0.plusSeconds(60), "anonymousId", mobile)));
        profiles.add(record(event("logged_in", T0.plusSeconds(120), "anonymousId", mobile, "email", mail)));
        profiles.add(record(event("logged_in", T0.plusSeconds(180), "anonymousId", laptop, "email", mail)));
        Map<String, Object> call = event("call_started", T0.plusSeconds(240), "phone", tel, "email", mail);
        call.put("channel", "call_center");
        profiles.add(record(call));
        Map<String, Object> store = event("order_placed", T0.plusSeconds(300), "loyaltyCard", card, "phone",
                "8 " + tel.substring(3));
        store.put("channel", "store");
        store.put("properties", Map.of("orderId", ProfileFixtures.id("o"), "productIds", List.of("hoop-42"),
                "amount", 3990, "currency", "RUB"));
        profiles.add(record(store));

        String survivor = profiles.get(0);
        JsonPath p = profile(profiles.get(5));
        assertThat(p.getString("id")).as("the oldest profile survives").isEqualTo(survivor);
        assertThat(p.getList("mergedIds", String.class)).contains(profiles.get(1));
        assertThat(p.getList("identifiers.value", String.class))
                .contains(laptop, mobile, mail, e164(tel), card);
        assertThat(p.getMap("summary.lastSeen")).containsKeys("web", "call_center", "store");
        assertThat(p.getList("summary.pendingOrders", String.class)).containsExactly("hoop-42");
        assertThat(p.getInt("summary.ordersCount")).isEqualTo(1);
        assertThat(p.getDouble("summary.revenue")).isEqualTo(3990.0);

        // every identifier finds the same person, normalised as on intake
        for (String query : List.of("anonymousId=" + q(laptop), "email=" + q(mail.toUpperCase()),
                "phone=" + q("8 (" + tel.substring(3, 6) + ") " + tel.substring(7)), "loyaltyCard=" + q(card))) {
            get("/api/v1/profiles?" + query).statusCode(200).body("id", equalTo(survivor));
        }
        // a merged-away id finds the survivor
        get("/api/v1/profiles/" + profiles.get(1)).statusCode(200).body("id", equalTo(survivor));
        // the merge itself is on the timeline
        get("/api/v1/profiles/" + survivor + "/timeline?types=profile_merged").statusCode(200)
                .body("items.properties.mergedId", hasItem(profiles.get(1)))
                .body("items.properties.survivorId", hasItem(survivor));
    }

    @Test
    void differentExternalIdsAreNeverMergedAndTheConflictIsKept() {
        String crm1 = ProfileFixtures.id("crm");
        String crm2 = ProfileFixtures.id("crm");
        String mail = email();
        String first = record(event("signed_up", T0, "externalId", crm1, "email", mail));
        String second = record(event("signed_up", T0.plusSeconds(5), "externalId", crm2));
        String third = record(event("logged_in", T0.plusSeconds(10), "externalId", crm2, "email", mail));
        assertThat(third).as("recorded on the profile of its externalId").isEqualTo(second);
        assertThat(first).isNotEqualTo(second);
        get("/api/v1/profiles?email=" + q(mail)).statusCode(200).body("id", equalTo(first));
        given().auth().oauth2(TestTokens.user("admin")).when().get("/api/v1/profiles/" + second + "/export")
                .then().statusCode(200)
                .body("identityConflicts[0].otherProfileId", equalTo(first));
    }

    @Test
    void theExportOfAMergedPersonHoldsWhatWasRecordedUnderTheMergedIds() {
        String mail = email();
        String tel = phone();
        Map<String, Object> signup = event("signed_up", T0, "email", mail);
        signup.put("traits", Map.of("firstName", "Иван"));
        String older = record(signup);
        Map<String, Object> app = event("signed_up", T0.plusSeconds(5), "phone", tel, "externalId",
                ProfileFixtures.id("crm"));
        app.put("traits", Map.of("lastName", "Петров"));
        String younger = record(app);
        // another CRM customer uses the same phone: a conflict recorded against the younger profile
        record(event("logged_in", T0.plusSeconds(10), "phone", tel, "externalId", ProfileFixtures.id("crm")));
        // then one event shows both profiles are one person
        record(event("logged_in", T0.plusSeconds(20), "email", mail, "phone", tel));
        assertThat(profile(younger).getString("id")).isEqualTo(older);

        JsonPath export = given().auth().oauth2(TestTokens.user("admin")).when()
                .get("/api/v1/profiles/" + older + "/export").then().statusCode(200).extract().jsonPath();
        assertThat(export.getList("mergedProfiles.id", String.class)).containsExactly(younger);
        assertThat(export.getString("mergedProfiles[0].traits.lastName")).isEqualTo("Петров");
        assertThat(export.getString("mergedProfiles[0].mergedAt")).isNotNull();
        assertThat(export.getList("identityConflicts.otherProfileId", String.class)).as("recorded under the merged id")
                .contains(younger);
    }

    @Test
    void summaryFollowsOrdersTicketsOffersAndInterestsInAnyArrivalOrder() {
        String cookie = ProfileFixtures.id("cookie");
        String order = ProfileFixtures.id("order");
        String ticket = ProfileFixtures.id("T");
        List<Map<String, Object>> events = new ArrayList<>();
        events.add(props(event("product_viewed", T0, "anonymousId", cookie), Map.of("productId", "hoop-42",
                "category", "basketball")));
        events.add(props(event("product_viewed", T0.plusSeconds(1), "anonymousId", cookie), Map.of("productId", "ball-7",
                "category", "basketball")));
        // the resolution arrives before the opening, the cancellation before the order
        events.add(props(event("ticket_resolved", T0.plusSeconds(50), "anonymousId", cookie), Map.of("ticketId", ticket)));
        events.add(props(event("ticket_opened", T0.plusSeconds(10), "anonymousId", cookie), Map.of("ticketId", ticket)));
        events.add(props(event("ticket_opened", T0.plusSeconds(20), "anonymousId", cookie), Map.of("ticketId",
                ticket + "-2")));
        events.add(props(event("order_status_changed", T0.plusSeconds(40), "anonymousId", cookie), Map.of("orderId",
                order + "-x", "status", "cancelled")));
        events.add(props(event("order_placed", T0.plusSeconds(30), "anonymousId", cookie), Map.of("orderId",
                order + "-x", "productIds", List.of("net-1"), "amount", "1000", "currency", "RUB")));
        events.add(props(event("order_placed", T0.plusSeconds(31), "anonymousId", cookie), Map.of("orderId", order,
                "productIds", List.of("hoop-42"), "amount", 200.5, "currency", "RUB")));
        events.add(props(event("order_status_changed", T0.plusSeconds(60), "anonymousId", cookie), Map.of("orderId",
                order, "status", "completed")));
        events.add(props(event("offer_declined", T0.plusSeconds(70), "anonymousId", cookie), Map.of("category",
                "golf")));
        String id = record(events).get(0);

        JsonPath p = profile(id);
        assertThat(p.getList("summary.interests.value", String.class)).contains("hoop-42", "ball-7", "basketball");
        assertThat(p.getInt("summary.interests.find { it.value == 'basketball' }.count")).isEqualTo(2);
        assertThat(p.getList("summary.openTickets.ticketId", String.class)).containsExactly(ticket + "-2");
        assertThat(p.getList("summary.purchases", String.class)).containsExactly("hoop-42");
        assertThat(p.getList("summary.pendingOrders", String.class)).isEmpty();
        assertThat(p.getInt("summary.ordersCount")).isEqualTo(1);
        assertThat(p.getDouble("summary.revenue")).isEqualTo(200.5);
        assertThat(p.getDouble("summary.averageOrderValue")).isEqualTo(200.5);
        assertThat(p.getString("summary.currency")).isEqualTo("RUB");
        assertThat(p.getList("summary.declinedOffers.value", String.class)).containsExactly("golf");
    }

    @Test
    void severalProfilesMergedAtOnceCombineTheirSummaries() {
        String a = ProfileFixtures.id("cookie");
        String b = ProfileFixtures.id("cookie");
        String c = ProfileFixtures.id("cookie");
        String mail = email();
        for (String cookie : List.of(a, b, c)) {
            Map<String, Object> view = props(event("product_viewed", T0, "anonymousId", cookie),
                    Map.of("productId", "hoop-42", "category", "basketball"));
            Map<String, Object> decline = props(event("offer_declined", T0.plusSeconds(5), "anonymousId", cookie),
                    Map.of("productId", "ball-7"));
            record(List.of(view, decline));
        }
        String survivor = record(event("logged_in", T0.plusSeconds(60), "email", mail, "anonymousId", a));
        record(List.of(event("logged_in", T0.plusSeconds(61), "email", mail, "anonymousId", b, "deviceId",
                ProfileFixtures.id("d")), event("logged_in", T0.plusSeconds(62), "anonymousId", c, "email", mail)));
        JsonPath p = profile(survivor);
        assertThat(p.getList("mergedIds", String.class)).hasSize(2);
        assertThat(p.getInt("summary.interests.find { it.value == 'basketball' }.count")).isEqualTo(3);
        assertThat(p.getInt("summary.interests.find { it.value == 'hoop-42' }.count")).isEqualTo(3);
        assertThat(p.getList("summary.declinedOffers.value", String.class)).containsExactly("ball-7");
        assertThat(p.getMap("summary.lastSeen")).containsOnlyKeys("web");
    }

    @Test
    void mergingSeveralProfilesInOneEventCombinesThem() {
        List<String> cookies = List.of(ProfileFixtures.id("cookie"), ProfileFixtures.id("cookie"),
                ProfileFixtures.id("cookie"));
        String mail = email();
        String tel = phone();
        record(props(event("product_viewed", T0, "anonymousId", cookies.get(0)), Map.of("category", "golf")));
        record(props(event("product_viewed", T0.plusSeconds(1), "email", mail), Map.of("category", "golf")));
        record(props(event("product_viewed", T0.plusSeconds(2), "phone", tel), Map.of("category", "golf")));
        String survivor = record(event("logged_in", T0.plusSeconds(9), "anonymousId", cookies.get(0), "email", mail,
                "phone", tel));
        JsonPath p = profile(survivor);
        assertThat(p.getList("mergedIds", String.class)).hasSize(2);
        assertThat(p.getInt("summary.interests.find { it.value == 'golf' }.count")).isEqualTo(3);
    }

    @Test
    void traitsKeepTheLatestValueWhateverTheArrivalOrder() {
        String mail = email();
        Map<String, Object> later = event("signed_up", T0.plusSeconds(100), "email", mail);
        later.put("traits", Map.of("firstName", "Иван", "timezone", "Europe/Moscow"));
        Map<String, Object> earlier = event("page_viewed", T0, "email", mail);
        earlier.put("traits", Map.of("firstName", "Vanya", "locale", "ru"));
        String id = record(List.of(later, earlier)).get(0);
        JsonPath p = profile(id);
        assertThat(p.getString("traits.firstName")).isEqualTo("Иван");
        assertThat(p.getString("traits.locale")).isEqualTo("ru");
        assertThat(p.getString("traits.timezone")).isEqualTo("Europe/Moscow");
    }

    @Test
    void timelinePagesNewestFirstWithFiltersAndOpaqueCursors() {
        String cookie = ProfileFixtures.id("cookie");
        List<Map<String, Object>> events = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            Map<String, Object> e = event(i % 2 == 0 ? "page_viewed" : "product_viewed", T0.plusSeconds(i), "anonymousId",
                    cookie);
            e.put("channel", i < 5 ? "web" : "app");
            events.add(e);
        }
        String id = record(events).get(0);
        JsonPath page1 = get("/api/v1/profiles/" + id + "/timeline?limit=3").statusCode(200).extract().jsonPath();
        assertThat(page1.getList("items.id")).containsExactly(events.get(6).get("id"),
                events.get(5).get("id"), events.get(4).get("id"));
        String cursor = page1.getString("nextCursor");
        JsonPath page2 = get("/api/v1/profiles/" + id + "/timeline?limit=3&cursor=" + cursor).statusCode(200)
                .extract().jsonPath();
        assertThat(page2.getList("items.id")).containsExactly(events.get(3).get("id"),
                events.get(2).get("id"), events.get(1).get("id"));
        JsonPath page3 = get("/api/v1/profiles/" + id + "/timeline?limit=3&cursor=" + page2.getString("nextCursor"))
                .statusCode(200).extract().jsonPath();
        assertThat(page3.getList("items.id")).containsExactly(events.get(0).get("id"));
        assertThat(page3.getString("nextCursor")).isNull();

        get("/api/v1/profiles/" + id + "/timeline?types=product_viewed&channels=web").statusCode(200)
                .body("items.id", equalTo(List.of(events.get(3).get("id"), events.get(1).get("id"))));
        get("/api/v1/profiles/" + id + "/timeline?channels=app,web&types=page_viewed,product_viewed&limit=500")
                .statusCode(200).body("items.size()", equalTo(7));
    }

    @Test
    void refusesBadTimelineAndLookupParametersNamingThem() {
        String id = record(event("page_viewed", T0, "anonymousId", ProfileFixtures.id("cookie")));
        get("/api/v1/profiles/" + id + "/timeline?limit=0").statusCode(400).body("errors[0].field", equalTo("limit"));
        get("/api/v1/profiles/" + id + "/timeline?limit=501").statusCode(400).body("errors[0].field", equalTo("limit"));
        get("/api/v1/profiles/" + id + "/timeline?limit=ten").statusCode(400).body("errors[0].field", equalTo("limit"));
        get("/api/v1/profiles/" + id + "/timeline?cursor=garbage").statusCode(400)
                .body("errors[0].field", equalTo("cursor"));
        get("/api/v1/profiles/" + id + "/timeline?channels=fax").statusCode(400)
                .body("errors[0].field", equalTo("channels"));
        get("/api/v1/profiles?email=not-an-email").statusCode(400).body("errors[0].field", equalTo("email"));
        get("/api/v1/profiles?phone=12").statusCode(400).body("errors[0].field", equalTo("phone"));
        get("/api/v1/profiles").statusCode(400).body("errors[0].field", equalTo("query"));
        get("/api/v1/profiles?email=" + q(email()) + "&phone=" + q(phone())).statusCode(400)
                .body("errors[0].field", equalTo("query"));
        get("/api/v1/profiles/" + "x".repeat(200)).statusCode(400).body("errors[0].field", equalTo("id"));
    }

    @Test
    void unknownProfilesAndIdentifiersAre404() {
        get("/api/v1/profiles/no-such-profile").statusCode(404).contentType("application/problem+json")
                .body("reason", equalTo("profile_not_found"));
        get("/api/v1/profiles/no-such-profile/timeline").statusCode(404);
        get("/api/v1/profiles?email=" + q(email())).statusCode(404).body("reason", equalTo("profile_not_found"));
    }

    @Test
    void readingProfilesNeedsTheIntegratorRole() {
        String id = record(event("page_viewed", T0, "anonymousId", ProfileFixtures.id("cookie")));
        for (String path : List.of("/api/v1/profiles/" + id, "/api/v1/profiles/" + id + "/timeline",
                "/api/v1/profiles?anonymousId=x")) {
            given().when().get(path).then().statusCode(401).contentType("application/problem+json");
            given().auth().oauth2(TestTokens.user("marketer")).when().get(path).then().statusCode(403)
                    .contentType("application/problem+json");
        }
        given().auth().oauth2(TestTokens.user("integrator")).when().get("/api/v1/profiles/" + id + "/export").then()
                .statusCode(403);
        given().auth().oauth2(TestTokens.user("integrator")).when().delete("/api/v1/profiles/" + id).then()
                .statusCode(403);
        given().when().delete("/api/v1/profiles/" + id).then().statusCode(401);
        get("/api/v1/profiles/" + id).statusCode(200);
    }

    @Test
    void exportHoldsEverythingAndErasureLeavesNothingButStartsAFreshProfileNextTime() {
        String mail = email();
        String tel = phone();
        Map<String, Object> first = event("signed_up", T0, "email", mail, "anonymousId", ProfileFixtures.id("c"));
        first.put("traits", Map.of("firstName", "Иван", "birthday", "1988-12-01"));
        String visitor = record(event("page_viewed", T0.minusSeconds(60), "phone", tel));
        String id = record(first);
        record(event("logged_in", T0.plusSeconds(60), "email", mail, "phone", tel));
        String survivor = profile(id).getString("id");

        JsonPath export = given().auth().oauth2(TestTokens.user("admin")).when()
                .get("/api/v1/profiles/" + id + "/export").then().statusCode(200).extract().jsonPath();
        assertThat(export.getString("profile.traits.firstName")).isEqualTo("Иван");
        assertThat(export.getList("identifiers.value", String.class)).contains(mail, e164(tel));
        assertThat(export.getList("identifiers.firstSeen")).doesNotContainNull();
        assertThat(export.getList("events.type", String.class)).contains("signed_up", "logged_in", "page_viewed",
                "profile_merged");

        given().auth().oauth2(TestTokens.user("admin")).when().delete("/api/v1/profiles/" + visitor).then()
                .statusCode(204);
        get("/api/v1/profiles/" + survivor).statusCode(404).body("reason", equalTo("profile_erased"));
        get("/api/v1/profiles/" + id).statusCode(404);
        get("/api/v1/profiles?email=" + q(mail)).statusCode(404);
        get("/api/v1/profiles/" + survivor + "/timeline").statusCode(404);
        given().auth().oauth2(TestTokens.user("admin")).when().get("/api/v1/profiles/" + survivor + "/export").then()
                .statusCode(404);
        given().auth().oauth2(TestTokens.user("admin")).when().delete("/api/v1/profiles/" + survivor).then()
                .statusCode(404);

        String fresh = record(event("page_viewed", T0.plusSeconds(600), "email", mail));
        assertThat(fresh).isNotIn(survivor, id, visitor);
        assertThat(profile(fresh).getList("identifiers.value", String.class)).containsExactly(mail);
    }

    private static Map<String, Object> props(Map<String, Object> event, Map<String, Object> properties) {
        event.put("properties", properties);
        return event;
    }
}
