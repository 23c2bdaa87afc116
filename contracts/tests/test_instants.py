"""The contract rules compare dates with today's London date, so their answers change only at London
midnights: the instants contracts registers for kept public answers (core/pagecache.py, ADR 10)."""

from __future__ import annotations

import datetime

from django.db.models import Q

from contracts import rules
from core import pagecache
from core.clock import LONDON, next_london_midnight
from core.rules import Rule

MOMENT = datetime.datetime(2031, 5, 6, 23, 30, tzinfo=datetime.UTC)  # already 7 May in London


def _values(condition: Q) -> list:
    found = []
    for child in condition.children:
        found += _values(child) if isinstance(child, Q) else [child[1]]
    return found


def test_every_contract_rule_that_reads_the_clock_compares_only_today_s_london_date():
    clock_rules = [value for value in vars(rules).values() if isinstance(value, Rule) and value.uses_clock]
    assert clock_rules
    for rule in clock_rules:
        values = _values(rule.q(now=MOMENT))
        assert values and all(value == MOMENT.astimezone(LONDON).date() for value in values), rule


def test_contracts_registers_london_midnights():
    assert pagecache._instants["contracts"] is next_london_midnight
