package dev.rapport.desk.repository;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;

/** The ticket mirror. */
@ApplicationScoped
@WithSession
public class TicketRepository implements PanacheRepositoryBase<TicketEntity, String> {

    /** Open tickets of a profile, newest first. */
    public Uni<List<TicketEntity>> listOpen(String profileId) {
        return list("profileId = ?1 and status = ?2 order by openedAt desc", profileId, TicketEntity.OPEN);
    }
}
