"""Writing the audit trail. Call `audit_record` inside the transaction that makes the change."""

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

from audit.models import AuditEvent
from core.middleware import current_request_id

GENESIS_HASH = "0" * 64
# Any constant works; it only has to be the same for every writer of this table.
_PG_CHAIN_LOCK_KEY = 7_310_492_001


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


@transaction.atomic
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
) -> AuditEvent:
    """Append one event to the chain, in the caller's transaction.

    The event is written in the same transaction as the change it records: if that
    transaction rolls back, the event goes too. Writers are serialised (a PostgreSQL
    advisory lock held to the end of the transaction; SQLite has one writer at a time),
    and the unique `prev_hash` makes a fork impossible even if that ever failed.
    """
    if obj is not None:
        if obj.pk is None and not object_id:
            # Django clears pk on delete(): record a deletion before deleting, or pass object_id.
            raise ValueError("Record the audit event before deleting the object, or pass object_id.")
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
        object_repr = object_repr or str(obj)[:300]
    if connection.vendor == "postgresql":
        # Serialise writers so each links to the true latest event (released at commit).
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_CHAIN_LOCK_KEY])
    last = AuditEvent.objects.order_by("-id").only("hash").first()
    prev_hash = last.hash if last else GENESIS_HASH
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    event = AuditEvent(
        occurred_at=timezone.now(),
        actor_id=actor.pk if is_user else None,
        actor_label=(getattr(actor, "email", "") if is_user else (actor if isinstance(actor, str) else "system")),
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        object_repr=object_repr,
        before=to_jsonable(before) if before is not None else None,
        after=to_jsonable(after) if after is not None else None,
        request_id=current_request_id() if current_request_id() != "-" else "",
        prev_hash=prev_hash,
    )
    event.hash = compute_hash(prev_hash, event)
    event.save(force_insert=True)
    return event
