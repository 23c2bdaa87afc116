"""One rule for "a bid this user may edit", on every page that changes a bid: no bid yet goes to the
opportunity page, a closed competition shows the closed page, a sent bid the cannot-change page."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from competitions.services import bids as svc
from competitions.tests.factories import invite, make_bid, make_competition
from tests.factories import make_provider_user

pytestmark = pytest.mark.django_db


def _edit_pages(competition):
    q1 = competition.questions.get(number=1)
    q2 = competition.questions.get(number=2)
    lot = competition.lots.first()

    def u(name, **kwargs):
        return reverse(f"competitions:{name}", kwargs={"competition_id": competition.pk, **kwargs})

    return [
        u("bid-lots"),
        u("bid-answer", question_id=q1.pk),
        u("bid-answer-lot", question_id=q2.pk, lot_id=lot.pk),
        u("bid-library", question_id=q1.pk),
        u("bid-prices", lot_id=lot.pk),
        u("bid-partners"),
        u("bid-partner-add"),
        u("bid-documents"),
        u("bid-declarations"),
    ]


@pytest.fixture
def competition():
    return make_competition()


@pytest.fixture
def member(competition):
    user = make_provider_user()
    invite(competition, user.memberships.get().organisation)
    return user


def test_without_a_bid_every_edit_page_goes_to_the_opportunity(client, competition, member):
    client.force_login(member)
    opportunity = reverse("competitions:opportunity", kwargs={"competition_id": competition.pk})
    for page in _edit_pages(competition) + [reverse("competitions:bid", kwargs={"competition_id": competition.pk})]:
        response = client.get(page)
        assert response.status_code == 302 and response.url == opportunity, page


def test_a_sent_bid_shows_the_cannot_change_page_everywhere(client, competition, member):
    make_bid(competition, member.memberships.get().organisation, user=member, lots=[competition.lots.first()])
    client.force_login(member)
    for page in _edit_pages(competition):
        response = client.get(page)
        assert response.status_code == 200 and svc.SENT_MESSAGE in response.content.decode(), page


def test_after_the_closing_date_every_edit_page_shows_the_closed_page(client, competition, member):
    make_bid(
        competition,
        member.memberships.get().organisation,
        user=member,
        lots=[competition.lots.first()],
        submitted=False,
    )
    competition.closes_at = timezone.now() - datetime.timedelta(seconds=1)
    competition.save(update_fields=["closes_at"])
    client.force_login(member)
    for page in _edit_pages(competition):
        response = client.get(page)
        assert response.status_code == 200 and svc.CLOSED_MESSAGE in response.content.decode(), page
        if "earlier-answers" in page or page.endswith("/partners/"):
            continue  # pages that only show
        response = client.post(page, {})
        assert response.status_code == 200 and svc.CLOSED_MESSAGE in response.content.decode(), page
