"""Making a contract from an award: only that competition's commissioners, only after the waiting period."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from competitions.models import Award, CompetitionMember
from competitions.services import award as award_services
from competitions.tests.evaluation_factories import add_commissioner, closed_competition, evaluate, priced_bid
from contracts.models import Contract
from tests.fixtures import ALL_ROLES

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved_award():
    competition = closed_competition(lots=("Kent",))
    bid = priced_bid(competition, "400000")
    evaluate(competition, [(bid, 3)])
    recommender, approver = add_commissioner(competition), add_commissioner(competition)
    award = award_services.award_recommend(lot=competition.lots.get(), actor=recommender)
    return award_services.award_approve(award=award, actor=approver)


def _end_waiting_period(award):
    Award.objects.filter(pk=award.pk).update(standstill_ends_at=timezone.now() - datetime.timedelta(minutes=1))


@pytest.mark.parametrize("role", ALL_ROLES)
def test_nobody_outside_the_competition_can_make_its_contract(client_for_role, role, approved_award):
    _end_waiting_period(approved_award)
    client, _ = client_for_role(role)
    response = client.post(reverse("contracts:create-for-award", args=[approved_award.pk]))
    assert response.status_code == (302 if role == "anonymous" else 404)
    if role == "anonymous":
        assert response["Location"].startswith(reverse("accounts:sign-in"))
    assert not Contract.objects.exists()


def test_the_competitions_commissioner_makes_it_after_the_waiting_period(client, approved_award):
    commissioner = (
        CompetitionMember.objects.filter(competition=approved_award.lot.competition, role="commissioner").first().user
    )
    client.force_login(commissioner)
    url = reverse("contracts:create-for-award", args=[approved_award.pk])
    page = client.post(url, follow=True).content.decode()
    assert "The waiting period has not ended yet" in page
    assert not Contract.objects.exists()
    _end_waiting_period(approved_award)
    response = client.post(url)
    contract = Contract.objects.get(award=approved_award)
    assert response["Location"] == reverse("contracts:detail", args=[contract.pk])
    # A second press changes nothing.
    client.post(url)
    assert Contract.objects.count() == 1


def test_a_get_is_refused(client, approved_award):
    commissioner = (
        CompetitionMember.objects.filter(competition=approved_award.lot.competition, role="commissioner").first().user
    )
    client.force_login(commissioner)
    assert client.get(reverse("contracts:create-for-award", args=[approved_award.pk])).status_code == 405
