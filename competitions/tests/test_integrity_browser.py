"""In a real browser, checked with axe: a commissioner opens, after the closing date, a sent bid
whose price was changed directly in the database, and is told plainly that it cannot be read."""

from __future__ import annotations

from decimal import Decimal

from django.db import connection

from competitions.models import BidPrice, CompetitionMember
from competitions.tests.evaluation_factories import close_bidding
from competitions.tests.factories import make_bid, make_competition
from tests.fixtures import browser_sign_in


def test_a_tampered_bid_is_refused_with_a_clear_page(ui):
    competition = make_competition(lots=("Kent",), evaluators=2)
    bid = make_bid(competition)
    close_bidding(competition)
    price = BidPrice.objects.filter(bid_lot__bid=bid).first()
    token = BidPrice._meta.get_field("amount").get_prep_value(Decimal("1.00"))
    with connection.cursor() as cursor:
        cursor.execute("UPDATE competitions_bidprice SET amount = %s WHERE id = %s", [token, price.pk])
    browser_sign_in(ui, CompetitionMember.objects.get(competition=competition, role="commissioner").user)
    page = ui.goto(f"/opportunities/{competition.pk}/bids/{bid.pk}/")
    assert page.get_by_role("heading", level=1).inner_text() == "You cannot read this bid"
    assert "does not match what was sent; the service team has been told" in page.content()


def test_a_bid_that_does_not_decrypt_is_a_plain_page_for_its_bidder(ui):
    from competitions.models import BidAnswer
    from tests.factories import make_provider_user

    competition = make_competition(lots=("Kent",))
    user = make_provider_user()
    bid = make_bid(competition, user.memberships.get().organisation, user=user, submitted=False)
    answer = BidAnswer.objects.filter(bid=bid).first()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE competitions_bidanswer SET text = %s WHERE id = %s", ["gAAAAABbroken", answer.pk])
    browser_sign_in(ui, user)
    page = ui.goto(f"/opportunities/{competition.pk}/bid/")
    assert page.get_by_role("heading", level=1).inner_text() == "Sorry, we cannot open this bid"
    assert "The service team has been told" in page.content()
