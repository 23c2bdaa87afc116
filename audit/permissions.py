"""Who may read an object's history: whoever may see the object itself, as its own app decides.

Each app registers, for the object types whose history its pages link to, the predicate that says
who may see that object (`register_history`). A type nobody registered has no readable history,
and a history nobody may read is "not found", exactly as for an object that does not exist: a
history never tells anyone more than the object's own pages would (who bid, what a colleague
scored, what an application says). The apps register themselves, so the audit app depends on none
of them.
"""

from __future__ import annotations

from collections.abc import Callable

HistoryRule = Callable[[object, str], bool]
_RULES: dict[str, HistoryRule] = {}


def register_history(object_type: str, rule: HistoryRule) -> None:
    """`rule(user, object_id)` says whether `user` may see the object, and so its history."""
    _RULES[object_type] = rule


def can_read_history(user, object_type: str, object_id: str) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    rule = _RULES.get(object_type)
    return rule is not None and rule(user, object_id)


def history_types() -> list[str]:
    return sorted(_RULES)
