"""Time: the database server's clock for deadlines, London dates, working days and financial years."""

from __future__ import annotations

import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.db import connection
from django.utils import timezone

LONDON = ZoneInfo("Europe/London")


def db_now() -> datetime.datetime:
    """The database server's current time (UTC, aware).

    Deadlines are judged by this clock, so every web and worker process agrees on the instant a
    deadline passes, whatever their own clocks say. Inside a transaction on PostgreSQL this is the
    transaction's start time; callers that lock a row first and then ask get a time after the lock.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT clock_timestamp()")
            value = cursor.fetchone()[0]
            return value.astimezone(datetime.UTC)
        cursor.execute("SELECT strftime('%Y-%m-%d %H:%M:%f', 'now')")
        text = cursor.fetchone()[0]
        return datetime.datetime.fromisoformat(text).replace(tzinfo=datetime.UTC)


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[datetime.date]:
    # England and Wales share bank holidays.
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=[year]).keys())


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_working_days(start: datetime.datetime, days: int) -> datetime.datetime:
    """The end of the `days`-th full working day after `start` (London time): midnight at its end.

    A waiting period of 8 working days from a Friday afternoon ends at midnight at the end of the
    8th working day after that Friday, skipping weekends and bank holidays.
    """
    local_day = start.astimezone(LONDON).date()
    counted = 0
    while counted < days:
        local_day += datetime.timedelta(days=1)
        if is_working_day(local_day):
            counted += 1
    end = datetime.datetime.combine(local_day + datetime.timedelta(days=1), datetime.time(0, 0), tzinfo=LONDON)
    return end.astimezone(datetime.UTC)


def working_days_between(start: datetime.datetime, end: datetime.datetime) -> int:
    """Whole working days from the day after `start` up to and including the day before `end`'s day."""
    day = start.astimezone(LONDON).date()
    last = end.astimezone(LONDON).date()
    count = 0
    while day < last:
        day += datetime.timedelta(days=1)
        if day < last and is_working_day(day):
            count += 1
    return count


def financial_year_of(day: datetime.date) -> int:
    """The year the financial year (April to March) containing `day` starts in."""
    return day.year if day.month >= 4 else day.year - 1


def financial_year_label(start_year: int) -> str:
    return f"{start_year} to {start_year + 1}"


def next_london_midnight(after: datetime.datetime) -> datetime.datetime:
    """The first London midnight strictly after `after` (UTC, aware): when "today" next changes.
    Rules that compare a date with today (a contract's start and end, the financial year) change
    their answers only at these instants."""
    day = after.astimezone(LONDON).date() + datetime.timedelta(days=1)
    return datetime.datetime.combine(day, datetime.time(0, 0), tzinfo=LONDON).astimezone(datetime.UTC)


def london_now() -> datetime.datetime:
    return timezone.now().astimezone(LONDON)
