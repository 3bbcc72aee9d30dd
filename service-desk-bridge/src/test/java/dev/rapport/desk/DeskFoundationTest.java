package dev.rapport.desk;

import dev.rapport.common.testing.ServiceFoundationTestBase;
import io.grpc.Status;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class DeskFoundationTest extends ServiceFoundationTestBase {

    @Override
    protected String grpcMethod() {
        return "rapport.desk.v1.DeskService/ListOpenTickets";
    }

    @Override
    protected Status.Code grpcCodeForEmptyAuthorisedRequest() {
        return Status.Code.INVALID_ARGUMENT;
    }
}
