from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from audit.models import AuditEvent
from audit.services import GENESIS_HASH, compute_hash


def events_for_object(*, object_type: str, object_id: str | int) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(object_type=object_type, object_id=str(object_id)).order_by("id")


@dataclass(frozen=True)
class ChainProblem:
    kind: str  # "edited" | "inserted" | "deleted"
    event_id: int
    message: str


def first_chain_problem(*, batch_size: int = 2000) -> ChainProblem | None:
    """Walk the chain in order and name the first event that was edited, inserted or deleted.

    - edited: the event's content no longer matches its own hash.
    - inserted: the event's predecessor link skips the event before it (so that one was added).
    - deleted: the event links to a hash that no event has any more.
    """
    previous: AuditEvent | None = None
    before_previous_hash: str | None = None
    seen_hashes: set[str] = {GENESIS_HASH}
    last_id = 0
    while True:
        batch = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:batch_size])
        if not batch:
            return None
        for event in batch:
            expected_prev = previous.hash if previous else GENESIS_HASH
            if compute_hash(event.prev_hash, event) != event.hash:
                return ChainProblem("edited", event.id, f"Event {event.id} was edited after it was written.")
            if event.prev_hash != expected_prev:
                if previous is not None and event.prev_hash == (before_previous_hash or GENESIS_HASH):
                    return ChainProblem(
                        "inserted",
                        previous.id,
                        f"Event {previous.id} was inserted: event {event.id} does not link to it.",
                    )
                if event.prev_hash in seen_hashes:
                    return ChainProblem(
                        "inserted", event.id, f"Event {event.id} links to an earlier event, not to the one before it."
                    )
                return ChainProblem(
                    "deleted",
                    event.id,
                    f"An event before event {event.id} was deleted: it links to an event that no longer exists.",
                )
            before_previous_hash = previous.hash if previous else GENESIS_HASH
            previous = event
            seen_hashes.add(event.hash)
            last_id = event.id
