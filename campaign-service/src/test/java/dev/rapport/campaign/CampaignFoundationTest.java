package dev.rapport.campaign;

import dev.rapport.common.testing.ServiceFoundationTestBase;
import io.grpc.Status;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class CampaignFoundationTest extends ServiceFoundationTestBase {

    @Override
    protected String grpcMethod() {
        return "rapport.campaign.v1.CampaignService/GetNextBestAction";
    }

    @Override
    protected Status.Code grpcCodeForEmptyAuthorisedRequest() {
        return Status.Code.UNIMPLEMENTED;
    }
}
