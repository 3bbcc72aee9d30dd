package dev.rapport.system;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.util.Map;

import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;

import dev.rapport.common.testing.RawGrpc;
import dev.rapport.common.testing.TestTokens;
import io.grpc.Status;

/** The whole suite boots as `make run` boots it, and each service answers an authenticated caller. */
@ExtendWith(Suite.class)
class SuiteBootIT {

    /** One RPC of each service; an empty request reaches the service once the caller is authorised. */
    private static final Map<String, String> RPC = Map.of(
            "profile-service", "rapport.profile.v1.ProfileService/GetProfile",
            "campaign-service", "rapport.campaign.v1.CampaignService/GetNextBestAction",
            "suppression-service", "rapport.suppression.v1.SuppressionService/Decide",
            "channel-gateway", "rapport.channel.v1.ChannelGatewayService/GetMessage",
            "service-desk-bridge", "rapport.desk.v1.DeskService/ListOpenTickets");

    static java.util.List<String> services() {
        return Suite.SERVICES;
    }

    @ParameterizedTest
    @MethodSource("services")
    void everyServiceIsReady(String service) {
        given().port(Suite.port(service)).when().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"));
    }

    @ParameterizedTest
    @MethodSource("services")
    void everyServiceAnswersAnAuthenticatedRestCall(String service) {
        given().port(Suite.port(service)).auth().oauth2(TestTokens.user("integrator"))
                .when().get("/api/v1/me").then().statusCode(200)
                .body("name", equalTo("integrator"))
                .body("service", equalTo(service));
        given().port(Suite.port(service)).when().get("/api/v1/me").then().statusCode(401);
    }

    @ParameterizedTest
    @MethodSource("services")
    void everyServiceTakesGrpcCallsOnlyWithAServiceToken(String service) {
        try (RawGrpc grpc = new RawGrpc("localhost", Suite.port(service))) {
            assertThat(grpc.call(RPC.get(service), new byte[0], null)).isEqualTo(Status.Code.UNAUTHENTICATED);
            assertThat(grpc.call(RPC.get(service), new byte[0], TestTokens.user("admin")))
                    .isEqualTo(Status.Code.PERMISSION_DENIED);
            assertThat(grpc.call(RPC.get(service), new byte[0], TestTokens.service("channel-gateway")))
                    .isNotIn(Status.Code.UNAUTHENTICATED, Status.Code.PERMISSION_DENIED, Status.Code.UNAVAILABLE);
        }
    }

    /**
     * Every packaged service keeps verified tokens (with a priority equal to the OIDC provider's, the one that answers
     * from them ran first in some services only): a token used again is found, an altered copy is refused.
     */
    @ParameterizedTest
    @MethodSource("services")
    void everyServiceTrustsAVerifiedTokenAgainButNotAnAlteredCopy(String service) {
        String token = TestTokens.user("integrator");
        double before = tokenHits(service);
        for (int i = 0; i < 3; i++) {
            given().port(Suite.port(service)).auth().oauth2(token).when().get("/api/v1/me").then().statusCode(200);
        }
        assertThat(tokenHits(service) - before).as("calls answered from a token verified before").isGreaterThanOrEqualTo(2);
        int at = token.lastIndexOf('.') + 10;
        String altered = token.substring(0, at) + (token.charAt(at) == 'A' ? 'B' : 'A') + token.substring(at + 1);
        given().port(Suite.port(service)).auth().oauth2(altered).when().get("/api/v1/me").then().statusCode(401);
    }

    private static double tokenHits(String service) {
        String metrics = given().port(Suite.port(service)).when().get("/q/metrics").then().statusCode(200).extract()
                .asString();
        return metrics.lines().filter(l -> l.startsWith("rapport_security_verified_tokens_total{")
                && l.contains("result=\"hit\"")).mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    @Test
    void aServiceTokenReadsTheDeskTicketMirror() throws Exception {
        // ListOpenTicketsRequest { profile_id = 1 } written by hand: the system tests need no generated stubs
        ByteString.Output out = ByteString.newOutput();
        CodedOutputStream coded = CodedOutputStream.newInstance(out);
        coded.writeString(1, "p-nobody-" + System.nanoTime());
        coded.flush();
        try (RawGrpc grpc = new RawGrpc("localhost", Suite.port("service-desk-bridge"))) {
            byte[] answer = grpc.callForBytes(RPC.get("service-desk-bridge"), out.toByteString().toByteArray(),
                    TestTokens.service("campaign-service"));
            assertThat(answer).as("an empty ListOpenTicketsResponse").isEmpty();
        }
    }
}
