"""JSON text for open data, with money exact to the penny.

Python's json module writes a Decimal only as a float (or a string, through Django's encoder);
OCDS wants an amount to be a JSON number. Here a Decimal is written as its own digits
(Decimal("400000.50") becomes 400000.50), which is a JSON number and loses nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal

_encode_string = json.encoder.encode_basestring_ascii


def _number(value: Decimal) -> str:
    if not value.is_finite():
        raise ValueError(f"Cannot write {value} as a JSON number")
    # Fixed-point digits, never an exponent that some readers turn into a float.
    return format(value, "f")


def iter_json(value, *, _depth: int = 0) -> Iterator[str]:
    """Pieces of the JSON text for `value` (dicts, lists, strings, numbers, Decimals, booleans, None)."""
    if isinstance(value, dict):
        yield from _iter_object(value, _depth)
    elif isinstance(value, list | tuple):
        yield from _iter_array(value, _depth)
    else:
        yield _scalar(value)


def _scalar(value) -> str:
    if isinstance(value, str):
        return _encode_string(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, Decimal):
        return _number(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return json.dumps(value)
    raise TypeError(f"Cannot write {type(value).__name__} as JSON")


def _iter_object(value: dict, depth: int) -> Iterator[str]:
    if not value:
        yield "{}"
        return
    first = True
    for key, item in value.items():
        yield ("{" if first else ",") + _encode_string(str(key)) + ":"
        first = False
        yield from iter_json(item, _depth=depth + 1)
    yield "}"


def _iter_array(value: list | tuple, depth: int) -> Iterator[str]:
    if not value:
        yield "[]"
        return
    first = True
    for item in value:
        yield "[" if first else ","
        first = False
        yield from iter_json(item, _depth=depth + 1)
    yield "]"


def dumps(value) -> str:
    return "".join(iter_json(value))
