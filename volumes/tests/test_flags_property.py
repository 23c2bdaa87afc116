"""Each flag against a brute-force computation (hypothesis): random small worlds of contracts (dates,
terms, areas, referrals, paid claims), every contract year asked through the selectors, and the
answer worked out again here the slow, obvious way — day by day, by sorting, by looking at every
other contract. The edges are tested by hand in test_flags.py."""

from __future__ import annotations

import datetime
from fractions import Fraction

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts.models import Contract
from reference.models import Area
from volumes import flags
from volumes.selectors import contract_years
from volumes.tests.world import base_world, make_contract, paid_claim, referrals

pytestmark = pytest.mark.django_db

D = datetime.date
ONE_DAY = datetime.timedelta(days=1)
FIRST, LAST = D(2020, 4, 1), D(2024, 3, 31)
EXAMPLES = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def fy_of(day: D) -> int:
    return day.year if day.month >= 4 else day.year - 1


def days(first: D, last: D):
    day = first
    while day <= last:
        yield day
        day += ONE_DAY


@st.composite
def contract_specs(draw, after: dict | None = None):
    """A contract; `after`: one it may follow (a replacement starts within a month of its end), in
    the same area or (to see that areas matter) another."""
    areas = draw(st.sampled_from([("K",), ("D",), ("K", "D")]))
    if after is not None and after["ends_on"] < D(2023, 12, 1) and draw(st.booleans()):
        starts_on = after["ends_on"] + datetime.timedelta(days=draw(st.integers(1, 30)))
        if not draw(st.booleans()):
            areas = ("D",) if "K" in after["areas"] else ("K",)
            after["areas"] = tuple(code for code in after["areas"] if code not in areas) or after["areas"]
    else:
        starts_on = FIRST + datetime.timedelta(days=draw(st.integers(0, 1200)))
    ends_on = min(starts_on + datetime.timedelta(days=draw(st.integers(30, 900))), LAST)
    years = {
        year: (
            draw(st.sampled_from([1000, 5000, 8000, 10000, 12500])),
            draw(st.sampled_from([0, 1, 2, 3, 5, 10, 20, 40])),
        )
        for year in range(fy_of(starts_on), fy_of(ends_on) + 1)
    }
    life = (ends_on - starts_on).days
    # Some anywhere in its life, some crowded into its first three months (demand above contract).
    offsets = draw(st.lists(st.integers(0, life), max_size=15)) + draw(
        st.lists(st.integers(0, min(life, 90)), max_size=20)
    )
    sent = [starts_on + datetime.timedelta(days=d) for d in offsets]
    months = sorted({D(d.year, d.month, 1) for d in days(starts_on, ends_on) if d.day == 1 or d == starts_on})
    claimed = draw(st.lists(st.sampled_from(months), max_size=10, unique=True)) if months else []
    claims = [
        (start, start + datetime.timedelta(days=draw(st.integers(28, 60))), draw(st.integers(0, 60)))
        for start in claimed
    ]
    return {
        "starts_on": starts_on,
        "ends_on": ends_on,
        "years": years,
        "areas": areas,
        "payment_days": draw(st.sampled_from([10, 30, 45])),
        "referrals": sent,
        "claims": claims,
    }


@st.composite
def worlds(draw):
    contracts = []
    for _ in range(draw(st.integers(1, 3))):
        contracts.append(draw(contract_specs(after=contracts[-1] if contracts else None)))
    return {"contracts": contracts, "today": FIRST + datetime.timedelta(days=draw(st.integers(0, 1600)))}


@pytest.fixture(scope="module")
def base(django_db_setup, django_db_blocker):
    """One world for the module (rolled back at its end); each example builds on it in a savepoint."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield base_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def asked(base, spec) -> list[tuple[dict, object]]:
    """Build the world, ask the selector, and pair each row with its contract's spec."""
    made = []
    for contract_spec in spec["contracts"]:
        contract = make_contract(
            base,
            starts_on=contract_spec["starts_on"],
            ends_on=contract_spec["ends_on"],
            years=contract_spec["years"],
            areas=list(Area.objects.filter(code__in=contract_spec["areas"])),
            payment_days=contract_spec["payment_days"],
        )
        referrals(base, contract, contract_spec["referrals"])
        for start, sent_on, delay in contract_spec["claims"]:
            paid_claim(base, contract, period_start=start, sent_on=sent_on, paid_on=sent_on + datetime.timedelta(delay))
        made.append((contract, contract_spec))
    by_pk = {contract.pk: contract_spec for contract, contract_spec in made}
    rows = contract_years(Contract.objects.filter(pk__in=by_pk), today=spec["today"])
    assert {(row.contract.pk, row.financial_year) for row in rows} == {
        (contract.pk, year) for contract, contract_spec in made for year in contract_spec["years"]
    }
    for contract, contract_spec in made:
        contract_spec["pk"] = contract.pk
    return [(by_pk[row.contract.pk], row) for row in rows]


def check(base, spec, flag, brute) -> None:
    with transaction.atomic():
        for contract_spec, row in asked(base, spec):
            assert flag.holds(row) == brute(spec, contract_spec, row.financial_year), (contract_spec, row)
        transaction.set_rollback(True)


# --- Brute force: each flag worked out again, the obvious way --------------------------------------


def covered_and_elapsed(c, year, today) -> tuple[int, int, int]:
    in_year = list(days(D(year, 4, 1), D(year + 1, 3, 31)))
    covered = [d for d in in_year if c["starts_on"] <= d <= c["ends_on"]]
    return len(in_year), len(covered), len([d for d in covered if d <= today])


def ratio_of_pro_rata(spec, c, year) -> Fraction | None:
    _, covered, elapsed = covered_and_elapsed(c, year, spec["today"])
    volume = c["years"][year][1]
    if volume == 0 or elapsed < 30:
        return None
    received = sum(1 for d in c["referrals"] if fy_of(d) == year)
    return Fraction(received) / (Fraction(volume) * elapsed / covered)


def brute_demand_above(spec, c, year) -> bool:
    ratio = ratio_of_pro_rata(spec, c, year)
    return ratio is not None and ratio > Fraction(110, 100)


def brute_demand_below(spec, c, year) -> bool:
    ratio = ratio_of_pro_rata(spec, c, year)
    return ratio is not None and ratio < Fraction(70, 100)


def brute_thin_funding(spec, c, year) -> bool:
    value, volume = c["years"][year]
    if volume == 0:
        return False
    # Every contract of the service type in the year: those of this world only (the base world's
    # contract sets no year before 2026).
    figures = sorted(
        Fraction(o["years"][year][0], o["years"][year][1])
        for o in spec["contracts"]
        if year in o["years"] and o["years"][year][1]
    )
    middle = len(figures) // 2
    median = figures[middle] if len(figures) % 2 else (figures[middle - 1] + figures[middle]) / 2
    return Fraction(value, volume) < median * Fraction(80, 100)


def brute_ramp_up(spec, c, year) -> bool:
    before = [
        o
        for o in spec["contracts"]
        if o is not c and o["ends_on"] < c["starts_on"] and set(o["areas"]) & set(c["areas"])
    ]
    if not before:
        return False
    replaced = max(before, key=lambda o: (o["ends_on"], o["pk"]))
    end = replaced["ends_on"]
    months = set()
    y, m = end.year, end.month
    for _ in range(12):
        months.add((y, m))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    known = sum(1 for d in replaced["referrals"] if (d.year, d.month) in months and d <= end)
    in_year, covered, _ = covered_and_elapsed(c, year, spec["today"])
    return Fraction(c["years"][year][1] * in_year, covered) < known


def late_share(c, year) -> Fraction | None:
    paid = [(sent, sent + datetime.timedelta(delay)) for start, sent, delay in c["claims"] if fy_of(start) == year]
    if not paid:
        return None
    pay_by_days = min(c["payment_days"], 30)
    late = sum(1 for sent, paid_on in paid if paid_on > sent + datetime.timedelta(pay_by_days))
    return Fraction(late, len(paid))


def brute_late_rising(spec, c, year) -> bool:
    now, before = late_share(c, year), late_share(c, year - 1)
    return now is not None and before is not None and now > before


@EXAMPLES
@given(spec=worlds())
def test_demand_above_contract_matches_brute_force(base, spec):
    check(base, spec, flags.DEMAND_ABOVE, brute_demand_above)


@EXAMPLES
@given(spec=worlds())
def test_demand_below_contract_matches_brute_force(base, spec):
    check(base, spec, flags.DEMAND_BELOW, brute_demand_below)


@EXAMPLES
@given(spec=worlds())
def test_thin_funding_matches_brute_force(base, spec):
    check(base, spec, flags.THIN_FUNDING, brute_thin_funding)


@EXAMPLES
@given(spec=worlds())
def test_ramp_up_below_known_demand_matches_brute_force(base, spec):
    check(base, spec, flags.RAMP_UP_BELOW_KNOWN_DEMAND, brute_ramp_up)


@EXAMPLES
@given(spec=worlds())
def test_late_payment_rising_matches_brute_force(base, spec):
    check(base, spec, flags.LATE_PAYMENT_RISING, brute_late_rising)


@EXAMPLES
@given(
    spec=worlds(),
    chosen=st.sets(st.integers(2019, 2024), min_size=1, max_size=2),
    stray=st.lists(st.integers(1, 40), max_size=3),
)
def test_asking_for_some_years_gives_exactly_those_years_rows(base, spec, chosen, stray):
    """The account page asks for this year only; every query then reads only what those years need
    (ADR 13). The rows for the chosen years, every figure and flag, are those of asking for all."""
    with transaction.atomic():
        for contract_spec in spec["contracts"]:
            # Referrals sent after a contract's last day (in its last month and later) must still
            # count for known demand as they did, or not, when every year is read.
            contract_spec["referrals"] = contract_spec["referrals"] + [
                contract_spec["ends_on"] + datetime.timedelta(days=d) for d in stray
            ]
        asked(base, spec)
        shown = Contract.objects.filter(pk__in=[c["pk"] for c in spec["contracts"]])
        every = [row for row in contract_years(shown, today=spec["today"]) if row.financial_year in chosen]
        some = contract_years(shown, today=spec["today"], financial_years=set(chosen))
        assert some == every
        assert [flags.flags_of(row) for row in some] == [flags.flags_of(row) for row in every]
        transaction.set_rollback(True)
