"""Every competition rule that compares a column with the clock names that column as an instant
(competitions/instants.py), so a kept public answer (core/pagecache.py, ADR 10) is thrown away at the
exact moment the rule's answer changes; and the registered instants are found."""

from __future__ import annotations

import datetime

import pytest
from django.db.models import Q

from competitions import rules
from competitions.instants import DEADLINES, next_instant_after
from competitions.models import Award, Competition
from competitions.tests.factories import make_competition
from core import pagecache
from core.clock import db_now
from core.rules import Rule

MOMENT = datetime.datetime(2031, 5, 6, 7, 8, 9, tzinfo=datetime.UTC)
MODEL_OF = {
    rules.BIDDING_CLOSED: Competition,
    rules.BIDDING_OPEN: Competition,
    rules.LATE_INVITATIONS_OPEN: Competition,
    rules.OPEN_OR_PLANNED: Competition,
    rules.AWARD_FINAL: Award,
}


def _compared_with_the_clock(condition: Q) -> set[str]:
    found = set()
    for child in condition.children:
        if isinstance(child, Q):
            found |= _compared_with_the_clock(child)
        elif child[1] == MOMENT:
            found.add(child[0].rsplit("__", 1)[0])
    return found


def test_every_rule_that_reads_the_clock_is_known_here():
    clock_rules = {value for value in vars(rules).values() if isinstance(value, Rule) and value.uses_clock}
    assert clock_rules == set(MODEL_OF)


@pytest.mark.parametrize("rule", list(MODEL_OF), ids=lambda rule: rule.name)
def test_each_column_a_rule_compares_with_the_clock_is_an_instant(rule):
    columns = _compared_with_the_clock(rule.q(now=MOMENT))
    assert columns, rule
    assert columns <= set(DEADLINES[MODEL_OF[rule]])


@pytest.mark.django_db
def test_the_next_closing_date_is_the_next_instant():
    competition = make_competition(lots=["Kent"], closes_in=datetime.timedelta(hours=1))
    now = db_now()
    assert next_instant_after(now) == competition.closes_at
    assert next_instant_after(competition.closes_at) is None or next_instant_after(competition.closes_at) > (
        competition.closes_at
    )
    assert pagecache.next_instant_after(now) <= competition.closes_at
