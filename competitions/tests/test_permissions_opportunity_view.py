"""`can_view_opportunity`, asked with the competition (`with_viewer_invitation`) or on its own:
the same answer, and an answer read for one organisation is never used for another."""

import pytest

from competitions.models import Competition
from competitions.permissions import can_view_opportunity, with_viewer_invitation
from competitions.tests.factories import invite, make_competition
from tests.factories import make_provider_user

pytestmark = pytest.mark.django_db


def _loaded_for(user, competition):
    return with_viewer_invitation(Competition.objects.all(), user).get(pk=competition.pk)


def test_asked_with_the_competition_or_alone_the_answer_is_the_same():
    competition = make_competition(lots=["Kent"])
    invited, not_invited = make_provider_user(), make_provider_user()
    invite(competition, invited.memberships.get().organisation, kind="partner")
    for user, expected in ((invited, True), (not_invited, False)):
        assert can_view_opportunity(user, _loaded_for(user, competition)) is expected
        assert can_view_opportunity(user, Competition.objects.get(pk=competition.pk)) is expected


def test_an_answer_read_for_one_organisation_is_not_used_for_another():
    competition = make_competition(lots=["Kent"])
    invited, not_invited = make_provider_user(), make_provider_user()
    invite(competition, invited.memberships.get().organisation)
    read_for_the_other = _loaded_for(not_invited, competition)
    assert read_for_the_other.viewer_invited is False
    assert can_view_opportunity(invited, read_for_the_other) is True  # asked again, for its own organisation
    read_for_invited = _loaded_for(invited, competition)
    assert can_view_opportunity(not_invited, read_for_invited) is False


def test_not_launched_is_never_viewable_whatever_was_read():
    competition = make_competition(lots=["Kent"], launched=False)
    user = make_provider_user()
    invite(competition, user.memberships.get().organisation)
    assert can_view_opportunity(user, _loaded_for(user, competition)) is False
