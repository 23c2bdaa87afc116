"""A rule of the framework written once and used two ways: as a queryset filter and as a predicate.

"Bidding has closed", "a sent bid", "the award is final": each is one `Rule`, defined by a function
that returns a `Q` object. The same `Q` filters querysets in SQL (`rule.q()`) and is evaluated in
Python against an instance already in memory (`rule.holds(obj)`), so the two can never drift apart
the way hand-copied conditions do. (The idea is Digital Marketplace's `Brief.status`, a hybrid
property that is one expression for Python and SQL.)

Only what the rules need is supported: AND, OR and NOT; the lookups `exact`, `isnull`, `lt`, `lte`,
`gt`, `gte` and `in`; and paths along forward relations (`competition__closes_at`). A comparison
with NULL is false in Python exactly as Django makes it in SQL: Django adds `IS NOT NULL` inside a
negated lookup on a nullable column, so `~Q(closes_at__lte=now)` holds for a NULL `closes_at` in
both. Anything else raises, so a rule cannot silently mean two things. `core/tests/test_rules.py`
checks Python against the database for every rule, at the edges.
"""

from __future__ import annotations

import datetime
import operator
from collections.abc import Callable
from typing import Any

from django.db import models
from django.db.models import Q

from core.clock import db_now

_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "exact": operator.eq,
    "lt": operator.lt,
    "lte": operator.le,
    "gt": operator.gt,
    "gte": operator.ge,
}
_LOOKUPS = {*_COMPARE, "isnull", "in"}


class Rule:
    """One named condition on a model, usable in SQL and in Python.

    `definition(now)` returns the condition as a `Q` on the model's own fields. Rules that do not
    depend on the time simply ignore `now`.
    """

    def __init__(self, name: str, definition: Callable[[datetime.datetime], Q], *, uses_clock: bool = True):
        self.name = name
        self._definition = definition
        self.uses_clock = uses_clock

    def __repr__(self) -> str:
        return f"<Rule {self.name}>"

    def _now(self, now: datetime.datetime | None) -> datetime.datetime | None:
        if not self.uses_clock:
            return None
        return now if now is not None else db_now()

    def q(self, *, prefix: str = "", now: datetime.datetime | None = None) -> Q:
        """The rule as a filter, its lookups starting at `prefix` (e.g. "competition__")."""
        condition = self._definition(self._now(now))
        return _prefixed(condition, prefix) if prefix else condition

    def holds(self, obj: models.Model, *, now: datetime.datetime | None = None) -> bool:
        """Whether the rule holds for `obj` as it is in memory (no query unless a path needs one)."""
        return _evaluate(self._definition(self._now(now)), obj)


def _prefixed(condition: Q, prefix: str) -> Q:
    copy = Q()
    copy.connector = condition.connector
    copy.negated = condition.negated
    copy.children = [
        _prefixed(child, prefix) if isinstance(child, Q) else (prefix + child[0], child[1])
        for child in condition.children
    ]
    return copy


def _evaluate(condition: Q, obj: models.Model) -> bool:
    if condition.connector not in (Q.AND, Q.OR):
        raise ValueError(f"Rules support AND and OR, not {condition.connector}")
    results = (
        _evaluate(child, obj) if isinstance(child, Q) else _lookup(obj, child[0], child[1])
        for child in condition.children
    )
    value = all(results) if condition.connector == Q.AND else any(results)
    return not value if condition.negated else value


def _lookup(obj: models.Model, lookup: str, expected: Any) -> bool:
    parts = lookup.split("__")
    operation = parts.pop() if parts[-1] in _LOOKUPS and len(parts) > 1 else "exact"
    actual = _follow(obj, parts)
    if operation == "isnull":
        return (actual is None) == bool(expected)
    if actual is None or expected is None:
        # SQL: a comparison with NULL is never true (`exact=None` is written `isnull` in rules).
        return False
    if operation == "in":
        return actual in expected
    return _COMPARE[operation](actual, expected)


def _follow(obj: models.Model, parts: list[str]) -> Any:
    """The value at the end of a path of forward fields, reading a foreign key's id, not its row,
    when the path ends at the relation itself."""
    value: Any = obj
    for index, name in enumerate(parts):
        if value is None:
            return None
        field = value._meta.get_field(name)
        if field.many_to_many or field.one_to_many or (field.one_to_one and not field.concrete):
            raise ValueError(f"Rules follow forward relations only, not {name}")
        last = index == len(parts) - 1
        value = getattr(value, field.attname if last and field.is_relation else name)
    return value
