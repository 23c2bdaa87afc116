from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet

from audit import signing
from audit.models import AuditCheckpoint, AuditEvent
from audit.services import GENESIS_HASH, LATE_COMMIT_MARGIN, checkpoint_hash, compute_hash


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


# --- Checking the trail ----------------------------------------------------------------------


@dataclass(frozen=True)
class ChainProblem:
    # edited | deleted | rewritten | backdated | checkpoint | signature | guard
    kind: str
    event_id: int | None
    message: str


def _chain_problems(batch_size: int) -> Iterator[ChainProblem]:
    """Walk every chain in order: each event's content must match its hash, link to the event
    before it, and take the next place (1, 2, 3 …) in its chain."""
    last: tuple[str, int] = ("", 0)
    previous: AuditEvent | None = None
    while True:
        batch = list(
            AuditEvent.objects.filter(Q(chain__gt=last[0]) | Q(chain=last[0], seq__gt=last[1])).order_by(
                "chain", "seq"
            )[:batch_size]
        )
        if not batch:
            return
        for event in batch:
            same_chain = previous is not None and previous.chain == event.chain
            expected_seq = previous.seq + 1 if same_chain else 1
            expected_prev = previous.hash if same_chain else GENESIS_HASH
            if compute_hash(event.prev_hash, event) != event.hash:
                yield ChainProblem("edited", event.id, f"Event {event.id} was edited after it was written.")
            elif event.seq != expected_seq:
                yield ChainProblem(
                    "deleted",
                    event.id,
                    f"Event {event.id} is number {event.seq} of {event.chain}, but the one before it is number "
                    f"{expected_seq - 1}: events between them were deleted.",
                )
            elif event.prev_hash != expected_prev:
                yield ChainProblem(
                    "deleted",
                    event.id,
                    f"Event {event.id} does not link to the event before it in {event.chain}: "
                    "an event was deleted or rewritten.",
                )
            previous = event
        last = (batch[-1].chain, batch[-1].seq)


def _checkpoint_problems(checkpoints: list[AuditCheckpoint]) -> Iterator[ChainProblem]:
    """Each checkpoint must follow the one before, hash to what it says, and carry a valid
    signature from a key the service publishes (held outside the database)."""
    keys = signing.verify_keys()
    expected_prev = GENESIS_HASH
    for number, checkpoint in enumerate(checkpoints, start=1):
        if checkpoint.number != number:
            yield ChainProblem("checkpoint", None, f"Checkpoint {number} is missing.")
            return
        if checkpoint.prev_hash != expected_prev or checkpoint_hash(checkpoint) != checkpoint.hash:
            yield ChainProblem("checkpoint", None, f"Checkpoint {number} was changed after it was made.")
        key = keys.get(checkpoint.key_id)
        if key is None or not key.verify(checkpoint.signature, checkpoint.hash.encode()):
            yield ChainProblem(
                "signature", None, f"Checkpoint {number} is not signed by any of the service's published keys."
            )
        expected_prev = checkpoint.hash


def _head_problems(checkpoints: list[AuditCheckpoint]) -> Iterator[ChainProblem]:
    """Every head a checkpoint signed must still be in the trail, with the same hash: a chain
    rewritten and rehashed, or cut short, no longer has it."""
    heads = [
        (checkpoint.number, chain, seq, digest) for checkpoint in checkpoints for chain, seq, digest in checkpoint.heads
    ]
    for start in range(0, len(heads), 500):
        batch = heads[start : start + 500]
        condition = Q()
        for _number, chain, seq, _digest in batch:
            condition |= Q(chain=chain, seq=seq)
        found = {(c, s): h for c, s, h in AuditEvent.objects.filter(condition).values_list("chain", "seq", "hash")}
        for number, chain, seq, digest in batch:
            stored = found.get((chain, seq))
            if stored is None:
                yield ChainProblem(
                    "deleted",
                    None,
                    f"Event {seq} of {chain}, signed in checkpoint {number}, is no longer in the trail.",
                )
            elif stored != digest:
                yield ChainProblem(
                    "rewritten",
                    None,
                    f"Event {seq} of {chain} is not the one signed in checkpoint {number}: the chain was rewritten.",
                )


def _coverage_problems(checkpoints: list[AuditCheckpoint]) -> Iterator[ChainProblem]:
    """An event dated well before the last checkpoint must be covered by a checkpoint: one that is
    not was added afterwards and backdated."""
    if not checkpoints:
        return
    covered: dict[str, int] = {}
    for checkpoint in checkpoints:
        for chain, seq, _digest in checkpoint.heads:
            covered[chain] = max(seq, covered.get(chain, 0))
    horizon = checkpoints[-1].created_at - LATE_COMMIT_MARGIN
    for event_id, chain, seq in AuditEvent.objects.filter(occurred_at__lt=horizon).values_list("id", "chain", "seq"):
        if seq > covered.get(chain, 0):
            yield ChainProblem(
                "backdated",
                event_id,
                f"Event {event_id} is dated before checkpoint {checkpoints[-1].number} but no checkpoint covers it: "
                "it was added later.",
            )
    if AuditEvent.objects.count() < max(c.event_count for c in checkpoints):
        yield ChainProblem(
            "deleted", None, "The trail holds fewer events than a checkpoint counted: events were deleted."
        )


def _external_problems(checkpoints: list[AuditCheckpoint], external: list[dict[str, Any]]) -> Iterator[ChainProblem]:
    """Checkpoints someone kept outside the service must all still be here, unchanged."""
    here = {c.number: c.hash for c in checkpoints}
    keys = signing.verify_keys()
    for kept in external:
        number = kept.get("number")
        key = keys.get(kept.get("key_id", ""))
        if key is None or not key.verify(kept.get("signature", ""), str(kept.get("hash", "")).encode()):
            yield ChainProblem("signature", None, f"The kept copy of checkpoint {number} has no valid signature.")
        elif here.get(number) != kept.get("hash"):
            yield ChainProblem(
                "checkpoint", None, f"Checkpoint {number} kept outside the service is missing or different here."
            )


AUDIT_TRIGGERS = {
    "audit_event_append_only": "audit_auditevent",
    "audit_event_no_truncate": "audit_auditevent",
    "audit_checkpoint_append_only": "audit_auditcheckpoint",
    "audit_checkpoint_no_truncate": "audit_auditcheckpoint",
}


def _guard_problems() -> Iterator[ChainProblem]:
    """On PostgreSQL, the triggers that refuse UPDATE, DELETE and TRUNCATE must be there and on."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT t.tgname, t.tgenabled FROM pg_trigger t WHERE NOT t.tgisinternal AND t.tgname = ANY(%s)",
            [list(AUDIT_TRIGGERS)],
        )
        state = dict(cursor.fetchall())
    for name, table in AUDIT_TRIGGERS.items():
        if name not in state:
            yield ChainProblem("guard", None, f"The trigger {name} that guards {table} was removed.")
        elif state[name] in ("D", b"D"):
            yield ChainProblem("guard", None, f"The trigger {name} that guards {table} was switched off.")


def audit_problems(*, external: list[dict[str, Any]] | None = None, batch_size: int = 2000) -> list[ChainProblem]:
    """Everything wrong with the trail: chains, checkpoints and their signatures, heads signed but
    gone or changed, backdated events, checkpoints kept elsewhere, and the database's guards."""
    checkpoints = list(AuditCheckpoint.objects.order_by("number"))
    problems: list[ChainProblem] = []
    problems.extend(_chain_problems(batch_size))
    problems.extend(_checkpoint_problems(checkpoints))
    problems.extend(_head_problems(checkpoints))
    problems.extend(_coverage_problems(checkpoints))
    problems.extend(_external_problems(checkpoints, external or []))
    problems.extend(_guard_problems())
    return problems


def first_chain_problem(*, batch_size: int = 2000) -> ChainProblem | None:
    problems = audit_problems(batch_size=batch_size)
    return problems[0] if problems else None


def uncovered_event_count() -> int:
    """Events newer than the last checkpoint: protected by their chains only until the next one."""
    last = AuditCheckpoint.objects.order_by("-number").first()
    if last is None:
        return AuditEvent.objects.count()
    return max(AuditEvent.objects.count() - last.event_count, 0)


def checkpoints_published() -> QuerySet[AuditCheckpoint]:
    return AuditCheckpoint.objects.order_by("-number")


def checkpoint_as_published(checkpoint: AuditCheckpoint) -> dict[str, Any]:
    """What the public page, the API and `verify_audit --checkpoints` share: the checkpoint's hash
    and signature, never the heads it covers (their names would say which objects changed)."""
    return {
        "number": checkpoint.number,
        "created_at": checkpoint.created_at.isoformat(),
        "prev_hash": checkpoint.prev_hash,
        "hash": checkpoint.hash,
        "key_id": checkpoint.key_id,
        "signature": checkpoint.signature,
    }
