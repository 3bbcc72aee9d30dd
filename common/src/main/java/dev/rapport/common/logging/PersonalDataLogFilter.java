package dev.rapport.common.logging;

import java.util.logging.Filter;
import java.util.logging.LogRecord;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logmanager.ExtFormatter;
import org.jboss.logmanager.ExtLogRecord;

import io.quarkus.logging.LoggingFilter;

/**
 * Masks personal data in every log line of the handlers it is configured on
 * ({@code quarkus.log.console.filter=rapport-personal-data}). It never drops a line.
 */
@LoggingFilter(name = "rapport-personal-data")
public final class PersonalDataLogFilter implements Filter {

    /** Formats a record's message the way the handlers will (printf or {@code {0}} style); never formats a whole line. */
    private static final ExtFormatter MESSAGE_FORMATTER = new ExtFormatter() {
        @Override
        public String format(ExtLogRecord record) {
            return formatMessage(record);
        }
    };

    private final PersonalDataMasker masker;

    public PersonalDataLogFilter(@ConfigProperty(name = "rapport.phone.default-region", defaultValue = "RU") String region) {
        this.masker = new PersonalDataMasker(region);
    }

    @Override
    public boolean isLoggable(LogRecord record) {
        if (record.getThrown() != null) {
            Throwable masked = masked(record.getThrown(), 0);
            if (masked != record.getThrown()) {
                record.setThrown(masked);
            }
        }
        if (record instanceof ExtLogRecord ext) {
            String formatted = MESSAGE_FORMATTER.formatMessage(ext);
            String masked = masker.mask(formatted);
            if (masked != null && !masked.equals(formatted)) {
                ext.setMessage(masked, ExtLogRecord.FormatStyle.NO_FORMAT);
                ext.setParameters(null);
            }
        } else if (record.getParameters() == null || record.getParameters().length == 0) {
            String masked = masker.mask(record.getMessage());
            if (masked != null && !masked.equals(record.getMessage())) {
                record.setMessage(masked);
            }
        }
        return true;
    }

    /**
     * The exception as it may be logged: itself when no message in its chain holds personal data, else a copy whose
     * messages are masked, with the same stack traces, and the original class named in its message.
     */
    Throwable masked(Throwable t, int depth) {
        if (t == null || depth > 16) {
            return t;
        }
        Throwable cause = t.getCause() == t ? null : t.getCause();
        Throwable maskedCause = masked(cause, depth + 1);
        String message = t.getMessage();
        String maskedMessage = masker.mask(message);
        if (maskedCause == cause && (message == null || message.equals(maskedMessage))) {
            return t;
        }
        return new MaskedException(t, maskedMessage, maskedCause);
    }

    /** A copy of an exception for the log, its message masked. */
    static final class MaskedException extends RuntimeException {

        private static final long serialVersionUID = 1L;

        MaskedException(Throwable original, String maskedMessage, Throwable cause) {
            super(original.getClass().getName() + (maskedMessage == null ? "" : ": " + maskedMessage), cause, false,
                    true);
            setStackTrace(original.getStackTrace());
        }

        @Override
        public String toString() {
            return getMessage();
        }
    }
}
