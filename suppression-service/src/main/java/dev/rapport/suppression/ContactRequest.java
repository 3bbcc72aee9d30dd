package dev.rapport.suppression;

import java.util.List;

import dev.rapport.common.vocabulary.Channel;
import dev.rapport.common.vocabulary.Purpose;

/**
 * An intended contact, validated.
 *
 * @param profileId the person
 * @param channel where the message would go
 * @param purpose why: it selects the rules that apply
 * @param campaignId the campaign, or null
 * @param productIds products the message promotes
 * @param categories categories the message promotes
 * @param topic the consent topic, or null
 * @param commit whether an allow reserves a place under the contact-pressure caps
 */
public record ContactRequest(String profileId, Channel channel, Purpose purpose, String campaignId,
        List<String> productIds, List<String> categories, String topic, boolean commit) {

    public ContactRequest {
        productIds = List.copyOf(productIds);
        categories = List.copyOf(categories);
    }
}
