"""Evaluators find the opportunities they score from one page."""

import datetime

import pytest
from django.urls import reverse

from competitions.models import CompetitionMember
from competitions.tests.factories import make_competition
from tests.fixtures import ALL_ROLES, browser_sign_in

pytestmark = pytest.mark.django_db
URL = "/opportunities/evaluate/"


@pytest.mark.parametrize("role", ALL_ROLES)
def test_only_evaluators_have_a_list_of_bids_to_score(client_for_role, role):
    client, _ = client_for_role(role)
    response = client.get(URL)
    if role == "evaluator":
        assert response.status_code == 200
    elif role == "anonymous":
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:sign-in"))
    else:
        assert response.status_code == 403


def test_an_evaluator_sees_only_the_opportunities_they_are_on(client):
    mine = make_competition(lots=["Kent"], evaluators=1, closes_in=datetime.timedelta(days=-1))
    other = make_competition(lots=["Surrey"], evaluators=1)
    evaluator = CompetitionMember.objects.get(competition=mine, role="evaluator").user
    client.force_login(evaluator)
    page = client.get(URL).content.decode()
    assert mine.title in page and other.title not in page
    assert reverse("competitions:evaluate", args=[mine.pk]) in page


def test_evaluator_home_in_a_browser(ui):
    competition = make_competition(lots=["Kent"], evaluators=1)
    evaluator = CompetitionMember.objects.get(competition=competition, role="evaluator").user
    browser_sign_in(ui, evaluator)
    page = ui.goto(URL)
    assert page.locator("h1").inner_text() == "Bids to score"
    page.get_by_role("link", name=competition.title).click()
    ui.check()
    assert competition.title in page.locator("main").inner_text()
