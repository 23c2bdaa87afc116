"""Bid services: one bid for many lots, completeness, the digest, the deadline by the database clock."""

from __future__ import annotations

import datetime
import hashlib
import json
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.models import AuditEvent
from competitions.models import Bid, BidAnswer, BidPrice, BidReceipt, QuestionKind
from competitions.selectors import bids as sel
from competitions.services import bids as svc
from competitions.tests.factories import invite, make_competition
from tests.factories import OrganisationFactory, make_provider_user

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def _close(competition):
    competition.closes_at = timezone.now() - datetime.timedelta(seconds=1)
    competition.save(update_fields=["closes_at"])


def fill(bid, user, *, lots=None, price=Decimal("100000")):
    """Complete a bid through the services, as a provider would."""
    competition = bid.competition
    lots = lots if lots is not None else list(competition.lots.all())
    svc.bid_lots_set(bid=bid, user=user, lot_ids=[lot.pk for lot in lots])
    for question in competition.questions.all():
        if question.kind == QuestionKind.PASS_FAIL:
            svc.bid_answer_save(bid=bid, user=user, question=question, confirmed=True)
        elif question.lot_specific:
            for lot in lots:
                svc.bid_answer_save(bid=bid, user=user, question=question, lot=lot, text=f"In {lot.name} we will help.")
        else:
            svc.bid_answer_save(bid=bid, user=user, question=question, text="We will help people quickly.")
    for lot in lots:
        svc.bid_prices_save(bid=bid, user=user, lot=lot, prices={y.financial_year: price for y in lot.years.all()})
    svc.bid_declarations_confirm(bid=bid, user=user)
    bid.refresh_from_db()
    return bid


@pytest.fixture
def competition():
    return make_competition()


@pytest.fixture
def bidder(competition):
    user = make_provider_user()
    invite(competition, user.memberships.get().organisation)
    return user


def test_start_is_one_bid_per_organisation_and_colleagues_share_it(competition, bidder):
    bid = svc.bid_start(competition=competition, user=bidder)
    colleague = make_provider_user(organisation=bid.organisation, is_admin=False)
    assert svc.bid_start(competition=competition, user=colleague) == bid
    assert Bid.objects.filter(competition=competition).count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        Bid.objects.create(competition=competition, organisation=bid.organisation, started_by=bidder)


def test_uninvited_or_partner_organisation_cannot_start(competition):
    stranger = make_provider_user()
    with pytest.raises(PermissionDenied):
        svc.bid_start(competition=competition, user=stranger)
    partner = make_provider_user()
    invite(competition, partner.memberships.get().organisation, kind="partner")
    with pytest.raises(PermissionDenied):
        svc.bid_start(competition=competition, user=partner)


def test_quality_answer_once_and_lot_specific_answer_per_lot(competition, bidder):
    bid = fill(svc.bid_start(competition=competition, user=bidder), bidder)
    q2 = competition.questions.get(number=2)  # lot specific
    assert BidAnswer.objects.filter(bid=bid, question=q2).count() == 3
    q1 = competition.questions.get(number=1)
    assert BidAnswer.objects.filter(bid=bid, question=q1).count() == 1
    assert sel.bid_missing(bid) == []


def test_removing_a_lot_deletes_its_prices_and_lot_answers(competition, bidder):
    bid = fill(svc.bid_start(competition=competition, user=bidder), bidder)
    kent = competition.lots.get(name="Kent")
    svc.bid_lots_set(bid=bid, user=bidder, lot_ids=[kent.pk])
    assert not BidAnswer.objects.filter(bid=bid, lot__isnull=False).exclude(lot=kent).exists()
    assert set(BidPrice.objects.filter(bid_lot__bid=bid).values_list("bid_lot__lot", flat=True)) == {kent.pk}


def test_only_invited_lots_can_be_chosen(competition, bidder):
    bid = svc.bid_start(competition=competition, user=bidder)
    invitation = competition.invitations.get(organisation=bid.organisation)
    invitation.lots.set(competition.lots.filter(name="Kent"))
    surrey = competition.lots.get(name="Surrey")
    with pytest.raises(ValidationError):
        svc.bid_lots_set(bid=bid, user=bidder, lot_ids=[surrey.pk])


def test_word_limit_is_enforced_by_the_service(competition, bidder):
    bid = svc.bid_start(competition=competition, user=bidder)
    question = competition.questions.get(number=1)
    question.word_limit = 5
    question.save()
    with pytest.raises(ValidationError) as exc:
        svc.bid_answer_save(bid=bid, user=bidder, question=question, text="one two three four five six")
    assert "5 words or fewer" in str(exc.value)
    svc.bid_answer_save(bid=bid, user=bidder, question=question, text="one two three four five")


def test_negative_price_refused(competition, bidder):
    bid = svc.bid_start(competition=competition, user=bidder)
    lot = competition.lots.first()
    svc.bid_lots_set(bid=bid, user=bidder, lot_ids=[lot.pk])
    with pytest.raises(ValidationError):
        svc.bid_prices_save(
            bid=bid, user=bidder, lot=lot, prices={y.financial_year: Decimal("-1") for y in lot.years.all()}
        )


def test_incomplete_bid_is_refused_with_what_is_missing(competition, bidder):
    bid = svc.bid_start(competition=competition, user=bidder)
    with pytest.raises(svc.BidIncomplete) as exc:
        svc.bid_submit(bid=bid, user=bidder)
    assert "Choose at least one area to bid for" in exc.value.missing
    assert "Confirm the declarations" in exc.value.missing
    bid.refresh_from_db()
    assert bid.submitted_at is None


def test_submit_stores_content_digest_receipt_and_content_free_audit(
    competition, bidder, django_capture_on_commit_callbacks
):
    bid = fill(svc.bid_start(competition=competition, user=bidder), bidder)
    with django_capture_on_commit_callbacks(execute=True):
        receipt = svc.bid_submit(bid=bid, user=bidder)
    bid.refresh_from_db()
    assert bid.is_sent and bid.submitted_by == bidder
    canonical = json.dumps(bid.submitted_content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert bid.submitted_digest == hashlib.sha256(canonical.encode()).hexdigest()
    assert receipt.digest == bid.submitted_digest and receipt.kind == BidReceipt.Kind.SUBMITTED
    assert receipt.at == bid.submitted_at < competition.closes_at
    event = AuditEvent.objects.get(action="bid.submitted")
    dumped = json.dumps([event.before, event.after, event.object_repr])
    assert "We will help" not in dumped and "100000" not in dumped
    assert event.after["digest"] == bid.submitted_digest
    # The e-mail receipt has the time and digest, never the content.
    assert len(mail.outbox) == 1
    assert bid.submitted_digest in mail.outbox[0].body
    assert "We will help" not in mail.outbox[0].body


def test_digest_changes_when_content_changes(competition, bidder):
    bid = fill(svc.bid_start(competition=competition, user=bidder), bidder)
    first = svc.bid_submit(bid=bid, user=bidder).digest
    svc.bid_withdraw(bid=bid, user=bidder)
    svc.bid_answer_save(bid=bid, user=bidder, question=competition.questions.get(number=1), text="A changed answer.")
    second = svc.bid_submit(bid=bid, user=bidder).digest
    assert first != second
    bid.refresh_from_db()
    assert bid.submitted_content["answers"][0]["text"] == "A changed answer."


def test_double_submit_refused_and_sent_bid_cannot_be_edited(competition, bidder):
    bid = fill(svc.bid_start(competition=competition, user=bidder), bidder)
    svc.bid_submit(bid=bid, user=bidder)
    with pytest.raises(ValidationError) as exc:
        svc.bid_submit(bid=bid, user=bidder)
    assert exc.value.code == "sent"
    with pytest.raises(ValidationError):
        svc.bid_answer_save(bid=bid, user=bidder, question=competition.questions.get(number=1), text="Sneaky change")
    assert BidReceipt.objects.filter(bid=bid).count() == 1


def test_withdraw_and_resubmit(competition, bidder):
    bid = fill(svc.bid_start(competition=competition, user=bidder), bidder)
    svc.bid_submit(bid=bid, user=bidder)
    svc.bid_withdraw(bid=bid, user=bidder)
    bid.refresh_from_db()
    assert not bid.is_sent and bid.withdrawn_at is not None
    svc.bid_submit(bid=bid, user=bidder)
    bid.refresh_from_db()
    assert bid.is_sent
    assert list(bid.receipts.values_list("kind", flat=True)) == ["submitted", "withdrawn", "submitted"]


def test_late_submission_refused_by_database_clock(competition, bidder):
    bid = fill(svc.bid_start(competition=competition, user=bidder), bidder)
    _close(competition)
    with pytest.raises(svc.BidClosed) as exc:
        svc.bid_submit(bid=bid, user=bidder)
    assert exc.value.messages == ["The closing date has passed. Bids can no longer be sent."]
    bid.refresh_from_db()
    assert bid.submitted_at is None and not bid.receipts.exists()


def test_every_write_refused_after_the_deadline(competition, bidder):
    bid = fill(svc.bid_start(competition=competition, user=bidder), bidder)
    svc.bid_submit(bid=bid, user=bidder)
    _close(competition)
    lot = competition.lots.first()
    question = competition.questions.get(number=1)
    attempts = [
        lambda: svc.bid_withdraw(bid=bid, user=bidder),
        lambda: svc.bid_lots_set(bid=bid, user=bidder, lot_ids=[lot.pk]),
        lambda: svc.bid_answer_save(bid=bid, user=bidder, question=question, text="late"),
        lambda: svc.bid_prices_save(bid=bid, user=bidder, lot=lot, prices={}),
        lambda: svc.bid_declarations_confirm(bid=bid, user=bidder),
        lambda: svc.bid_partner_remove(bid=bid, user=bidder, partner_id=1),
        lambda: svc.bid_document_remove(bid=bid, user=bidder, document_id=1),
        lambda: svc.bid_start(competition=competition, user=bidder),
    ]
    for attempt in attempts:
        with pytest.raises(svc.BidClosed):
            attempt()
    bid.refresh_from_db()
    assert bid.is_sent


def test_someone_outside_the_organisation_cannot_write(competition, bidder):
    bid = svc.bid_start(competition=competition, user=bidder)
    other = make_provider_user()
    with pytest.raises(PermissionDenied):
        svc.bid_answer_save(bid=bid, user=other, question=competition.questions.get(number=1), text="x y z")


def test_partner_from_register_or_by_name(competition, bidder):
    bid = svc.bid_start(competition=competition, user=bidder)
    lot = competition.lots.first()
    svc.bid_lots_set(bid=bid, user=bidder, lot_ids=[lot.pk])
    registered = OrganisationFactory(legal_name="Registered Partner")
    partner = svc.bid_partner_add(
        bid=bid,
        user=bidder,
        organisation=registered,
        name="",
        role="subcontractor",
        share_percent=Decimal("20"),
        lot_ids=[lot.pk],
    )
    assert partner.name == "Registered Partner"
    other = svc.bid_partner_add(
        bid=bid,
        user=bidder,
        organisation=None,
        name="Local Food Bank",
        role="consortium",
        share_percent=Decimal("10"),
        lot_ids=[lot.pk],
    )
    assert other.organisation is None
    with pytest.raises(ValidationError):
        svc.bid_partner_add(
            bid=bid,
            user=bidder,
            organisation=bid.organisation,
            name="",
            role="subcontractor",
            share_percent=Decimal("5"),
            lot_ids=[lot.pk],
        )


def test_document_type_checked_by_content_and_digest_stored(competition, bidder, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    bid = svc.bid_start(competition=competition, user=bidder)
    fake = SimpleUploadedFile("policy.pdf", b"<script>alert(1)</script> not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError) as exc:
        svc.bid_document_add(bid=bid, user=bidder, title="Policy", upload=fake)
    assert "must be a PDF" in str(exc.value)
    document = svc.bid_document_add(bid=bid, user=bidder, title="Policy", upload=SimpleUploadedFile("policy.pdf", PDF))
    assert document.sha256 == hashlib.sha256(PDF).hexdigest()
    assert document.content_type == "application/pdf"
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (10 * 1024 * 1024))
    with pytest.raises(ValidationError) as exc:
        svc.bid_document_add(bid=bid, user=bidder, title="Big", upload=big)
    assert "smaller than 10MB" in str(exc.value)


def test_submission_time_is_the_database_clock_after_the_lock(competition, bidder, monkeypatch):
    """The application server's clock is ignored: a bid is judged by the database's clock."""
    bid = fill(svc.bid_start(competition=competition, user=bidder), bidder)
    future = timezone.now() + datetime.timedelta(days=365)
    monkeypatch.setattr(timezone, "now", lambda: future)
    receipt = svc.bid_submit(bid=bid, user=bidder)
    assert receipt.at < competition.closes_at
