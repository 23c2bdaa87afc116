"""Whose eyes an opportunity's history is for (registered with audit in CompetitionsConfig.ready)."""

from __future__ import annotations

from competitions.models import Competition
from competitions.permissions import can_manage_competition


def can_see_competition_history(user, object_id: str) -> bool:
    """The opportunity's own commissioners: the only people who see its set-up pages."""
    competition = Competition.objects.filter(pk=object_id).first() if object_id.isdigit() else None
    return competition is not None and can_manage_competition(user, competition)
