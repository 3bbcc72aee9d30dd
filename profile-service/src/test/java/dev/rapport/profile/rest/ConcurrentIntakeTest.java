package dev.rapport.profile.rest;

import static dev.rapport.profile.ProfileFixtures.email;
import static dev.rapport.profile.ProfileFixtures.event;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import dev.rapport.common.testing.TestTokens;
import dev.rapport.profile.ProfileFixtures;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/** Requests that bring the same new person at the same moment end as one profile. */
@QuarkusTest
class ConcurrentIntakeTest {

    private static final int PARALLEL = 12;
    private static final ExecutorService POOL = Executors.newFixedThreadPool(PARALLEL);
    private static final Instant T0 = Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);

    @Inject
    AgroalDataSource db;

    @AfterAll
    static void stop() {
        POOL.shutdownNow();
    }

    @Test
    void requestsWithTheSameNewEmailAtTheSameMomentCreateOneProfile() throws Exception {
        for (int round = 0; round < 5; round++) {
            String mail = email();
            String token = TestTokens.user("integrator");
            List<Map<String, Object>> events = new ArrayList<>();
            for (int i = 0; i < PARALLEL; i++) {
                events.add(event("page_viewed", T0.plusSeconds(i), "email", mail, "anonymousId",
                        ProfileFixtures.id("cookie")));
            }
            List<String> profiles = all(events.stream().<Callable<String>> map(e -> () -> post(token, List.of(e))
                    .get(0)).toList());

            assertThat(new HashSet<>(profiles)).as("round %d: one profile for every request", round).hasSize(1);
            String profile = profiles.get(0);
            assertThat(count("SELECT count(*) FROM identifier WHERE kind = 'email' AND value = ?", mail)).isEqualTo(1);
            assertThat(count("SELECT count(*) FROM identifier WHERE profile_id = ? AND kind = 'anonymousId'", profile))
                    .isEqualTo(PARALLEL);
            assertThat(count("SELECT count(*) FROM event WHERE profile_id = ?", profile)).isEqualTo(PARALLEL);
            assertThat(count("""
                    SELECT count(*) FROM profile WHERE id IN (
                        SELECT profile_id FROM event WHERE id = ANY(?)) AND merged_into IS NULL""",
                    (Object) events.stream().map(e -> (String) e.get("id")).toArray(String[]::new))).isEqualTo(1);
        }
    }

    @Test
    void batchesThatMergeOverlappingPeopleConcurrentlyAllSucceedAndAgree() throws Exception {
        // a ring of visitors: batch i links cookie i with cookie i+1, all at once
        int n = PARALLEL;
        List<String> cookies = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            cookies.add(ProfileFixtures.id("cookie"));
            post(TestTokens.user("integrator"), List.of(event("page_viewed", T0, "anonymousId", cookies.get(i))));
        }
        String token = TestTokens.user("integrator");
        List<Callable<String>> calls = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Map<String, Object> link = event("logged_in", T0.plusSeconds(1), "anonymousId", cookies.get(i), "deviceId",
                    "dev-" + cookies.get((i + 1) % n));
            Map<String, Object> link2 = event("logged_in", T0.plusSeconds(2), "anonymousId", cookies.get((i + 1) % n),
                    "deviceId", "dev-" + cookies.get((i + 1) % n));
            calls.add(() -> post(token, List.of(link, link2)).get(0));
        }
        all(calls);
        Set<String> owners = new HashSet<>();
        for (String cookie : cookies) {
            owners.add(owner("anonymousId", cookie));
        }
        assertThat(owners).as("every visitor of the ring is one person").hasSize(1);
        String survivor = owners.iterator().next();
        assertThat(count("SELECT count(*) FROM profile WHERE id = ? AND merged_into IS NULL", survivor)).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM profile WHERE merged_into = ?", survivor)).isEqualTo(n - 1);
    }

    @Test
    void twoConcurrentEventsBringingDifferentNewExternalIdsNeverFuseTwoCustomers() throws Exception {
        String token = TestTokens.user("integrator");
        for (int round = 0; round < 15; round++) {
            String mail = email();
            String phone = ProfileFixtures.phone();
            String person = post(token, List.of(event("signed_up", T0, "email", mail, "phone", phone))).get(0);
            String crm1 = ProfileFixtures.id("crm");
            String crm2 = ProfileFixtures.id("crm");
            // each event finds the person through another identifier, so nothing but the profile row orders them
            all(List.<Callable<List<String>>> of(
                    () -> post(token, List.of(event("logged_in", T0.plusSeconds(1), "email", mail, "externalId",
                            crm1))),
                    () -> post(token, List.of(event("logged_in", T0.plusSeconds(2), "phone", phone, "externalId",
                            crm2)))));
            assertThat(count("SELECT count(*) FROM identifier WHERE profile_id = ? AND kind = 'externalId'", person))
                    .as("round %d: the person has one CRM customer id", round).isEqualTo(1);
            assertThat(owner("externalId", crm1)).as("round %d", round).isNotNull();
            assertThat(owner("externalId", crm2)).as("round %d", round).isNotNull()
                    .isNotEqualTo(owner("externalId", crm1));
        }
    }

    private static List<String> post(String token, List<Map<String, Object>> events) {
        Response r = given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("events", events))
                .when().post("/api/v1/events");
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(202);
        return r.jsonPath().getList("accepted.profileId", String.class);
    }

    private static <T> List<T> all(List<Callable<T>> calls) throws Exception {
        CyclicBarrier start = new CyclicBarrier(calls.size());
        List<Future<T>> futures = new ArrayList<>();
        for (Callable<T> call : calls) {
            futures.add(POOL.submit(() -> {
                start.await(10, TimeUnit.SECONDS);
                return call.call();
            }));
        }
        List<T> results = new ArrayList<>();
        for (Future<T> f : futures) {
            results.add(f.get(60, TimeUnit.SECONDS));
        }
        return results;
    }

    private String owner(String kind, String value) throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT profile_id FROM identifier WHERE kind = ? AND value = ?")) {
            s.setString(1, kind);
            s.setString(2, value);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private long count(String sql, Object... params) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                if (params[i] instanceof String[] array) {
                    s.setArray(i + 1, c.createArrayOf("text", array));
                } else {
                    s.setObject(i + 1, params[i]);
                }
            }
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
