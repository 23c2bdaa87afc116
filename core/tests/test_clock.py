import datetime

import pytest
from django.utils import timezone

from core.clock import (
    LONDON,
    add_working_days,
    db_now,
    financial_year_label,
    financial_year_of,
    is_working_day,
    next_london_midnight,
    working_days_between,
)


def test_bank_holidays_and_weekends_are_not_working_days():
    assert not is_working_day(datetime.date(2026, 12, 25))  # Christmas Day
    assert not is_working_day(datetime.date(2026, 12, 28))  # Boxing Day (substitute)
    assert not is_working_day(datetime.date(2026, 11, 28))  # Saturday
    assert is_working_day(datetime.date(2026, 11, 27))


def test_eight_working_days_over_christmas_skip_weekends_and_bank_holidays():
    # Awarded on Monday 21 December 2026 at 3pm. Working days after it: 22, 23, 24, 29, 30, 31 Dec,
    # (1 Jan is a bank holiday), 4, 5 Jan -> the 8th is Tuesday 5 January; it ends at midnight.
    start = datetime.datetime(2026, 12, 21, 15, 0, tzinfo=LONDON)
    end = add_working_days(start, 8)
    assert end.astimezone(LONDON) == datetime.datetime(2027, 1, 6, 0, 0, tzinfo=LONDON)
    assert working_days_between(start, end) == 8


def test_working_day_countdown_crosses_the_clock_change():
    start = datetime.datetime(2026, 10, 23, 12, 0, tzinfo=LONDON)  # Friday before clocks go back
    end = add_working_days(start, 2)
    assert end.astimezone(LONDON) == datetime.datetime(2026, 10, 28, 0, 0, tzinfo=LONDON)


def test_financial_years_run_april_to_march():
    assert financial_year_of(datetime.date(2027, 3, 31)) == 2026
    assert financial_year_of(datetime.date(2027, 4, 1)) == 2027
    assert financial_year_label(2027) == "2027 to 2028"


@pytest.mark.django_db
def test_database_clock_is_close_to_ours_and_aware():
    now = db_now()
    assert now.tzinfo is not None
    assert abs((now - timezone.now()).total_seconds()) < 5


@pytest.mark.parametrize(
    ("after", "midnight"),
    [
        ("2026-11-30T12:00:00+00:00", "2026-12-01T00:00:00+00:00"),  # GMT
        ("2026-06-30T22:59:59.999999+00:00", "2026-06-30T23:00:00+00:00"),  # BST: a microsecond before
        ("2026-06-30T23:00:00+00:00", "2026-07-01T23:00:00+00:00"),  # at midnight: the next one
        ("2026-03-29T00:00:00+00:00", "2026-03-29T23:00:00+00:00"),  # the day the clocks go forward
        ("2026-10-25T00:30:00+00:00", "2026-10-26T00:00:00+00:00"),  # the day they go back
    ],
)
def test_next_london_midnight(after, midnight):
    assert next_london_midnight(datetime.datetime.fromisoformat(after)) == datetime.datetime.fromisoformat(midnight)
