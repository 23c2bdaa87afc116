"""Whose eyes an application's history is for (registered with audit in QualificationConfig.ready)."""

from __future__ import annotations

from qualification.models import Application
from qualification.permissions import can_assess


def can_see_application_history(user, object_id: str) -> bool:
    """Assessors, who decide applications. The applicant sees its own application, but not the
    history, which names the assessors who worked on it."""
    return object_id.isdigit() and can_assess(user) and Application.objects.filter(pk=object_id).exists()
