package dev.rapport.profile;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One person across every channel.
 *
 * @param id profile id
 * @param createdAt when the profile was created
 * @param updatedAt when it last changed
 * @param traits latest traits
 * @param identifiers every identifier of the person
 * @param mergedIds profiles merged into this one
 * @param summary what the services need at a glance
 */
public record Profile(String id, Instant createdAt, Instant updatedAt, ObjectNode traits, List<Identifier> identifiers,
        List<String> mergedIds, Summary summary) {
}
