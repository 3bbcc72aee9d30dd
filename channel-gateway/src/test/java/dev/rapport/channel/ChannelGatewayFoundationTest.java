package dev.rapport.channel;

import dev.rapport.common.testing.ServiceFoundationTestBase;
import io.grpc.Status;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class ChannelGatewayFoundationTest extends ServiceFoundationTestBase {

    @Override
    protected String grpcMethod() {
        return "rapport.channel.v1.ChannelGatewayService/GetMessage";
    }

    @Override
    protected Status.Code grpcCodeForEmptyAuthorisedRequest() {
        return Status.Code.INVALID_ARGUMENT;
    }
}
