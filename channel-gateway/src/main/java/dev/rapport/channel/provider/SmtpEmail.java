package dev.rapport.channel.provider;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.rapport.channel.Message;
import dev.rapport.channel.config.ChannelConfig;
import dev.rapport.channel.config.ChannelConfig.EmailProvider;
import dev.rapport.channel.tracking.EmailTracking.Tracked;
import dev.rapport.channel.tracking.Tracking;
import io.quarkus.mailer.Mail;
import io.quarkus.mailer.reactive.ReactiveMailer;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.mail.SMTPException;

/**
 * Email over SMTP with the Quarkus mailer (the local stack and the tests: GreenMail). The message gets a
 * {@code Message-ID} of its own, which is the provider's id for it, and carries Rapport's message id in
 * {@code X-Rapport-Message-Id}; it goes with its tracking ({@link Tracking}). A 550, 551 or 553 reply means the
 * address can never be reached; another 5xx reply is permanent; a 4xx reply, a refused connection or a timeout is not.
 * On while {@code rapport.channel.email-provider} is {@code smtp} (the default): email goes through one provider.
 */
@ApplicationScoped
public class SmtpEmail implements Provider {

    private final ReactiveMailer mailer;
    private final Tracking tracking;
    private final String from;
    private final String domain;
    private final boolean chosen;

    public SmtpEmail(ReactiveMailer mailer, Tracking tracking, ChannelConfig config) {
        this.mailer = mailer;
        this.tracking = tracking;
        this.from = config.emailFrom();
        this.chosen = config.emailProvider() == EmailProvider.SMTP
                || config.emailFallback().filter(EmailProvider.SMTP::equals).isPresent();
        int at = from.lastIndexOf('@');
        this.domain = at < 0 ? "rapport.local" : from.substring(at + 1).replace(">", "").strip();
    }

    @Override
    public String name() {
        return "smtp";
    }

    @Override
    public String channel() {
        return "email";
    }

    @Override
    public boolean enabled() {
        return chosen;
    }

    @Override
    public Uni<String> send(Message m) {
        String messageId = "<" + UUID.nameUUIDFromBytes(m.id().getBytes(StandardCharsets.UTF_8))
                + "@" + domain + ">";
        Mail mail = new Mail().addTo(m.address()).setFrom(from).setSubject(m.content().subject())
                .addHeader("Message-ID", messageId).addHeader("X-Rapport-Message-Id", m.id());
        Tracked tracked = tracking.email(m);
        tracked.headers().forEach(mail::addHeader);
        if (tracked.html() != null) {
            mail.setHtml(tracked.html());
        }
        if (tracked.text() != null) {
            mail.setText(tracked.text());
        }
        return mailer.send(mail).replaceWith(messageId).onFailure().transform(SmtpEmail::classify);
    }

    private static Throwable classify(Throwable f) {
        Throwable cause = f;
        while (cause != null && !(cause instanceof SMTPException) && cause.getCause() != null && cause.getCause()
                != cause) {
            cause = cause.getCause();
        }
        if (cause instanceof SMTPException smtp && smtp.isPermanent()) {
            return smtp.getReplyCode() == 550 || smtp.getReplyCode() == 551 || smtp.getReplyCode() == 553
                    ? ProviderFailure.unreachable("SMTP " + smtp.getReplyCode() + ": " + smtp.getMessage())
                    : ProviderFailure.permanent("SMTP " + smtp.getReplyCode() + ": " + smtp.getMessage());
        }
        if (cause instanceof SMTPException smtp) {
            return ProviderFailure.temporary("SMTP " + smtp.getReplyCode() + ": " + smtp.getMessage(), null, f);
        }
        return ProviderFailure.unanswered("the SMTP server", f);
    }
}
