package dev.rapport.campaign.template;

import static dev.rapport.campaign.config.CampaignConfig.AddressForm.FORMAL;
import static dev.rapport.campaign.config.CampaignConfig.AddressForm.INFORMAL;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

/** One voice: the greeting fits the form of address, the name the person gave, and their language. */
class VoiceTest {

    @Test
    void formalRussianGreetsByNameAndPatronymicAndInformalByFirstName() {
        Map<String, Object> ivan = Map.of("firstName", "Иван", "middleName", "Петрович", "lastName", "Сидоров");
        assertThat(Voice.greeting(FORMAL, ivan)).isEqualTo("Здравствуйте, Иван Петрович");
        assertThat(Voice.greeting(INFORMAL, ivan)).isEqualTo("Привет, Иван");
        assertThat(Voice.greeting(FORMAL, Map.of("firstName", "Иван"))).isEqualTo("Здравствуйте, Иван");
    }

    @Test
    void aPersonWithoutANameIsGreetedWithoutAGap() {
        assertThat(Voice.greeting(FORMAL, Map.of())).isEqualTo("Здравствуйте");
        assertThat(Voice.greeting(INFORMAL, Map.of("firstName", "  "))).isEqualTo("Привет");
    }

    @Test
    void anEnglishSpeakerIsGreetedInEnglish() {
        Map<String, Object> ann = Map.of("firstName", "Ann", "lastName", "Lee", "locale", "en-GB");
        assertThat(Voice.greeting(FORMAL, ann)).isEqualTo("Hello, Ann Lee");
        assertThat(Voice.greeting(INFORMAL, ann)).isEqualTo("Hi, Ann");
        assertThat(Voice.language(ann)).isEqualTo("en");
        assertThat(Voice.language(Map.of("locale", "kk"))).isEqualTo("ru");
    }
}
