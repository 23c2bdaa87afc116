"""Who may download an opportunity's specification documents.

- The competition's own commissioners and evaluators: every document, at every stage.
- Members of an organisation the launched competition was sent to (to bid, or as a possible
  partner): every document.
- Anyone, signed in or not: documents the commissioner marked public, while the opportunity is
  planned or open (its stage, from `competitions.selectors.status`).

So a document that is not public is never downloadable before launch by anyone outside the
competition's team. Everyone else gets the same "not found" as for a document that does not exist.

`document_access` is the rule; `can_download_document` (one document) and
`competitions.selectors.documents.downloadable_documents` (a queryset) both apply it.
"""

from __future__ import annotations

import datetime
from enum import Enum

from competitions.models import Competition, CompetitionDocument
from competitions.permissions import can_view_opportunity, is_competition_commissioner
from competitions.permissions_evaluation import is_assigned_evaluator
from competitions.selectors.status import OPEN, PLANNED, competition_stage

# The stages in which a public document may be downloaded by anyone.
PUBLIC_STAGES = (PLANNED, OPEN)


class DocumentAccess(Enum):
    EVERY = "every"
    PUBLIC = "public"
    NONE = "none"


def is_competition_team(user, competition: Competition) -> bool:
    """The competition's own commissioners and evaluators."""
    return is_competition_commissioner(user, competition) or is_assigned_evaluator(user, competition)


def public_documents_available(competition: Competition, *, now: datetime.datetime | None = None) -> bool:
    """True while anyone may download the competition's public documents."""
    return competition_stage(competition, now=now) in PUBLIC_STAGES


def document_access(user, competition: Competition, *, now: datetime.datetime | None = None) -> DocumentAccess:
    """Which of the competition's documents `user` (None or anonymous for the public) may download."""
    if is_competition_team(user, competition) or can_view_opportunity(user, competition):
        return DocumentAccess.EVERY
    if public_documents_available(competition, now=now):
        return DocumentAccess.PUBLIC
    return DocumentAccess.NONE


def can_download_document(user, document: CompetitionDocument, *, now: datetime.datetime | None = None) -> bool:
    access = document_access(user, document.competition, now=now)
    return access is DocumentAccess.EVERY or (access is DocumentAccess.PUBLIC and document.public)
