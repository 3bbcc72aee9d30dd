package dev.rapport.suppression;

import dev.rapport.common.testing.ServiceFoundationTestBase;
import io.grpc.Status;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class SuppressionFoundationTest extends ServiceFoundationTestBase {

    @Override
    protected String grpcMethod() {
        return "rapport.suppression.v1.SuppressionService/Decide";
    }

    @Override
    protected Status.Code grpcCodeForEmptyAuthorisedRequest() {
        return Status.Code.INVALID_ARGUMENT;
    }
}
