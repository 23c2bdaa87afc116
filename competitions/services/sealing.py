"""Key rotation for bid content encrypted at rest (ADR 7)."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.db import transaction

from audit.services import audit_record
from competitions import sealing
from competitions.models import BidDocument
from core.sealing import reencrypt_columns, sealed_columns


@transaction.atomic
def bids_reencrypt(*, batch: int = 500) -> dict[str, int]:
    """Every sealed value and every bid document not yet under the newest key, re-encrypted under
    it (same content, same digests), in one transaction; a value sealed before length padding is
    padded as it is re-encrypted. Read as stored (tokens), never decrypted
    into a model. Returns counts; writes one audit event with them."""
    counts = {"files": 0, **reencrypt_columns(sealed_columns("competitions", sealing.BIDS), sealing.BIDS, batch=batch)}
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
