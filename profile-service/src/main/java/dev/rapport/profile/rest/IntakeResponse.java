package dev.rapport.profile.rest;

import java.util.List;

import dev.rapport.common.error.FieldError;

/**
 * The answer to event intake.
 *
 * @param accepted events stored now or before
 * @param rejected events refused, with the reasons
 */
public record IntakeResponse(List<Accepted> accepted, List<Rejected> rejected) {

    /**
     * A stored event.
     *
     * @param id event id
     * @param profileId the profile it belongs to
     * @param duplicate true when the id was stored before: nothing was stored again
     */
    public record Accepted(String id, String profileId, boolean duplicate) {
    }

    /**
     * A refused event.
     *
     * @param index its position in the request
     * @param id its id, when it had one
     * @param errors what is wrong, by field
     */
    public record Rejected(int index, String id, List<FieldError> errors) {
    }
}
