"""Contract years added up (`add_up`) for pages that show many contracts at once, and the areas each
year carries from the terms in force."""

from __future__ import annotations

import datetime
from decimal import Decimal
from fractions import Fraction

import pytest

from contracts.models import Contract
from reference.models import Area
from volumes.selectors import add_up, contract_years
from volumes.tests.world import base_world, london_noon, make_contract, paid_claim, referrals

pytestmark = pytest.mark.django_db

D = datetime.date


def test_totals_work_the_value_per_person_out_from_the_sums():
    world = base_world()
    wales = Area.objects.get(code="D")
    a = make_contract(world, starts_on=D(2022, 4, 1), ends_on=D(2023, 3, 31), years={2022: (30000, 10)})
    b = make_contract(
        world, starts_on=D(2022, 4, 1), ends_on=D(2023, 3, 31), years={2022: (10000, 30)}, areas=[world["kent"], wales]
    )
    # A year with a value but no people counts in the value, not in the value per person.
    c = make_contract(world, starts_on=D(2022, 4, 1), ends_on=D(2023, 3, 31), years={2022: (5000, 0)})
    referrals(world, a, [D(2022, 5, 1), D(2022, 5, 2)])
    world["build"].referral(b, world["kent"], london_noon(D(2022, 6, 1)), started_at=london_noon(D(2022, 6, 1)))
    paid_claim(world, a, period_start=D(2022, 4, 1), sent_on=D(2022, 5, 3), paid_on=D(2022, 5, 20))
    rows = contract_years(Contract.objects.filter(pk__in=[a.pk, b.pk, c.pk]), today=D(2023, 6, 30))
    assert {row.contract.pk: row.area_ids for row in rows} == {
        a.pk: frozenset({world["kent"].pk}),
        b.pk: frozenset({world["kent"].pk, wales.pk}),
        c.pk: frozenset({world["kent"].pk}),
    }
    totals = add_up(rows)
    assert (totals.contract_years, totals.volume, totals.value) == (3, 40, Decimal(45000))
    assert (totals.received, totals.started, totals.completed, totals.paid) == (3, 1, 0, Decimal(1000))
    # (30,000 + 10,000) ÷ (10 + 30), not the average of 3,000 and 333.33.
    assert totals.value_per_person == 1000 and totals.value_per_person_pounds == Decimal(1000)
    assert totals.value_per_person_delivered == Fraction(1000)
    assert add_up([]).value_per_person is None and add_up([]).value_per_person_delivered is None
