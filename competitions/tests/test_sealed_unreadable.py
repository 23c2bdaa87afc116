"""A bid whose stored content no longer decrypts (its key removed from BID_ENCRYPTION_KEYS, or a
token broken in the database) gives its bidder a plain page (503), never a 500 with a stack
trace: an error in the log that quotes nothing of the bid, and "bid.integrity_failed" in the
audit trail (ADR 7)."""

from __future__ import annotations

import logging

import pytest
from django.db import connection
from django.urls import reverse

from audit.models import AuditEvent
from competitions import sealing
from competitions.models import BidAnswer
from competitions.tests.evaluation_factories import close_bidding, commissioner_of
from competitions.tests.factories import make_bid, make_competition
from tests.factories import make_provider_user

pytestmark = pytest.mark.django_db

SECRET = "Our plan for Kent."  # what make_bid writes in a lot's answer


def _draft():
    competition = make_competition(lots=("Kent",))
    user = make_provider_user()
    bid = make_bid(competition, user.memberships.get().organisation, user=user, submitted=False)
    return competition, bid, user


def _break_answer(bid) -> None:
    answer = BidAnswer.objects.filter(bid=bid).order_by("id").first()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE competitions_bidanswer SET text = %s WHERE id = %s", ["gAAAAABbroken", answer.pk])


def _assert_plain_refusal(response, caplog, bid, *, count: int = 1) -> None:
    body = response.content.decode()
    assert response.status_code == 503
    assert "Sorry, we cannot open this bid" in body and "The service team has been told" in body
    assert "Traceback" not in body and "SealBroken" not in body and SECRET not in body
    events = AuditEvent.objects.filter(action="bid.integrity_failed", object_id=str(bid.pk))
    assert events.count() == count
    assert events.order_by("-id").first().after["reason"] == "stored content does not decrypt"
    errors = [r for r in caplog.records if r.name == "competitions.integrity" and r.levelno == logging.ERROR]
    assert errors and all(SECRET not in r.getMessage() for r in errors)
    assert any(f"Bid {bid.pk}" in r.getMessage() for r in errors)


def test_the_key_removed_gives_the_bidder_a_plain_page_not_a_500(client, settings, caplog):
    competition, bid, user = _draft()
    client.force_login(user)
    settings.BID_ENCRYPTION_KEYS = [sealing.new_key()]  # the key the bid was sealed with is gone
    pages = [
        reverse("competitions:bid", args=[competition.pk]),
        reverse("competitions:bid-check", args=[competition.pk]),
        reverse("competitions:bid-prices", args=[competition.pk, competition.lots.get().pk]),
    ]
    for number, url in enumerate(pages, start=1):
        with caplog.at_level(logging.ERROR, logger="competitions.integrity"):
            response = client.get(url)
        _assert_plain_refusal(response, caplog, bid, count=number)


def test_a_broken_token_gives_the_bidder_a_plain_page_on_reading_and_on_saving(client, caplog):
    competition, bid, user = _draft()
    _break_answer(bid)
    client.force_login(user)
    with caplog.at_level(logging.ERROR, logger="competitions.integrity"):
        response = client.get(reverse("competitions:bid", args=[competition.pk]))
    _assert_plain_refusal(response, caplog, bid)
    with caplog.at_level(logging.ERROR, logger="competitions.integrity"):
        response = client.post(reverse("competitions:bid-check", args=[competition.pk]), {})
    _assert_plain_refusal(response, caplog, bid, count=2)


def test_any_other_page_that_meets_a_broken_token_is_a_plain_page_too(client, caplog):
    """Outside the bidder's own pages (here the whole-bid page, whose bid does not even load)."""
    competition, bid, user = _draft()
    make_bid_sent = make_bid(competition)
    close_bidding(competition)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE competitions_bid SET submitted_content = %s WHERE id = %s", ["gAAAAABbroken", make_bid_sent.pk]
        )
    client.force_login(commissioner_of(competition))
    with caplog.at_level(logging.ERROR, logger="competitions.integrity"):
        response = client.get(reverse("competitions:bid-view", args=[competition.pk, make_bid_sent.pk]))
    _assert_plain_refusal(response, caplog, make_bid_sent)
