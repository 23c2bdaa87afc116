"""Reads for an opportunity's specification documents: the lists each person may download
(`competitions.permissions_documents` decides) and the name a download is saved under."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.utils.text import slugify

from competitions.models import Competition, CompetitionDocument
from competitions.permissions_documents import DocumentAccess, document_access
from qualification.uploads import FILE_TYPES, attachment_name, label_for


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
    return label_for(document.content_type) if document.content_type in FILE_TYPES else "File"


def download_filename(document: CompetitionDocument) -> str:
    """A safe name to save the file as: the opportunity's reference and the document's title."""
    reference = slugify(document.competition.reference)
    prefix = f"{reference}-" if reference else ""
    return prefix + attachment_name(document.title, document.content_type)
