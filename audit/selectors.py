from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from audit.models import AuditEvent
from audit.services import GENESIS_HASH, compute_hash


def events_for_object(*, object_type: str, object_id: str | int) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(object_type=object_type, object_id=str(object_id)).order_by("id")


# --- History of one object, as people read it ---------------------------------------------


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: str
    after: str


@dataclass(frozen=True)
class HistoryEntry:
    occurred_at: datetime
    actor_label: str
    action: str
    object_repr: str
    changes: list[FieldChange]


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _changes(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[FieldChange]:
    before = before or {}
    after = after or {}
    keys = list(before) + [key for key in after if key not in before]
    return [
        FieldChange(field=key, before=_shown(before.get(key)), after=_shown(after.get(key)))
        for key in keys
        if before.get(key) != after.get(key)
    ]


def history_for_object(*, object_type: str, object_id: str | int) -> list[HistoryEntry]:
    """Every recorded change to one object, oldest first, with only the fields that changed."""
    return [
        HistoryEntry(
            occurred_at=event.occurred_at,
            actor_label=event.actor_label or "system",
            action=event.action,
            object_repr=event.object_repr,
            changes=_changes(event.before, event.after),
        )
        for event in events_for_object(object_type=object_type, object_id=object_id)
    ]


# --- Checking the chain -------------------------------------------------------------------


@dataclass(frozen=True)
class ChainProblem:
    kind: str  # "edited" | "inserted" | "deleted"
    event_id: int
    message: str


def _events_with_next(batch_size: int) -> Iterator[tuple[AuditEvent, AuditEvent | None]]:
    """Every event in id order, each with the one after it (None for the last)."""
    last_id = 0
    held: AuditEvent | None = None
    while True:
        batch = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:batch_size])
        if not batch:
            break
        for event in batch:
            if held is not None:
                yield held, event
            held = event
        last_id = batch[-1].id
    if held is not None:
        yield held, None


def first_chain_problem(*, batch_size: int = 2000) -> ChainProblem | None:
    """Walk the chain in order and name the first event that was edited, inserted or deleted.

    - edited: the event's content no longer matches its own hash.
    - inserted: the event does not link to the event before it, and the event after it does
      (or it links to an earlier event): it was put into the chain afterwards.
    - deleted: the event links to a hash that no event has any more.

    A chain only shows tampering up to its last event: deleting events from the end, or adding
    new ones there, leaves a valid chain. `verify_audit --head HASH` checks a head recorded earlier.
    """
    previous: AuditEvent | None = None
    seen: dict[str, int] = {}
    for event, following in _events_with_next(batch_size):
        expected = previous.hash if previous else GENESIS_HASH
        if compute_hash(event.prev_hash, event) != event.hash:
            return ChainProblem("edited", event.id, f"Event {event.id} was edited after it was written.")
        if event.prev_hash != expected:
            after_what = f"event {previous.id}" if previous else "the start of the trail"
            if following is not None and following.prev_hash == expected:
                return ChainProblem(
                    "inserted",
                    event.id,
                    f"Event {event.id} was inserted: it does not link to {after_what}, and event {following.id} "
                    "links past it.",
                )
            if event.prev_hash in seen:
                return ChainProblem(
                    "inserted",
                    event.id,
                    f"Event {event.id} was inserted: it links to event {seen[event.prev_hash]}, not to {after_what}.",
                )
            return ChainProblem(
                "deleted",
                event.id,
                f"An event between {after_what} and event {event.id} was deleted: event {event.id} links to an "
                f"event that no longer exists (or {after_what} was rewritten).",
            )
        seen[event.hash] = event.id
        previous = event
    return None


def chain_head() -> AuditEvent | None:
    return AuditEvent.objects.order_by("-id").first()
