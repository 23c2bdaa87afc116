"""Key rotation for bid content encrypted at rest (ADR 7)."""

from __future__ import annotations

# ruff: noqa: S608 -- table and column names come from the models, quoted; every value is a parameter.
from django.apps import apps
from django.core.files.base import ContentFile
from django.db import connection, transaction

from audit.services import audit_record
from competitions import sealing
from competitions.models import BidDocument


def _sealed_columns() -> list[tuple[str, str]]:
    columns = []
    for model in apps.get_app_config("competitions").get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, sealing.SealedField):
                columns.append((model._meta.db_table, field.column))
    return sorted(columns)


@transaction.atomic
def bids_reencrypt(*, batch: int = 500) -> dict[str, int]:
    """Every sealed value and every bid document not yet under the newest key, re-encrypted under
    it (same content, same digests), in one transaction; a value sealed before length padding is
    padded as it is re-encrypted. Read as stored (tokens), never decrypted
    into a model. Returns counts; writes one audit event with them."""
    quote = connection.ops.quote_name
    counts = {"values": 0, "files": 0, "current": 0}
    for table, column in _sealed_columns():
        last = 0
        while True:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT id, {quote(column)} FROM {quote(table)} "
                    f"WHERE id > %s AND {quote(column)} IS NOT NULL ORDER BY id LIMIT %s",
                    [last, batch],
                )
                rows = cursor.fetchall()
            if not rows:
                break
            last = rows[-1][0]
            with connection.cursor() as cursor:
                for pk, token in rows:
                    stored = token.encode("ascii")
                    if sealing.value_is_current(stored):
                        counts["current"] += 1
                        continue
                    cursor.execute(
                        f"UPDATE {quote(table)} SET {quote(column)} = %s WHERE id = %s",
                        [sealing.reseal_value(stored).decode("ascii"), pk],
                    )
                    counts["values"] += 1
    for document in BidDocument.objects.only("id", "file").order_by("id").iterator():
        with document.file.open("rb") as stored_file:
            stored = stored_file.read()
        if sealing.sealed_under_newest_key(stored):
            counts["current"] += 1
            continue
        resealed = sealing.reseal(stored)
        name = document.file.name
        storage = document.file.storage
        storage.delete(name)
        saved = storage.save(name, ContentFile(resealed))
        if saved != name:
            BidDocument.objects.filter(pk=document.pk).update(file=saved)
        counts["files"] += 1
    audit_record(actor="system", action="bids.reencrypted", object_repr="Bid content", after=counts)
    return counts
