package dev.rapport.common.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.logging.Level;

import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.Test;

/** What reaches a log line is masked, the exception that comes with it included. */
class PersonalDataLogFilterTest {

    private final PersonalDataLogFilter filter = new PersonalDataLogFilter("RU");

    @Test
    void masksTheMessagesOfAnExceptionAndItsCausesKeepingTheirClassesAndStacks() {
        IllegalStateException cause = new IllegalStateException("no mailbox иван@пример.рф");
        RuntimeException thrown = new RuntimeException("sending to +7 916 123-45-67 failed", cause);
        ExtLogRecord record = new ExtLogRecord(Level.SEVERE, "Delivery failed", ExtLogRecord.FormatStyle.NO_FORMAT,
                getClass().getName());
        record.setThrown(thrown);
        assertThat(filter.isLoggable(record)).isTrue();
        Throwable logged = record.getThrown();
        assertThat(logged.toString()).isEqualTo("java.lang.RuntimeException: sending to +* *** ***-**-67 failed");
        assertThat(logged.getStackTrace()).isEqualTo(thrown.getStackTrace());
        assertThat(logged.getCause().toString()).isEqualTo("java.lang.IllegalStateException: no mailbox и***@п***.рф");
    }

    @Test
    void leavesAnExceptionWithoutPersonalDataAsItIs() {
        IllegalArgumentException thrown = new IllegalArgumentException("bad id evt-1001");
        ExtLogRecord record = new ExtLogRecord(Level.WARNING, "x", ExtLogRecord.FormatStyle.NO_FORMAT, "c");
        record.setThrown(thrown);
        filter.isLoggable(record);
        assertThat(record.getThrown()).isSameAs(thrown);
    }
}
