"""Every output that reads many sent bids at once checks them against what was sent first (ADR 7):
results and ranking, award decisions, outcome letters, contracts and open data.

Each test edits one sent bid's stored token directly in the database (as someone with the
database but not the service could) and asserts what that output does: a page refuses (409), an
award or a contract cannot be made (a GOV.UK error), open data leaves the bid out. Each failure
is written to the audit trail as "bid.integrity_failed" and logged, never quoting the bid."""

from __future__ import annotations

import json
import logging
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from competitions.models import Award, Bid, BidAnswer, BidPrice
from competitions.services import award as award_services
from competitions.services.bids import bids_verify_integrity
from competitions.tests.evaluation_factories import (
    add_commissioner,
    closed_competition,
    commissioner_of,
    evaluate,
    priced_bid,
)
from contracts.models import Contract
from contracts.services import contract_create_for_award
from contracts.tasks import create_due_contracts
from opendata import builders
from opendata.tests.factories import sent_before_close
from qualification.tests.factories import QualificationFactory
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

FAILED = "bid.integrity_failed"


@pytest.fixture
def evaluated():
    competition = closed_competition(lots=("Kent",))
    winner = priced_bid(competition, "400000")
    loser = priced_bid(competition, "300000")
    evaluate(competition, [(winner, {1: 4, 2: 3, 3: 2}), (loser, {1: 2, 2: 2, 3: 4})])
    return competition, winner, loser


def tamper_price(bid: Bid, amount: str = "1.00") -> None:
    """Rewrite one of the bid's prices with the key, in SQL: a valid token for a new value."""
    price = BidPrice.objects.filter(bid_lot__bid=bid).order_by("id").first()
    token = BidPrice._meta.get_field("amount").get_prep_value(Decimal(amount))
    with connection.cursor() as cursor:
        cursor.execute("UPDATE competitions_bidprice SET amount = %s WHERE id = %s", [token, price.pk])


def corrupt_answer(bid: Bid) -> None:
    """Break one of the bid's answer tokens so that no key opens it."""
    answer = BidAnswer.objects.filter(bid=bid).order_by("id").first()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE competitions_bidanswer SET text = %s WHERE id = %s", ["gAAAAABnot-a-token", answer.pk])


def failures(bid: Bid, purpose: str | None = None):
    events = AuditEvent.objects.filter(action=FAILED, object_id=str(bid.pk))
    return [event for event in events if purpose is None or event.after.get("purpose") == purpose]


# --- One pass for many bids -----------------------------------------------------------------


def test_the_batch_check_finds_only_the_edited_bids_with_a_fixed_number_of_queries(evaluated):
    competition, winner, loser = evaluated
    bids = list(Bid.objects.filter(competition=competition))
    assert bids_verify_integrity(bids=bids, user=None, purpose="test") == {}
    with CaptureQueriesContext(connection) as two:
        bids_verify_integrity(bids=bids, user=None, purpose="test")
    more = [priced_bid(competition, "350000") for _ in range(4)]
    with CaptureQueriesContext(connection) as six:
        assert bids_verify_integrity(bids=bids + more, user=None, purpose="test") == {}
    assert len(six) == len(two)  # no query per bid
    tamper_price(loser)
    corrupt_answer(more[0])
    problems = bids_verify_integrity(bids=bids + more, user=None, purpose="test")
    assert set(problems) == {loser.pk, more[0].pk}
    assert problems[more[0].pk] == "stored content does not decrypt"
    assert len(failures(loser, "test")) == 1 and len(failures(more[0], "test")) == 1
    assert not failures(winner)


# --- Pages: the refusal (409) ----------------------------------------------------------------


@pytest.mark.parametrize("tamper", [tamper_price, corrupt_answer])
def test_results_and_award_pages_refuse_while_a_ranked_bid_is_edited(client, caplog, evaluated, tamper):
    competition, winner, loser = evaluated
    lot = competition.lots.get()
    award = award_services.award_recommend(lot=lot, actor=add_commissioner(competition))
    tamper(loser)
    commissioner = commissioner_of(competition)
    client.force_login(commissioner)
    pages = {
        "results": reverse("competitions:evaluate-results", args=[competition.pk]),
        "award": reverse("competitions:award", args=[competition.pk]),
        "approve": reverse("competitions:award-approve", args=[competition.pk, lot.pk]),
    }
    for purpose, url in pages.items():
        before = len(failures(loser))
        with caplog.at_level(logging.ERROR, logger="competitions.integrity"):
            response = client.get(url)
        body = response.content.decode()
        assert response.status_code == 409, purpose
        assert "does not match what was sent" in body and "The service team has been told" in body
        assert "300,000" not in body and "Our answer" not in body
        assert len(failures(loser)) == before + 1, purpose
        assert failures(loser)[-1].actor_id == commissioner.pk
        assert any(f"Bid {loser.pk} failed its integrity check" in r.getMessage() for r in caplog.records)
    award.refresh_from_db()
    assert award.approved_at is None
    assert not failures(winner)


def test_an_outcome_letter_page_refuses_while_a_ranked_bid_is_edited(client, evaluated):
    competition, winner, loser = evaluated
    lot = competition.lots.get()
    award = award_services.award_recommend(lot=lot, actor=add_commissioner(competition))
    award_services.award_approve(award=award, actor=add_commissioner(competition))
    letter = winner.outcome_letters.get()
    tamper_price(loser)
    client.force_login(winner.organisation.memberships.first().user)
    response = client.get(reverse("competitions:award-letter", args=[competition.pk, letter.pk]))
    body = response.content.decode()
    assert response.status_code == 409
    assert "we cannot show the results" in body and loser.organisation.display_name not in body
    assert len(failures(loser, "outcome_letter")) == 1


# --- Award decisions: cannot be made or published ------------------------------------------


def test_no_award_is_recommended_approved_or_made_directly_while_a_ranked_bid_is_edited(evaluated):
    competition, winner, loser = evaluated
    lot = competition.lots.get()
    award = award_services.award_recommend(lot=lot, actor=add_commissioner(competition))
    tamper_price(loser, "5.00")  # the edit would make the loser win on price
    with pytest.raises(ValidationError, match="does not match what was sent") as refused:
        award_services.award_approve(award=award, actor=add_commissioner(competition))
    assert loser.organisation.display_name in refused.value.messages[0]
    award.refresh_from_db()
    assert award.approved_at is None and not winner.outcome_letters.exists()
    assert len(failures(loser, "award_approve")) == 1
    Award.objects.filter(pk=award.pk).update(cancelled_at=timezone.now())
    with pytest.raises(ValidationError, match="does not match what was sent"):
        award_services.award_recommend(lot=lot, actor=add_commissioner(competition))
    with pytest.raises(ValidationError, match="does not match what was sent"):
        award_services.award_direct(
            lot=lot, organisation=winner.organisation, justification="Urgent", actor=commissioner_of(competition)
        )
    assert len(failures(loser, "award_recommend")) == 1 and len(failures(loser, "award_direct")) == 1
    assert not Award.objects.filter(lot=lot, cancelled_at__isnull=True).exists()


def test_the_commissioner_sees_a_gov_uk_error_when_recommending_or_awarding_directly(client, evaluated):
    competition, winner, loser = evaluated
    lot = competition.lots.get()
    corrupt_answer(winner)
    client.force_login(commissioner_of(competition))
    response = client.post(reverse("competitions:award-recommend", args=[competition.pk, lot.pk]), follow=True)
    assert not Award.objects.filter(lot=lot).exists()
    assert "does not match what was sent" in response.content.decode()
    qualified = OrganisationFactory()
    for category in competition.service_type.categories.all():
        QualificationFactory(organisation=qualified, category=category, area=competition.owner_area)
    response = client.post(
        reverse("competitions:award-direct", args=[competition.pk, lot.pk]),
        {"organisation": str(qualified.pk), "justification": "Urgent"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "govuk-error-summary" in body and "does not match what was sent" in body
    assert not Award.objects.filter(lot=lot).exists()
    assert failures(winner, "award_recommend") and failures(winner, "award_direct")


# --- Contracts ------------------------------------------------------------------------------


def test_no_contract_is_made_from_an_edited_winning_bid(client, evaluated):
    competition, winner, _loser = evaluated
    lot = competition.lots.get()
    award = award_services.award_recommend(lot=lot, actor=add_commissioner(competition))
    award = award_services.award_approve(award=award, actor=add_commissioner(competition))
    Award.objects.filter(pk=award.pk).update(standstill_ends_at=timezone.now() - timezone.timedelta(minutes=1))
    tamper_price(winner, "999999.00")
    with pytest.raises(ValidationError, match="does not match what was sent"):
        contract_create_for_award(award=award, actor=commissioner_of(competition))
    assert create_due_contracts.call() == 0  # the periodic task is refused too, and goes on
    client.force_login(commissioner_of(competition))
    response = client.post(reverse("contracts:create-for-award", args=[award.pk]), follow=True)
    assert response.status_code < 500 and "does not match what was sent" in response.content.decode()
    assert not Contract.objects.exists()
    assert len(failures(winner, "contract")) == 3


# --- Open data: the bid is left out --------------------------------------------------------


def _record(client, competition) -> dict:
    response = client.get(f"/api/v1/ocds/records/{builders.competition_ocid(competition)}")
    assert response.status_code == 200
    return response.json()


def _tenderers(package: dict, competition) -> set[str]:
    """Every bidder named in the competition's releases (bid details come only with an award)."""
    ocid = builders.competition_ocid(competition)
    names = set()
    for release in package.get("releases") or [r["compiledRelease"] for r in package["records"]]:
        if release["ocid"] == ocid:
            names |= {tenderer["name"] for tenderer in release.get("tender", {}).get("tenderers", [])}
    return names


def test_open_data_leaves_an_edited_bid_out_and_audits_it_once(client, evaluated):
    competition, winner, loser = evaluated
    for bid in (winner, loser):
        sent_before_close(bid, competition)
    both = {winner.organisation.display_name, loser.organisation.display_name}
    assert _tenderers(client.get("/api/v1/ocds/releases").json(), competition) == both
    corrupt_answer(loser)
    paged = client.get("/api/v1/ocds/releases").json()
    record = _record(client, competition)
    bulk = client.get("/open-data/ocds-releases.json")
    assert bulk.status_code == 200
    downloaded = json.loads(b"".join(bulk.streaming_content))
    for package in (paged, record, downloaded):
        assert _tenderers(package, competition) == {winner.organisation.display_name}
    tender = record["records"][0]["compiledRelease"]["tender"]
    assert tender["numberOfTenderers"] == 1
    events = failures(loser, "open_data")
    assert len(events) == 1 and events[0].actor_id is None  # once, however often it is asked for
    assert not failures(winner)
