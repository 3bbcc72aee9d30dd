package dev.rapport.profile;

import dev.rapport.common.testing.ServiceFoundationTestBase;
import io.grpc.Status;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class ProfileFoundationTest extends ServiceFoundationTestBase {

    @Override
    protected String grpcMethod() {
        return "rapport.profile.v1.ProfileService/GetProfile";
    }

    @Override
    protected Status.Code grpcCodeForEmptyAuthorisedRequest() {
        return Status.Code.INVALID_ARGUMENT;
    }
}
