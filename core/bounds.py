"""Bounds for numbers that come from outside: addresses, query strings and the API.

A number a database cannot hold must never reach a query: SQLite and PostgreSQL both fail on a
whole number above 2**63 - 1 (PostgreSQL already above 2**31 - 1 for an `integer` column), which
would be a server error instead of "not found" or a message.
"""

from __future__ import annotations

import re

# The largest id a BigAutoField (DEFAULT_AUTO_FIELD) holds, on SQLite and PostgreSQL alike.
MAX_ID = 2**63 - 1

_WHOLE = re.compile(r"-?[0-9]{1,20}")


def bounded_int(text: object, *, minimum: int, maximum: int) -> int | None:
    """The whole number written in `text` (ASCII digits, an optional minus) if it lies within the
    bounds, else None. Never parses more than 20 digits, so a huge value costs nothing."""
    if isinstance(text, int) and not isinstance(text, bool):
        value = text
    elif isinstance(text, str) and _WHOLE.fullmatch(text):
        value = int(text)
    else:
        return None
    return value if minimum <= value <= maximum else None


class IdConverter:
    """`<id:name>` in a URL: a database id, 1 to MAX_ID. Anything else does not match: 404."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = bounded_int(value, minimum=1, maximum=MAX_ID)
        if number is None:
            raise ValueError(f"{value} is not an id")
        return number

    def to_url(self, value: int) -> str:
        return str(value)
