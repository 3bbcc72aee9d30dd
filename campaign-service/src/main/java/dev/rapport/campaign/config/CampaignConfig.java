package dev.rapport.campaign.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** campaign-service's settings ({@code rapport.campaign.*}). */
@ConfigMapping(prefix = "rapport.campaign")
public interface CampaignConfig {

    /** The one voice every message speaks in. */
    Voice voice();

    /** How Rapport addresses people, and signs. */
    interface Voice {

        /** {@code formal} («Вы»: «Здравствуйте, Иван Петрович») or {@code informal} («ты»: «Привет, Иван»). */
        @WithDefault("formal")
        AddressForm form();

        /** The brand's name, at the top of every email. */
        @WithDefault("Rapport")
        String brand();

        /** The signature under every email, in the person's language when it is Russian or English. */
        @WithDefault("С уважением, команда Rapport")
        String signatureRu();

        /** The English signature. */
        @WithDefault("Best regards, the Rapport team")
        String signatureEn();
    }

    /** The forms of address. */
    enum AddressForm {
        FORMAL,
        INFORMAL
    }
}
