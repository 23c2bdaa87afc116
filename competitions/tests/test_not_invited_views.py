"""An organisation that qualified after an opportunity was sent is told plainly that it exists and
why it cannot bid; anyone with nothing to do with an opportunity still gets "not found"."""

from __future__ import annotations

import datetime
import re
from html import unescape

import pytest
import textstat
from django.urls import reverse
from django.utils import timezone

from competitions.models import Bid
from competitions.tests.factories import invite, make_competition
from qualification.tests.assessor_factories import qualify
from reference.models import ServiceCategory
from tests.factories import make_provider_user
from tests.fixtures import ALL_ROLES

pytestmark = pytest.mark.django_db
KENT = "E23000032"
MAIDSTONE = "E07000110"
EXPLANATION = "You were not invited because you qualified after it was sent out."


def opportunity_url(competition):
    return reverse("competitions:opportunity", kwargs={"competition_id": competition.pk})


@pytest.fixture
def competition():
    return make_competition()


@pytest.fixture
def late(competition):
    """A member of an organisation that qualified for Kent after the opportunity was sent."""
    user = make_provider_user()
    qualify(user.memberships.get().organisation, "accommodation", KENT)
    return user


def _readable_text(html: str) -> str:
    main = html.split('id="why-not-invited"', 1)[1].split("</div>", 1)[0]
    return unescape(re.sub(r"<[^>]+>", " ", main.split(">", 1)[1]))


def test_the_opportunity_page_explains_why_there_was_no_invitation(client, competition, late):
    client.force_login(late)
    response = client.get(opportunity_url(competition))
    page = response.content.decode()
    assert response.status_code == 200
    assert EXPLANATION in page
    assert "Your organisation can now do this work in Kent." in page
    assert "The commissioner can still invite you until" in page
    # What only those sent the opportunity read is not shown, and nobody can start a bid.
    assert "How will you find people a home?" not in page and "Start your bid" not in page
    assert client.post(reverse("competitions:bid-start", kwargs={"competition_id": competition.pk})).status_code == 404
    assert not Bid.objects.exists()
    grade = textstat.flesch_kincaid_grade(_readable_text(page))
    assert grade <= 8, grade


def test_a_possible_partner_is_told_too(client, competition):
    user = make_provider_user()
    qualify(user.memberships.get().organisation, "accommodation", MAIDSTONE)
    client.force_login(user)
    page = client.get(opportunity_url(competition)).content.decode()
    assert EXPLANATION in page and "You could help an organisation that bids, as a partner." in page


def test_after_the_last_day_for_questions_it_is_too_late_to_be_invited(client, competition, late):
    competition.clarification_deadline = timezone.now() - datetime.timedelta(seconds=1)
    competition.save(update_fields=["clarification_deadline"])
    client.force_login(late)
    page = client.get(opportunity_url(competition)).content.decode()
    assert EXPLANATION in page and "It is now too late to be invited to this one." in page
    grade = textstat.flesch_kincaid_grade(_readable_text(page))
    assert grade <= 8, grade


def test_opportunities_for_you_lists_open_ones_not_sent(client, competition, late):
    client.force_login(late)
    page = client.get(reverse("competitions:for-you")).content.decode()
    assert "Open now, but you were not invited" in page
    section = "You were not invited to these because you qualified after they were sent out."
    assert section in page and textstat.flesch_kincaid_grade(section) <= 8
    assert competition.title in page and "Areas you could bid for: Kent" in page
    assert f'href="{opportunity_url(competition)}"' in page


@pytest.mark.parametrize("case", ["draft", "closed", "cancelled", "elsewhere", "other_support"])
def test_anything_else_is_still_not_found(client, late, case):
    competition = make_competition(lots=["Surrey"] if case == "elsewhere" else ["Kent"], launched=case != "draft")
    if case == "closed":
        competition.closes_at = timezone.now() - datetime.timedelta(seconds=1)
    if case == "cancelled":
        competition.abandoned_at = timezone.now()
    competition.save()
    if case == "other_support":
        women = ServiceCategory.objects.get(code="women")
        late.memberships.get().organisation.qualifications.update(category=women)
    client.force_login(late)
    assert client.get(opportunity_url(competition)).status_code == 404
    assert competition.title not in client.get(reverse("competitions:for-you")).content.decode()


def test_once_invited_the_usual_page_shows(client, competition, late):
    invite(competition, late.memberships.get().organisation)
    client.force_login(late)
    page = client.get(opportunity_url(competition)).content.decode()
    assert EXPLANATION not in page and "Start your bid" in page


@pytest.mark.parametrize("role", [*ALL_ROLES, "late_qualified"])
def test_the_not_invited_page_for_every_role(client_for_role, client, competition, role):
    if role == "late_qualified":
        user = make_provider_user()
        qualify(user.memberships.get().organisation, "accommodation", KENT)
        client.force_login(user)
    else:
        client, user = client_for_role(role)
    response = client.get(opportunity_url(competition))
    if role == "anonymous":
        assert response.status_code == 302 and "/account/sign-in" in response.url
    elif role == "late_qualified":
        assert response.status_code == 200 and EXPLANATION in response.content.decode()
    else:
        assert response.status_code == 404
