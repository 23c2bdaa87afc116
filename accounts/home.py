"""Sections other apps add to the account page (the page everyone lands on after signing in).

Apps above accounts cannot be imported here (docs/architecture.md): each registers a function in
its AppConfig.ready, as apps register history rules with audit and delivery figures with contracts.
The function is given the person signed in and returns None (nothing for them) or a dict with the
"template" to include and the context it needs; it must read what it shows in a fixed number of
queries."""

from __future__ import annotations

from collections.abc import Callable

_sections: list[Callable] = []


def register_home_section(fn: Callable) -> None:
    if fn not in _sections:
        _sections.append(fn)


def home_sections(user) -> list[dict]:
    """The sections for this person, in the order the apps registered them."""
    return [section for section in (fn(user) for fn in _sections) if section is not None]
