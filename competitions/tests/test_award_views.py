"""Award pages: who may open each one (every role), four eyes on screen, and the letters bidders read."""

import pytest
from django.urls import reverse

from accounts.models import Membership
from competitions.models import Award, OutcomeLetter
from competitions.tests.evaluation_factories import (
    add_commissioner,
    award_world,
    closed_competition,
    commissioner_of,
    evaluate,
    join_competition,
    priced_bid,
)
from contracts.models import Contract
from tests.fixtures import ALL_ROLES

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return award_world()


def _pages(world):
    c = world["competition"].pk
    kent, surrey = world["kent"].pk, world["surrey"].pk
    letter = OutcomeLetter.objects.get(bid=world["loser"], lot=world["kent"]).pk
    commissioner = {"commissioner"}
    return {
        "award": (reverse("competitions:award", args=[c]), commissioner),
        "approve": (reverse("competitions:award-approve", args=[c, kent]), commissioner),
        "challenge": (reverse("competitions:award-challenge", args=[c, kent]), commissioner),
        "challenge-resolve": (reverse("competitions:award-challenge-resolve", args=[c, surrey]), commissioner),
        "direct": (reverse("competitions:award-direct", args=[c, kent]), commissioner),
        "letters": (reverse("competitions:award-letters", args=[c]), commissioner),
        "letter": (reverse("competitions:award-letter", args=[c, letter]), commissioner),
    }


@pytest.mark.parametrize("role", ALL_ROLES)
def test_award_page_permissions_for_every_role(client_for_role, world, role):
    client, user = client_for_role(role)
    if role == "commissioner":
        join_competition(world["competition"], user, role)
    for page, (path, allowed) in _pages(world).items():
        response = client.get(path)
        if role == "anonymous":
            assert response.status_code == 302 and "/account/sign-in" in response["Location"], page
        elif role in allowed:
            assert response.status_code == 200, page
        else:
            assert response.status_code == 404, page


@pytest.mark.parametrize("role", ALL_ROLES)
def test_award_actions_refused_for_everyone_but_the_competitions_commissioners(client_for_role, role):
    competition = closed_competition(lots=("Kent",))
    bid = priced_bid(competition, "400000")
    evaluate(competition, [(bid, 3)])
    lot = competition.lots.get()
    client, user = client_for_role(role)
    if role == "evaluator":
        join_competition(competition, user, role)
    response = client.post(reverse("competitions:award-recommend", args=[competition.pk, lot.pk]))
    assert response.status_code == (302 if role == "anonymous" else 404)
    assert not Award.objects.exists()


def test_provider_sees_only_their_own_letters(client, world):
    competition = world["competition"]
    loser_member = Membership.objects.filter(organisation=world["loser"].organisation).first().user
    client.force_login(loser_member)
    listing = client.get(reverse("competitions:award-letters", args=[competition.pk])).content.decode()
    assert "Not successful" in listing and world["winner"].organisation.display_name not in listing.split("<h1")[1]
    own = OutcomeLetter.objects.get(bid=world["loser"], lot=world["kent"])
    page = client.get(reverse("competitions:award-letter", args=[competition.pk, own.pk])).content.decode()
    assert "Your bid was not successful" in page
    assert f"The winning bid was from {world['winner'].organisation.display_name}" in page
    assert "Agreed 2: well evidenced." in page  # feedback from moderation
    assert "70.00 out of 100" in page and "80.00 out of 100" in page
    others = OutcomeLetter.objects.get(bid=world["winner"], lot=world["kent"])
    assert client.get(reverse("competitions:award-letter", args=[competition.pk, others.pk])).status_code == 404


def test_letter_shows_the_waiting_period_countdown(client, world):
    competition = world["competition"]
    member = Membership.objects.filter(organisation=world["loser"].organisation).first().user
    client.force_login(member)
    letter = OutcomeLetter.objects.get(bid=world["loser"], lot=world["surrey"])
    page = client.get(reverse("competitions:award-letter", args=[competition.pk, letter.pk])).content.decode()
    assert "working days from today" in page and "It ends at midnight on" in page


def test_approve_page_refuses_the_recommender_and_moderator_on_screen(client):
    competition = closed_competition(lots=("Kent",))
    bid = priced_bid(competition, "400000")
    moderator = evaluate(competition, [(bid, 3)])
    recommender = add_commissioner(competition)
    client.force_login(recommender)
    lot = competition.lots.get()
    client.post(reverse("competitions:award-recommend", args=[competition.pk, lot.pk]))
    url = reverse("competitions:award-approve", args=[competition.pk, lot.pk])
    page = client.get(url).content.decode()
    assert "You recommended this award, so someone else must approve it" in page
    assert "Approve and send results" not in page
    response = client.post(url)
    assert "<title>Error:" in response.content.decode()
    assert Award.objects.get().approved_at is None
    client.force_login(moderator)
    assert "You agreed scores for this lot" in client.get(url).content.decode()
    client.force_login(add_commissioner(competition))
    assert client.post(url).status_code == 302
    assert Award.objects.get().approved_at is not None


def test_challenge_pauses_the_contract_button(client, world):
    competition = world["competition"]
    client.force_login(commissioner_of(competition))
    page = client.get(reverse("competitions:award", args=[competition.pk])).content.decode()
    assert "Make the contract for Surrey" not in page
    assert "Record the outcome of the challenge" in page
    response = client.post(reverse("contracts:create-for-award", args=[world["surrey_award"].pk]), follow=True)
    assert "challenged" in response.content.decode()
    assert not Contract.objects.filter(lot=world["surrey"]).exists()


def test_challenge_form_errors_keep_what_was_typed(client, world):
    competition = world["competition"]
    client.force_login(commissioner_of(competition))
    url = reverse("competitions:award-challenge-resolve", args=[competition.pk, world["surrey"].pk])
    response = client.post(url, {"upheld": "", "resolution": "Reviewed the scores"})
    page = response.content.decode()
    assert "Select yes if the challenge was upheld" in page and "Reviewed the scores" in page
