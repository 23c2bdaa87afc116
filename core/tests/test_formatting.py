"""Dates and money as people read them on screen (GOV.UK style, Europe/London)."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from core.formatting import london_date, london_datetime, money

UTC = datetime.UTC


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("1500000"), "£1,500,000"),
        (Decimal("1500000.00"), "£1,500,000"),
        (Decimal("0"), "£0"),
        (250, "£250"),
        (Decimal("1234.5"), "£1,234.50"),
        (Decimal("99.99"), "£99.99"),
        (None, ""),
    ],
)
def test_money(value, expected):
    assert money(value) == expected


def test_money_with_pence_always_shows_two_places():
    assert money(Decimal("1500"), pence=True) == "£1,500.00"
    assert money(Decimal("2.5"), pence=True) == "£2.50"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime.date(2027, 4, 1), "1 April 2027"),
        (datetime.date(2026, 12, 25), "25 December 2026"),
        # 11:30pm UTC on 31 March 2027 is already 1 April in London (BST).
        (datetime.datetime(2027, 3, 31, 23, 30, tzinfo=UTC), "1 April 2027"),
        # 11:30pm UTC in winter is the same day in London (GMT).
        (datetime.datetime(2027, 1, 31, 23, 30, tzinfo=UTC), "31 January 2027"),
        (None, ""),
    ],
)
def test_london_date(value, expected):
    assert london_date(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # Summer: London is UTC+1 (BST).
        (datetime.datetime(2027, 7, 1, 15, 30, tzinfo=UTC), "4:30pm on 1 July 2027"),
        (datetime.datetime(2027, 7, 1, 11, 0, tzinfo=UTC), "midday on 1 July 2027"),
        (datetime.datetime(2027, 6, 30, 23, 0, tzinfo=UTC), "midnight on 1 July 2027"),
        # Winter: London is UTC (GMT).
        (datetime.datetime(2027, 1, 5, 12, 0, tzinfo=UTC), "midday on 5 January 2027"),
        (datetime.datetime(2027, 1, 5, 0, 0, tzinfo=UTC), "midnight on 5 January 2027"),
        (datetime.datetime(2027, 1, 5, 9, 0, tzinfo=UTC), "9am on 5 January 2027"),
        (datetime.datetime(2027, 1, 5, 9, 5, tzinfo=UTC), "9:05am on 5 January 2027"),
        (datetime.datetime(2027, 1, 5, 12, 30, tzinfo=UTC), "12:30pm on 5 January 2027"),
        (datetime.datetime(2027, 1, 5, 0, 30, tzinfo=UTC), "12:30am on 5 January 2027"),
        (datetime.datetime(2027, 1, 5, 23, 59, tzinfo=UTC), "11:59pm on 5 January 2027"),
        # The clocks go forward at 1am GMT on 28 March 2027.
        (datetime.datetime(2027, 3, 28, 0, 59, tzinfo=UTC), "12:59am on 28 March 2027"),
        (datetime.datetime(2027, 3, 28, 1, 0, tzinfo=UTC), "2am on 28 March 2027"),
        # Already in another zone: shown in London time.
        (datetime.datetime(2027, 1, 5, 17, 0, tzinfo=ZoneInfo("America/New_York")), "10pm on 5 January 2027"),
        (None, ""),
    ],
)
def test_london_datetime(value, expected):
    assert london_datetime(value) == expected


def test_jinja_filters_use_these_formats():
    from django.template import engines

    env = engines["jinja2"].env
    template = env.from_string("{{ amount | money }} by {{ when | london_datetime }} ({{ when | london_date }})")
    when = datetime.datetime(2027, 7, 1, 11, 0, tzinfo=UTC)
    assert template.render(amount=Decimal("25000"), when=when) == "£25,000 by midday on 1 July 2027 (1 July 2027)"


def test_negative_money_and_half_pennies_read_as_people_expect():
    from decimal import Decimal

    from core.formatting import money

    assert money(Decimal("-1500")) == "-£1,500"
    assert money(Decimal("0.005")) == "£0.01"
