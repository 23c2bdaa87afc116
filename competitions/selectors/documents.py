"""Reads for an opportunity's specification documents: the lists each person may download
(`competitions.permissions_documents` decides) and the name a download is saved under."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.utils.text import slugify

from competitions.models import Competition, CompetitionDocument
from competitions.permissions_documents import DocumentAccess, document_access

# The types the upload check (`qualification.uploads.check_upload`) accepts: extension and what people read.
FILE_TYPES = {
    "application/pdf": (".pdf", "PDF"),
    "image/png": (".png", "PNG image"),
    "image/jpeg": (".jpg", "JPEG image"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (".docx", "Word document"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (".xlsx", "Excel spreadsheet"),
    "application/vnd.oasis.opendocument.text": (".odt", "OpenDocument text"),
    "application/vnd.oasis.opendocument.spreadsheet": (".ods", "OpenDocument spreadsheet"),
}
EXTENSIONS = {content_type: extension for content_type, (extension, _label) in FILE_TYPES.items()}


def downloadable_documents(
    user, competition: Competition, *, now: datetime.datetime | None = None
) -> QuerySet[CompetitionDocument]:
    """The competition's documents `user` may download (the public's if `user` is None), by title."""
    documents = CompetitionDocument.objects.filter(competition=competition).order_by("title", "pk")
    access = document_access(user, competition, now=now)
    if access is DocumentAccess.EVERY:
        return documents
    if access is DocumentAccess.PUBLIC:
        return documents.filter(public=True)
    return documents.none()


def public_documents(
    competition: Competition, *, now: datetime.datetime | None = None
) -> QuerySet[CompetitionDocument]:
    """What anyone may download, whoever is looking: for the public opportunity page."""
    return downloadable_documents(None, competition, now=now)


def kind_label(document: CompetitionDocument) -> str:
    """The kind of file in words, e.g. "PDF" or "Word document"."""
    return FILE_TYPES.get(document.content_type, ("", "File"))[1]


def download_filename(document: CompetitionDocument) -> str:
    """A safe name to save the file as, made from its title and checked type (never the name the
    uploader's file had): letters, digits and hyphens, then the extension."""
    stem = slugify(document.title)[:80].strip("-") or "document"
    reference = slugify(document.competition.reference)
    prefix = f"{reference}-" if reference else ""
    return f"{prefix}{stem}{EXTENSIONS.get(document.content_type, '')}"
