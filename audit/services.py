"""Writing the audit trail. Call `audit_record` inside the transaction that makes the change.

`audit_checkpoint_create` signs the head of every chain that changed (ADR 6); a periodic task runs it.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db import connection, models, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from audit import signing
from audit.models import AuditCheckpoint, AuditEvent
from core.clock import db_now
from core.middleware import current_request_id

GENESIS_HASH = "0" * 64
# PostgreSQL advisory locks take two 32-bit keys: this constant names "audit chains", the second
# key is the chain's hashtext(). Two chains sharing a hashtext only wait for each other needlessly.
_PG_CHAIN_LOCK_SPACE = 7310
_PG_CHECKPOINT_LOCK = 7_310_492_002
SERVICE_CHAIN = "service"


# Never written to the trail: a field whose name contains one of these.
SECRET_FIELD_WORDS = ("password", "token", "secret")


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | time):
        return value.isoformat()
    if isinstance(value, date | Decimal | UUID | timedelta):
        return str(value)
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, FieldFile):
        return value.name or None
    if isinstance(value, set | frozenset):
        return sorted(value)  # type: ignore[return-value]
    raise TypeError(f"Cannot put {type(value).__name__} in an audit event")


def to_jsonable(data: Any) -> Any:
    """What the JSON column will give back when read, so hashing before and after saving agrees."""
    return json.loads(json.dumps(data, default=_json_default))


def canonical_content(event: AuditEvent) -> bytes:
    content = {
        "chain": event.chain,
        "seq": event.seq,
        "occurred_at": event.occurred_at.astimezone(timezone.UTC).isoformat(timespec="microseconds"),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_repr": event.object_repr,
        "before": event.before,
        "after": event.after,
        "request_id": event.request_id,
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def compute_hash(prev_hash: str, event: AuditEvent) -> str:
    return hashlib.sha256(prev_hash.encode() + b"\n" + canonical_content(event)).hexdigest()


def snapshot(instance: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """A model's field values, for `before` and `after`. Secrets are never included."""
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        if any(word in field.name for word in SECRET_FIELD_WORDS):
            continue
        data[field.attname] = getattr(instance, field.attname)
    return to_jsonable(data)


def chain_of(object_type: str, object_id: str) -> str:
    return f"{object_type}:{object_id}" if object_type else SERVICE_CHAIN


# No savepoint of its own inside the caller's transaction (two round trips fewer for every audited
# write): the event belongs to that transaction, and if writing it fails the whole change must roll
# back with it, so there is nothing a savepoint could keep.
@transaction.atomic(savepoint=False)
def audit_record(
    *,
    actor: Any | None,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    object_repr: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditEvent:
    """Append one event to its object's chain, in the caller's transaction.

    The event is written in the same transaction as the change it records: if that transaction
    rolls back, the event goes too. `at` is the time the decision used (a service that read the
    database clock under its locks passes that reading), so the record and the decision agree;
    without it, the database clock now. Writers of one chain are serialised (a PostgreSQL advisory
    lock on that chain, held to the end of the transaction; SQLite has one writer at a time), and
    the unique (chain, seq) makes a fork impossible even if that ever failed. Writers of other
    objects do not wait.
    """
    if obj is not None:
        if obj.pk is None and not object_id:
            # Django clears pk on delete(): record a deletion before deleting, or pass object_id.
            raise ValueError("Record the audit event before deleting the object, or pass object_id.")
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
        object_repr = object_repr or str(obj)[:300]
    chain = chain_of(object_type, str(object_id))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [_PG_CHAIN_LOCK_SPACE, chain])
    last = AuditEvent.objects.filter(chain=chain).order_by("-seq").only("hash", "seq").first()
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    event = AuditEvent(
        occurred_at=at or db_now(),
        actor_id=actor.pk if is_user else None,
        actor_label=(getattr(actor, "email", "") if is_user else (actor if isinstance(actor, str) else "system")),
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        object_repr=object_repr,
        before=to_jsonable(before) if before is not None else None,
        after=to_jsonable(after) if after is not None else None,
        request_id=current_request_id() if current_request_id() != "-" else "",
        chain=chain,
        seq=(last.seq + 1) if last else 1,
        prev_hash=last.hash if last else GENESIS_HASH,
    )
    event.hash = compute_hash(event.prev_hash, event)
    event.save(force_insert=True)
    return event


# --- Checkpoints ------------------------------------------------------------------------------

# A transaction that writes an event commits within this long of the event's time. A checkpoint
# lists every chain with an event since the previous checkpoint's time less this margin, so an
# event committed late is still covered (ADR 6). Database statement timeouts keep it true.
LATE_COMMIT_MARGIN = timedelta(minutes=30)


def heads_root(heads: list[list[Any]]) -> str:
    """One hash for the list of heads. Only this is published: the chains' names would say which
    objects (bids, say) changed and when."""
    return hashlib.sha256(json.dumps(heads, separators=(",", ":"), ensure_ascii=False).encode()).hexdigest()


def checkpoint_content(checkpoint: AuditCheckpoint) -> bytes:
    content = {
        "number": checkpoint.number,
        "created_at": checkpoint.created_at.astimezone(timezone.UTC).isoformat(timespec="microseconds"),
        "covers_from": checkpoint.covers_from.astimezone(timezone.UTC).isoformat(timespec="microseconds"),
        "event_count": checkpoint.event_count,
        "heads_root": heads_root(checkpoint.heads),
        "prev_hash": checkpoint.prev_hash,
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def checkpoint_hash(checkpoint: AuditCheckpoint) -> str:
    return hashlib.sha256(checkpoint_content(checkpoint)).hexdigest()


def _heads_since(instant: datetime | None) -> list[list[Any]]:
    """[chain, seq, hash] of the head of every chain with an event at or after `instant` (all
    chains when None), sorted by chain."""
    chains = AuditEvent.objects.all()
    if instant is not None:
        chains = chains.filter(occurred_at__gte=instant)
    names = chains.order_by().values("chain").distinct()
    latest = (
        AuditEvent.objects.filter(chain__in=names)
        .order_by()
        .values("chain")
        .annotate(seq=models.Max("seq"))
        .values_list("chain", "seq")
    )
    wanted = dict(latest)
    heads = []
    pairs = list(wanted.items())
    for start in range(0, len(pairs), 500):
        condition = models.Q()
        for chain, seq in pairs[start : start + 500]:
            condition |= models.Q(chain=chain, seq=seq)
        heads.extend(AuditEvent.objects.filter(condition).values_list("chain", "seq", "hash"))
    return sorted([list(head) for head in heads])


@transaction.atomic
def audit_checkpoint_create(*, now: datetime | None = None, force: bool = False) -> AuditCheckpoint | None:
    """Sign the heads of every chain that changed since the last checkpoint (None if nothing did,
    unless `force`). Only one checkpointer works at a time."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_CHECKPOINT_LOCK])
    now = now or db_now()
    previous = AuditCheckpoint.objects.order_by("-number").first()
    covers_from = previous.created_at - LATE_COMMIT_MARGIN if previous else None
    heads = _heads_since(covers_from)
    if previous is not None and not force:
        already = {(chain, seq, digest) for chain, seq, digest in previous.heads}
        if all(tuple(head) in already for head in heads):
            return None
    checkpoint = AuditCheckpoint(
        number=(previous.number + 1) if previous else 1,
        created_at=now,
        covers_from=covers_from or datetime(1970, 1, 1, tzinfo=timezone.UTC),
        event_count=AuditEvent.objects.count(),
        heads=heads,
        prev_hash=previous.hash if previous else GENESIS_HASH,
    )
    checkpoint.hash = checkpoint_hash(checkpoint)
    checkpoint.key_id, checkpoint.signature = signing.sign(checkpoint.hash.encode())
    checkpoint.save(force_insert=True)
    return checkpoint


# --- Changes made in the Django admin ------------------------------------------------------------


@transaction.atomic
def admin_change_record(*, actor: Any, obj: models.Model, before: models.Model | None, kind: str) -> AuditEvent:
    """Record one add, change or delete made in the Django admin (`audit.admin.AuditedAdminMixin`).

    `before` is the row as it was (None for an add); for a delete, call this before deleting."""
    if kind not in ("added", "changed", "deleted"):
        raise ValueError(f"Unknown admin change: {kind}")
    return audit_record(
        actor=actor,
        action="admin.added" if kind == "added" else ("admin.changed" if kind == "changed" else "admin.deleted"),
        obj=obj,
        before=snapshot(before) if before is not None else None,
        after=snapshot(obj) if kind != "deleted" else None,
    )
