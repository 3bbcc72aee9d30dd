package dev.rapport.common.error;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.grpc.Status;
import io.vertx.pgclient.PgException;
import io.vertx.redis.client.impl.types.ErrorType;

/** Which failures pass by themselves (try again) and which do not (set aside): the one classification of the suite. */
class FailuresTest {

    static PgException pg(String state) {
        return new PgException("failure " + state, "ERROR", state, null);
    }

    @ParameterizedTest
    @ValueSource(strings = { "57P03", "57P01", "57P02", "57014", "53300", "53200", "53100", "40P01", "40001", "08006",
            "08001", "58030", "55P03", "25006" })
    void databaseFailuresThatPassAreTemporary(String state) {
        assertThat(Failures.isTemporary(pg(state))).as(state).isTrue();
        assertThat(Failures.isTemporary(new RuntimeException("wrapped", pg(state)))).as("wrapped " + state).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = { "22021", "22P05", "23505", "23502", "42P01", "22003", "XX000" })
    void databaseFailuresThatComeBackTheSameArePermanent(String state) {
        assertThat(Failures.isTemporary(pg(state))).as(state).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = { "LOADING Redis is loading the dataset in memory", "READONLY You can't write against a "
            + "read only replica.", "BUSY Redis is busy running a script", "MASTERDOWN Link with MASTER is down",
            "TRYAGAIN Multiple keys request during rehashing of slot", "CLUSTERDOWN The cluster is down",
            "OOM command not allowed when used memory > 'maxmemory'.",
            "NOGROUP No such key 'k' or consumer group 'g' in XREADGROUP with GROUP option" })
    void redisFailuresThatPassAreTemporary(String reply) {
        assertThat(Failures.isTemporary(ErrorType.create(reply))).as(reply).isTrue();
    }

    @Test
    void otherRedisErrorsArePermanent() {
        assertThat(Failures.isTemporary(ErrorType.create("WRONGTYPE Operation against a key holding the wrong kind")))
                .isFalse();
        assertThat(Failures.isTemporary(ErrorType.create("ERR unknown command"))).isFalse();
    }

    @Test
    void aLostConsumerGroupIsToldApart() {
        assertThat(Failures.isMissingGroup(ErrorType.create("NOGROUP No such key or consumer group"))).isTrue();
        assertThat(Failures.isMissingGroup(new RuntimeException(ErrorType.create("NOGROUP no group")))).isTrue();
        assertThat(Failures.isMissingGroup(ErrorType.create("LOADING"))).isFalse();
    }

    @Test
    void unreachableDependenciesAndUnavailableServicesAreTemporary() {
        assertThat(Failures.isTemporary(new ConnectException("Connection refused"))).isTrue();
        assertThat(Failures.isTemporary(new TimeoutException())).isTrue();
        assertThat(Failures.isTemporary(Status.UNAVAILABLE.asRuntimeException())).isTrue();
        assertThat(Failures.isTemporary(Status.DEADLINE_EXCEEDED.asRuntimeException())).isTrue();
        assertThat(Failures.isTemporary(RapportException.unavailable("down", "down"))).isTrue();
    }

    @Test
    void badDataAndBugsArePermanent() {
        assertThat(Failures.isTemporary(new IllegalArgumentException("bad"))).isFalse();
        assertThat(Failures.isTemporary(new NullPointerException())).isFalse();
        assertThat(Failures.isTemporary(Status.INVALID_ARGUMENT.asRuntimeException())).isFalse();
        assertThat(Failures.isTemporary(RapportException.invalidField("f", "bad"))).isFalse();
    }
}
