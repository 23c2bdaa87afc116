"""Who may see and do what in a competition. `can_read_bid` is THE sealed-bid rule: every page,
API endpoint, export, notification and admin view that shows bid content goes through it (or
through `competitions.selectors.bids.bids_readable_by`, which applies the same rule to querysets)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet, Value

from accounts.permissions import is_commissioner, is_member_of, membership_of
from competitions.models import Bid, Competition, CompetitionInvitation, CompetitionMember, ConflictDeclaration


def is_competition_commissioner(user, competition: Competition) -> bool:
    return (
        getattr(user, "is_authenticated", False)
        and is_commissioner(user)
        and CompetitionMember.objects.filter(
            competition=competition, user=user, role=CompetitionMember.MemberRole.COMMISSIONER
        ).exists()
    )


def is_competition_evaluator(user, competition: Competition) -> bool:
    return (
        getattr(user, "is_authenticated", False)
        and CompetitionMember.objects.filter(
            competition=competition, user=user, role=CompetitionMember.MemberRole.EVALUATOR
        ).exists()
    )


def evaluator_cleared_for(user, bid: Bid) -> bool:
    """An evaluator may read a bid only after declaring no conflict of interest with its bidder."""
    return ConflictDeclaration.objects.filter(evaluator=user, bid=bid, has_conflict=False).exists()


def can_read_bid(user, bid: Bid, *, now: datetime.datetime | None = None) -> bool:
    """Sealed until the closing date: before it, only the bidding organisation's members; after
    it, also that competition's commissioners and its evaluators who declared no conflict.
    Nobody else, ever — administrators and assessors included."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if is_member_of(user, bid.organisation):
        return True
    # Outside the bidding organisation only a sent bid is ever read, and only once bidding has closed.
    if not bid.is_sent_and_closed(now=now):
        return False
    if is_competition_commissioner(user, bid.competition):
        return True
    return is_competition_evaluator(user, bid.competition) and evaluator_cleared_for(user, bid)


def is_invited_to_bid(user, competition: Competition) -> bool:
    """A member of an organisation invited to bid (not only as a possible partner), whatever the time."""
    membership = membership_of(user)
    if membership is None or competition.launched_at is None:
        return False
    return competition.invitations.filter(
        organisation_id=membership.organisation_id, kind=CompetitionInvitation.Kind.ELIGIBLE
    ).exists()


def can_bid(user, competition: Competition, *, now: datetime.datetime | None = None) -> bool:
    """Invited to bid, while the opportunity is open for bids (`rules.BIDDING_OPEN`, by the
    database server's clock). The bid services check the deadline again under a row lock."""
    return competition.is_bidding_open(now=now) and is_invited_to_bid(user, competition)


def can_manage_competition(user, competition: Competition) -> bool:
    """The competition's own commissioners set it up, answer questions, and run evaluation and award."""
    return is_competition_commissioner(user, competition)


def can_create_competition(user) -> bool:
    return is_commissioner(user)


def _invitations_of(organisation_id: int) -> QuerySet[CompetitionInvitation]:
    """The invitations `can_view_opportunity` asks about: any sent to the organisation."""
    return CompetitionInvitation.objects.filter(organisation_id=organisation_id)


def viewer_invitation(user, competition: str = "pk") -> dict[str, Any]:
    """Annotations that ask `can_view_opportunity`'s question (was the competition sent to the
    user's organisation?) inside another query, the competition's id being the column `competition`:
    the answer, and the organisation it is for (it is used only for that organisation)."""
    membership = membership_of(user)
    if membership is None:
        return {}
    return {
        "viewer_invited": Exists(_invitations_of(membership.organisation_id).filter(competition=OuterRef(competition))),
        "viewer_organisation_id": Value(membership.organisation_id),
    }


def with_viewer_invitation(competitions: QuerySet[Competition], user) -> QuerySet[Competition]:
    """`competitions` with `can_view_opportunity`'s question asked in the same query, so a
    provider's page reads the competition and the answer at once."""
    return competitions.annotate(**viewer_invitation(user))


def can_view_opportunity(user, competition: Competition) -> bool:
    """Members of an organisation the launched competition was sent to (to bid, or as a possible partner)."""
    membership = membership_of(user)
    if membership is None or competition.launched_at is None:
        return False
    if getattr(competition, "viewer_organisation_id", None) == membership.organisation_id:
        return competition.viewer_invited  # asked with the competition (`with_viewer_invitation`)
    return _invitations_of(membership.organisation_id).filter(competition=competition).exists()


def can_see_opportunities_for_you(user) -> bool:
    """Any member of a provider organisation (staff have their own pages)."""
    return membership_of(user) is not None
