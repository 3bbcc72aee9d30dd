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
}
