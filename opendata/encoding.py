"""JSON text for open data, with money exact to the penny.

Python's json module writes a Decimal only as a float (or a string, through Django's encoder);
OCDS wants an amount to be a JSON number. Here a Decimal is written as its own digits
(Decimal("400000.50") becomes 400000.50), which is a JSON number and loses nothing.

The writer is orjson (compiled): a release page of 50 competitions spent a quarter of its time in
the pure-Python writer this replaced (docs/performance.md). orjson hands each Decimal to
`_default`, which gives back its digits as a ready-made piece of JSON (`orjson.Fragment`).
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import orjson


def _number(value: Decimal) -> str:
    if not value.is_finite():
        raise ValueError(f"Cannot write {value} as a JSON number")
    # Fixed-point digits, never an exponent that some readers turn into a float.
    return format(value, "f")


def _default(value):
    if isinstance(value, Decimal):
        return orjson.Fragment(_number(value))
    raise TypeError(f"Cannot write {type(value).__name__} as JSON")


def dumps_bytes(value) -> bytes:
    """UTF-8 JSON text for `value` (dicts, lists, strings, numbers, Decimals, booleans, None)."""
    try:
        return orjson.dumps(value, default=_default)
    except orjson.JSONEncodeError as error:
        # orjson wraps what `_default` raised; give the caller the original refusal.
        cause = error.__cause__
        if isinstance(cause, ValueError | TypeError):
            raise cause from None
        raise TypeError(str(error)) from None


def dumps(value) -> str:
    return dumps_bytes(value).decode()


def iter_json(value) -> Iterator[str]:
    """The JSON text for `value`, as one piece (kept for callers that stream pieces)."""
    yield dumps(value)
