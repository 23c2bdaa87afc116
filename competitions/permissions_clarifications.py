"""Who may read and ask questions about an opportunity ("clarifications").

Questions are asked privately; answers are published to every invited organisation. The asking
organisation is shown only to that competition's commissioners (`can_manage_competition`).
"""

from __future__ import annotations

from accounts.permissions import membership_of
from competitions.models import Competition, CompetitionInvitation
from competitions.permissions import can_manage_competition


def invitation_for(user, competition: Competition) -> CompetitionInvitation | None:
    membership = membership_of(user)
    if membership is None or competition.launched_at is None:
        return None
    return competition.invitations.filter(organisation_id=membership.organisation_id).first()


def can_read_clarifications(user, competition: Competition) -> bool:
    """Published answers: members of every invited organisation, and the competition's commissioners."""
    return invitation_for(user, competition) is not None or can_manage_competition(user, competition)


def can_ask_clarification(user, competition: Competition) -> bool:
    """Members of invited organisations, while the opportunity is not cancelled. The deadline
    itself is checked by the service against the database clock, with a clear message."""
    return competition.abandoned_at is None and invitation_for(user, competition) is not None


def can_answer_clarification(user, competition: Competition) -> bool:
    return can_manage_competition(user, competition)
