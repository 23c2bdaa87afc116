"""The JSON writer (exact money) and the OCDS merge used for compiled releases."""

import json
from decimal import Decimal

import pytest

from opendata.builders import compile_releases
from opendata.encoding import dumps


def test_decimals_are_exact_json_numbers():
    text = dumps({"amount": Decimal("400000.50"), "big": Decimal("123456789012345.67"), "n": 3, "f": 0.5})
    assert text == '{"amount":400000.50,"big":123456789012345.67,"n":3,"f":0.5}'
    assert json.loads(text, parse_float=Decimal)["big"] == Decimal("123456789012345.67")


def test_no_exponent_for_decimals():
    assert dumps(Decimal("1E+3")) == "1000"
    assert dumps(Decimal("0.00")) == "0.00"


def test_strings_lists_and_literals_are_escaped_like_json():
    value = {"text": 'Women\'s "services" \u2013 Kent\n', "list": [True, False, None, []], "empty": {}}
    assert json.loads(dumps(value)) == value


def test_values_json_cannot_hold_are_refused():
    with pytest.raises(ValueError, match="Cannot write NaN as a JSON number"):
        dumps(Decimal("NaN"))
    with pytest.raises(TypeError):
        dumps({"when": object()})


def _release(date, **fields):
    return {"ocid": "ocds-x-1", "id": f"ocds-x-1-{date}", "date": date, "tag": ["tender"], **fields}


def test_compile_merges_objects_by_field_and_arrays_of_objects_by_id_in_date_order():
    later = _release(
        "2027-02-01T00:00:00+00:00",
        tender={"status": "complete"},
        awards=[{"id": "a1", "status": "active"}],
        parties=[{"id": "p2", "roles": ["supplier"]}],
    )
    earlier = _release(
        "2027-01-01T00:00:00+00:00",
        tender={"status": "active", "title": "Accommodation"},
        awards=[{"id": "a1", "status": "pending", "value": {"amount": 5}}],
        parties=[{"id": "p1", "roles": ["buyer"]}, {"id": "p2", "roles": ["tenderer"]}],
    )
    compiled = compile_releases([later, earlier])
    assert compiled["tag"] == ["compiled"]
    assert compiled["date"] == "2027-02-01T00:00:00+00:00"
    assert compiled["tender"] == {"status": "complete", "title": "Accommodation"}
    assert compiled["awards"] == [{"id": "a1", "status": "active", "value": {"amount": 5}}]
    # Arrays of strings are replaced, not added to.
    assert compiled["parties"] == [{"id": "p1", "roles": ["buyer"]}, {"id": "p2", "roles": ["supplier"]}]
    # The input releases are not changed by compiling.
    assert earlier["awards"][0]["status"] == "pending"
