"""A contract's documents: either side adds one (the file checked by its content and stored under a
name of our own, as every upload is: `qualification.uploads`); none is ever deleted, only withdrawn
with who, when and why. Every change writes its audit event on the contract's chain in the same
transaction."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from audit.services import audit_record, snapshot
from contracts.models import Contract, ContractDocument, DocumentKind
from core.clock import db_now
from qualification.uploads import check_upload, stored_name

# A contract's documents are never public (not on the public register, not in open data), so adding
# or withdrawing one changes no public answer and does not move the public data version
# (audit/changes.py, ADR 10). Declared in ContractsConfig.ready.
PRIVATE_AUDIT_ACTIONS = ("contract_document.added", "contract_document.withdrawn")

TITLE_LIMIT = 200
REASON_LIMIT = 2000


def _after(document: ContractDocument) -> dict:
    return snapshot(
        document,
        ["title", "kind", "content_type", "size", "sha256", "added_at", "withdrawn_at", "withdrawn_reason"],
    ) | {"contract_document": document.pk}


@transaction.atomic
def contract_document_add(
    *, contract: Contract, actor, title: str, kind: str, upload: UploadedFile | None
) -> ContractDocument:
    """Add a document to the contract. The caller has checked the person may
    (`contracts.permissions.can_add_contract_document`)."""
    title = (title or "").strip()
    errors = {}
    if not title:
        errors["title"] = "Enter a title for the document"
    elif len(title) > TITLE_LIMIT:
        errors["title"] = f"The title must be {TITLE_LIMIT} characters or fewer"
    if kind not in DocumentKind.values:
        errors["kind"] = "Select what kind of document it is"
    if upload is None:
        errors["file"] = "Select a file"
    else:
        try:
            checked = check_upload(upload)
        except ValidationError as error:
            errors["file"] = error.messages
    if errors:
        raise ValidationError(errors)
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    now = db_now()
    document = ContractDocument(
        contract=contract,
        title=title,
        kind=kind,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        added_at=now,
        added_by=actor,
    )
    # Stored under a random name of our own: the uploader's file name is never used for anything.
    document.file.save(stored_name(checked), upload, save=False)
    document.full_clean()
    document.save()
    audit_record(actor=actor, action="contract_document.added", obj=contract, after=_after(document), at=now)
    return document


@transaction.atomic
def contract_document_withdraw(*, document: ContractDocument, actor, reason: str) -> ContractDocument:
    """Withdraw a document: it stays, listed as withdrawn, with who, when and why."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the document is being withdrawn"})
    if len(reason) > REASON_LIMIT:
        raise ValidationError({"reason": f"The reason must be {REASON_LIMIT:,} characters or fewer"})
    contract = Contract.objects.select_for_update().get(pk=document.contract_id)
    document = ContractDocument.objects.select_for_update().get(pk=document.pk, contract=contract)
    if document.withdrawn_at is not None:
        raise ValidationError({"reason": "This document has already been withdrawn"})
    now = db_now()
    document.withdrawn_at, document.withdrawn_by, document.withdrawn_reason = now, actor, reason
    document.full_clean()
    document.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawn_reason"])
    audit_record(actor=actor, action="contract_document.withdrawn", obj=contract, after=_after(document), at=now)
    return document
