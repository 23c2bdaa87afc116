"""Reading questions about an opportunity. Provider-facing lists never carry the asker."""

from __future__ import annotations

from django.db.models import QuerySet

from competitions.models import Clarification, Competition


def published_clarifications(*, competition: Competition) -> list[dict]:
    """Answered questions as every invited organisation sees them: question and answer only."""
    return [
        {"question": c.question, "answer": c.answer, "answered_at": c.answered_at}
        for c in competition.clarifications.filter(answered_at__isnull=False).order_by("answered_at")
    ]


def own_pending_clarifications(*, competition: Competition, organisation_id: int) -> list[dict]:
    return [
        {"question": c.question, "asked_at": c.asked_at}
        for c in competition.clarifications.filter(
            answered_at__isnull=True, asked_by_organisation_id=organisation_id
        ).order_by("asked_at")
    ]


def clarifications_for_commissioner(*, competition: Competition) -> QuerySet[Clarification]:
    return competition.clarifications.select_related("asked_by_organisation", "asked_by", "answered_by").order_by(
        "answered_at", "asked_at"
    )
