"""The remove buttons of a bid and of the evaluation team, and downloading a sent bid's document:
each works for the person it is for, and refuses everyone else (the route guard found no test
requesting them)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditEvent
from competitions.models import BidDocument, BidPartner, CompetitionMember
from competitions.services import bids as svc
from competitions.tests.evaluation_factories import (
    close_bidding,
    closed_competition,
    commissioner_of,
    declare,
    evaluators,
    score_and_submit,
)
from competitions.tests.factories import invite, make_bid, make_competition
from tests.factories import make_provider_user, make_user_with_role

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("plan.pdf", PDF, content_type="application/pdf")


@pytest.fixture
def bidder():
    competition = make_competition()
    user = make_provider_user()
    invite(competition, user.memberships.get().organisation)
    bid = svc.bid_start(competition=competition, user=user)
    svc.bid_lots_set(bid=bid, user=user, lot_ids=[competition.lots.first().pk])
    return bid, user


def _partner(bid, user) -> BidPartner:
    return svc.bid_partner_add(
        bid=bid,
        user=user,
        organisation=None,
        name="Local Homes CIC",
        role="subcontractor",
        share_percent=Decimal("20"),
        lot_ids=[bid.competition.lots.first().pk],
    )


def test_a_bidder_removes_a_partner(client, bidder):
    bid, user = bidder
    partner = _partner(bid, user)
    url = reverse("competitions:bid-partner-remove", args=[bid.competition_id, partner.pk])
    client.force_login(user)
    assert client.get(url).status_code == 405  # a button, never a link
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("competitions:bid-partners", args=[bid.competition_id])
    assert not BidPartner.objects.filter(pk=partner.pk).exists()
    assert AuditEvent.objects.filter(action="bid.partner_removed", object_id=str(bid.pk)).exists()


def test_another_organisation_cannot_remove_a_partner(client, bidder):
    bid, user = bidder
    partner = _partner(bid, user)
    stranger = make_provider_user()
    client.force_login(stranger)
    client.post(reverse("competitions:bid-partner-remove", args=[bid.competition_id, partner.pk]))
    assert BidPartner.objects.filter(pk=partner.pk).exists()


def test_a_bidder_removes_a_document(client, bidder):
    bid, user = bidder
    document = svc.bid_document_add(bid=bid, user=user, title="Our plan", upload=pdf())
    url = reverse("competitions:bid-document-remove", args=[bid.competition_id, document.pk])
    client.force_login(user)
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("competitions:bid-documents", args=[bid.competition_id])
    assert not BidDocument.objects.filter(pk=document.pk).exists()


def test_another_organisation_cannot_remove_a_document(client, bidder):
    bid, user = bidder
    document = svc.bid_document_add(bid=bid, user=user, title="Our plan", upload=pdf())
    client.force_login(make_provider_user())
    client.post(reverse("competitions:bid-document-remove", args=[bid.competition_id, document.pk]))
    assert BidDocument.objects.filter(pk=document.pk).exists()


def _sent_bid_with_document():
    competition = make_competition()
    user = make_provider_user()
    organisation = user.memberships.get().organisation
    bid = make_bid(competition, organisation, user=user, submitted=False)
    document = svc.bid_document_add(bid=bid, user=user, title="Our plan", upload=pdf())
    svc.bid_declarations_confirm(bid=bid, user=user)
    svc.bid_submit(bid=bid, user=user)
    bid.refresh_from_db()
    return bid, document, user


def test_a_sent_bids_document_opens_for_its_commissioner_after_the_closing_date_and_is_audited(client):
    bid, document, _user = _sent_bid_with_document()
    commissioner = commissioner_of(bid.competition)
    url = reverse("competitions:bid-document", args=[bid.competition_id, bid.pk, document.pk])
    client.force_login(commissioner)
    assert client.get(url).status_code == 404  # sealed until the closing date
    close_bidding(bid.competition)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == PDF
    read = AuditEvent.objects.get(action="bid.read", actor=commissioner)
    assert read.after["document_id"] == document.pk


@pytest.mark.parametrize("role", ["anonymous", "provider", "assessor", "administrator", "commissioner", "evaluator"])
def test_a_sent_bids_document_is_not_found_for_anyone_else(client_for_role, role):
    bid, document, _user = _sent_bid_with_document()
    close_bidding(bid.competition)
    client, _stranger = client_for_role(role)
    response = client.get(reverse("competitions:bid-document", args=[bid.competition_id, bid.pk, document.pk]))
    assert response.status_code == (302 if role == "anonymous" else 404)
    assert not AuditEvent.objects.filter(action="bid.read").exists()


def test_the_bidder_downloads_its_own_document_without_an_audited_read(client):
    bid, document, user = _sent_bid_with_document()
    client.force_login(user)
    response = client.get(reverse("competitions:bid-document", args=[bid.competition_id, bid.pk, document.pk]))
    assert response.status_code == 200
    assert not AuditEvent.objects.filter(action="bid.read").exists()


def test_a_commissioner_removes_an_evaluator(client):
    competition = closed_competition(evaluators=3)
    evaluator = evaluators(competition)[0]
    url = reverse("competitions:evaluate-evaluator-remove", args=[competition.pk, evaluator.pk])
    client.force_login(commissioner_of(competition))
    assert client.get(url).status_code == 405
    response = client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("competitions:evaluate-evaluators", args=[competition.pk])
    assert f"{evaluator.full_name} is no longer an evaluator" in response.content.decode()
    assert not CompetitionMember.objects.filter(competition=competition, user=evaluator, role="evaluator").exists()


def test_an_evaluator_who_has_submitted_scores_stays_with_a_clear_message(client):
    competition = closed_competition(evaluators=2)
    bid = make_bid(competition)
    evaluator = evaluators(competition)[0]
    declare(evaluator, competition)
    score_and_submit(evaluator, bid)
    client.force_login(commissioner_of(competition))
    response = client.post(
        reverse("competitions:evaluate-evaluator-remove", args=[competition.pk, evaluator.pk]), follow=True
    )
    assert "has already submitted scores, so they cannot be removed" in response.content.decode()
    assert CompetitionMember.objects.filter(competition=competition, user=evaluator, role="evaluator").exists()


def test_only_the_competitions_commissioners_remove_evaluators(client):
    competition = closed_competition(evaluators=2)
    evaluator = evaluators(competition)[0]
    url = reverse("competitions:evaluate-evaluator-remove", args=[competition.pk, evaluator.pk])
    for outsider in (make_user_with_role("commissioner", area_code="K"), evaluators(competition)[1]):
        client.force_login(outsider)
        assert client.post(url).status_code == 404
    assert CompetitionMember.objects.filter(competition=competition, user=evaluator, role="evaluator").exists()
