"""Each flag of issue 13 on small worlds built by hand: where it must fire and where it must not,
exactly at each threshold; and the figures beside them (volumes, value, delivery, money)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from contracts.models import Contract
from reference.models import Area, ServiceType
from volumes import flags
from volumes.selectors import contract_years
from volumes.tests.world import base_world, make_contract, paid_claim, referrals

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def world():
    return base_world()


def year_of(contract: Contract, financial_year: int, *, today: D):
    rows = contract_years(Contract.objects.filter(pk=contract.pk), today=today)
    return next(row for row in rows if row.financial_year == financial_year)


def fired(flag, contract, financial_year, *, today) -> bool:
    """The predicate on the row, checked against the named selector's answer."""
    holds = flag.holds(year_of(contract, financial_year, today=today))
    selected = flags.flagged(flag, Contract.objects.filter(pk=contract.pk), today=today)
    assert holds == any(row.financial_year == financial_year for row in selected)
    return holds


# --- The figures ---------------------------------------------------------------------------


def test_a_year_shows_the_terms_in_force_delivery_and_money(world):
    contract = make_contract(
        world, starts_on=D(2022, 10, 1), ends_on=D(2024, 3, 31), years={2022: (50000, 20), 2023: (90000, 30)}
    )
    # 31 March 2023 at 23:30 UTC is 00:30 on 1 April in London (summer time began on 26 March):
    # that referral counts in the financial year 2023, the one sent at noon on 31 March in 2022.
    world["build"].referral(contract, world["kent"], datetime.datetime(2023, 3, 31, 23, 30, tzinfo=datetime.UTC))
    referrals(world, contract, [D(2023, 3, 31)])
    paid_claim(world, contract, period_start=D(2023, 3, 1), sent_on=D(2023, 4, 3), paid_on=D(2023, 4, 20))
    paid_claim(world, contract, period_start=D(2023, 4, 1), sent_on=D(2023, 5, 3), paid_on=D(2023, 5, 20))
    rows = contract_years(Contract.objects.filter(pk=contract.pk), today=D(2023, 6, 30))
    assert [(r.financial_year, r.volume, r.value, r.received, r.claimed, r.paid) for r in rows] == [
        (2022, 20, Decimal("50000.00"), 1, Decimal("1000"), Decimal("1000")),
        (2023, 30, Decimal("90000.00"), 1, Decimal("1000"), Decimal("1000")),
    ]
    first, second = rows
    assert (first.days_in_year, first.covered_days, first.elapsed_days) == (365, 182, 182)
    assert (second.days_in_year, second.covered_days, second.elapsed_days) == (366, 366, 91)
    assert first.value_per_person == 2500 and first.value_per_person_pounds == Decimal(2500)
    assert first.value_per_person_delivered is None  # nobody started


def test_the_terms_in_force_are_the_latest_accepted_version(world):
    from contracts.models import ContractVersion, ContractVersionYear

    contract = make_contract(world, starts_on=D(2022, 4, 1), ends_on=D(2023, 3, 31), years={2022: (50000, 20)})
    first = contract.versions.get()
    accepted = ContractVersion.objects.create(
        contract=contract,
        number=2,
        kind="variation",
        ground="unforeseeable",
        ends_on=first.ends_on,
        payment_frequency=first.payment_frequency,
        payment_days=30,
        proposed_at=first.accepted_at,
        proposed_by=world["first"],
        approved_at=first.accepted_at,
        approved_by=world["second"],
        accepted_at=first.accepted_at,
    )
    ContractVersionYear.objects.create(version=accepted, financial_year=2022, value=60000, volume=25)
    row = year_of(contract, 2022, today=D(2022, 5, 1))
    assert (row.volume, row.value) == (25, Decimal("60000.00"))
    # A proposal not yet accepted changes nothing.
    accepted.accepted_at = None
    accepted.save()
    row = year_of(contract, 2022, today=D(2022, 5, 1))
    assert (row.volume, row.value) == (20, Decimal("50000.00"))


# --- Demand above and below contract --------------------------------------------------------
# A whole financial year (365 days) for 100 people; on 12 June 2024, 73 days in (a fifth), 20 are
# due pro rata: 110% is 22 referrals, 70% is 14.
TODAY = D(2024, 6, 12)


def _demand_world(world, received: int) -> Contract:
    contract = make_contract(world, starts_on=D(2024, 4, 1), ends_on=D(2025, 3, 31), years={2024: (100000, 100)})
    referrals(world, contract, [D(2024, 4, 1) + datetime.timedelta(days=n % 70) for n in range(received)])
    return contract


@pytest.mark.parametrize(
    ("received", "above", "below"),
    [
        (23, True, False),
        (22, False, False),
        (20, False, False),
        (14, False, False),
        (13, False, True),
        (0, False, True),
    ],
)
def test_demand_above_and_below_contract_at_their_edges(world, received, above, below):
    contract = _demand_world(world, received)
    assert year_of(contract, 2024, today=TODAY).elapsed_days == 73
    assert fired(flags.DEMAND_ABOVE, contract, 2024, today=TODAY) is above
    assert fired(flags.DEMAND_BELOW, contract, 2024, today=TODAY) is below


def test_demand_is_not_judged_until_the_days_set_have_passed(world):
    contract = _demand_world(world, 0)
    with override_settings(VOLUMES_DEMAND_MIN_DAYS=30):
        assert not fired(flags.DEMAND_BELOW, contract, 2024, today=D(2024, 4, 29))  # 29 days
        assert fired(flags.DEMAND_BELOW, contract, 2024, today=D(2024, 4, 30))  # 30 days


@override_settings(VOLUMES_DEMAND_ABOVE_PERCENT=150, VOLUMES_DEMAND_BELOW_PERCENT=50)
def test_demand_thresholds_come_from_settings(world):
    assert not fired(flags.DEMAND_ABOVE, _demand_world(world, 30), 2024, today=TODAY)  # 150% exactly
    assert fired(flags.DEMAND_ABOVE, _demand_world(world, 31), 2024, today=TODAY)
    assert not fired(flags.DEMAND_BELOW, _demand_world(world, 10), 2024, today=TODAY)  # 50% exactly
    assert "150%" in flags.DEMAND_ABOVE.meaning()


def test_no_volume_no_demand_flags(world):
    contract = make_contract(world, starts_on=D(2024, 4, 1), ends_on=D(2025, 3, 31), years={2024: (100000, 0)})
    referrals(world, contract, [D(2024, 4, 2)])
    assert not fired(flags.DEMAND_ABOVE, contract, 2024, today=TODAY)
    assert not fired(flags.DEMAND_BELOW, contract, 2024, today=TODAY)


# --- Thin funding -----------------------------------------------------------------------------


def _per_person(world, value: int, volume: int = 100, service_type=None) -> Contract:
    return make_contract(
        world,
        starts_on=D(2021, 4, 1),
        ends_on=D(2022, 3, 31),
        years={2021: (value, volume)},
        service_type=service_type,
    )


@pytest.mark.parametrize(("value", "thin"), [(80000, False), (79999, True), (100000, False)])
def test_thin_funding_at_its_edge(world, value, thin):
    # Median of £1,000, £1,000 and the contract's own: 20% below is £800 a person exactly.
    _per_person(world, 100000)
    _per_person(world, 100000)
    contract = _per_person(world, value)
    assert fired(flags.THIN_FUNDING, contract, 2021, today=D(2022, 6, 1)) is thin


def test_thin_funding_compares_only_the_same_service_type(world):
    other = ServiceType.objects.exclude(pk=world["contract"].service_type_id).first()
    _per_person(world, 10_000_000, service_type=other)
    _per_person(world, 10_000_000, service_type=other)
    contract = _per_person(world, 100000)
    assert not fired(flags.THIN_FUNDING, contract, 2021, today=D(2022, 6, 1))
    _per_person(world, 200000)
    _per_person(world, 200000)
    assert fired(flags.THIN_FUNDING, contract, 2021, today=D(2022, 6, 1))


# --- Ramp-up below known demand -----------------------------------------------------------------


def _replaced(world, *, received_last_12_months: int, area=None, service_type=None) -> Contract:
    old = make_contract(
        world,
        starts_on=D(2020, 4, 1),
        ends_on=D(2022, 3, 31),
        years={2020: (1000, 10), 2021: (1000, 10)},
        areas=[area or world["kent"]],
        service_type=service_type,
    )
    # Ten in its first year do not count; the last twelve months' do (April 2021 to March 2022).
    referrals(world, old, [D(2020, 6, 1)] * 10)
    referrals(world, old, [D(2021, 4, 1) + datetime.timedelta(days=n % 365) for n in range(received_last_12_months)])
    return old


@pytest.mark.parametrize(("volume", "fires"), [(50, False), (49, True), (80, False)])
def test_ramp_up_below_known_demand_at_its_edge(world, volume, fires):
    old = _replaced(world, received_last_12_months=50)
    new = make_contract(world, starts_on=D(2022, 4, 1), ends_on=D(2024, 3, 31), years={2022: (1, volume)})
    row = year_of(new, 2022, today=D(2022, 5, 1))
    assert (row.replaced, row.known_demand) == (old, 50)
    assert fired(flags.RAMP_UP_BELOW_KNOWN_DEMAND, new, 2022, today=D(2022, 5, 1)) is fires


@pytest.mark.parametrize(("volume", "fires"), [(25, False), (24, True)])
def test_ramp_up_makes_a_part_year_up_to_a_whole_one(world, volume, fires):
    # From 1 October 2023: 183 of the 366 days of 2023 to 2024; 25 people is 50 a whole year.
    _replaced(world, received_last_12_months=50)
    new = make_contract(world, starts_on=D(2023, 10, 1), ends_on=D(2025, 3, 31), years={2023: (1, volume)})
    assert fired(flags.RAMP_UP_BELOW_KNOWN_DEMAND, new, 2023, today=D(2023, 11, 1)) is fires


def test_ramp_up_needs_the_same_service_and_an_area_in_common(world):
    wales = Area.objects.get(code="D")
    other = ServiceType.objects.exclude(pk=world["contract"].service_type_id).first()
    _replaced(world, received_last_12_months=50, area=wales)
    _replaced(world, received_last_12_months=50, service_type=other)
    new = make_contract(world, starts_on=D(2022, 4, 1), ends_on=D(2024, 3, 31), years={2022: (1, 1)})
    row = year_of(new, 2022, today=D(2022, 5, 1))
    assert row.replaced is None and row.known_demand is None
    assert not fired(flags.RAMP_UP_BELOW_KNOWN_DEMAND, new, 2022, today=D(2022, 5, 1))


def test_ramp_up_compares_with_the_latest_contract_to_end_before_it_started(world):
    _replaced(world, received_last_12_months=50)
    still_running = make_contract(world, starts_on=D(2021, 4, 1), ends_on=D(2022, 4, 1), years={2021: (1, 1)})
    referrals(world, still_running, [D(2021, 5, 1)] * 90)
    new = make_contract(world, starts_on=D(2022, 4, 1), ends_on=D(2024, 3, 31), years={2022: (1, 49)})
    row = year_of(new, 2022, today=D(2022, 5, 1))
    assert row.replaced != still_running and row.known_demand == 50


# --- Late payment rising ----------------------------------------------------------------------


def _claims(world, contract, financial_year: int, late: int, on_time: int) -> None:
    """Claims for the year's months, each sent on the 3rd of the next month and paid 31 days
    later (late: the terms give 30) or exactly 30 days later (on time)."""
    for n in range(late + on_time):
        start = D(financial_year, 4 + n, 1) if n < 9 else D(financial_year + 1, n - 8, 1)
        sent = start + datetime.timedelta(days=40)
        paid_claim(
            world,
            contract,
            period_start=start,
            sent_on=sent,
            paid_on=sent + datetime.timedelta(days=31 if n < late else 30),
        )


def _late_world(world, previous: tuple[int, int], this: tuple[int, int]) -> Contract:
    contract = make_contract(
        world, starts_on=D(2021, 4, 1), ends_on=D(2023, 3, 31), years={2021: (1, 1), 2022: (1, 1)}, payment_days=30
    )
    _claims(world, contract, 2021, *previous)
    _claims(world, contract, 2022, *this)
    return contract


@pytest.mark.parametrize(
    ("previous", "this", "fires"),
    [((1, 1), (1, 1), False), ((1, 1), (2, 0), True), ((1, 1), (0, 2), False), ((0, 2), (1, 4), True)],
)
def test_late_payment_rising(world, previous, this, fires):
    contract = _late_world(world, previous, this)
    row = year_of(contract, 2022, today=D(2023, 6, 1))
    assert (row.previous_late_claims, row.previous_paid_claims) == (previous[0], sum(previous))
    assert (row.late_claims, row.paid_claims) == (this[0], sum(this))
    assert fired(flags.LATE_PAYMENT_RISING, contract, 2022, today=D(2023, 6, 1)) is fires


@override_settings(VOLUMES_LATE_RISE_POINTS=10)
@pytest.mark.parametrize(("this", "fires"), [((3, 2), False), ((4, 2), True)])
def test_late_payment_rise_threshold_from_settings(world, this, fires):
    # 50% the year before; 60% is a rise of 10 points exactly, 66.7% more.
    contract = _late_world(world, (1, 1), this)
    assert fired(flags.LATE_PAYMENT_RISING, contract, 2022, today=D(2023, 6, 1)) is fires


def test_no_claims_paid_the_year_before_no_rise(world):
    contract = _late_world(world, (0, 0), (2, 0))
    assert not fired(flags.LATE_PAYMENT_RISING, contract, 2022, today=D(2023, 6, 1))


# --- Queries ------------------------------------------------------------------------------------


def _busy_contracts(world, count: int) -> list[Contract]:
    made = []
    for n in range(count):
        contract = make_contract(
            world,
            starts_on=D(2021, 4, 1),
            ends_on=D(2023, 3, 31),
            years={2021: (1000 + n, 10), 2022: (1000, 10)},
        )
        referrals(world, contract, [D(2021, 5, 1), D(2022, 5, 1)])
        _claims(world, contract, 2021, 1, 1)
        made.append(contract)
    return made


def test_the_queries_do_not_grow_with_the_number_of_contracts(world):
    def queries(contracts) -> int:
        with CaptureQueriesContext(connection) as captured:
            rows = contract_years(Contract.objects.filter(pk__in=[c.pk for c in contracts]), today=D(2023, 6, 1))
            for row in rows:
                flags.flags_of(row)
        assert len(rows) == 2 * len(contracts)
        return len(captured)

    few = queries(_busy_contracts(world, 2))
    many = queries(_busy_contracts(world, 6))
    assert few == many
    assert many <= 16


def test_one_year_asked_reads_known_demand_as_every_year_does(world):
    # The replaced contract ends mid-month: referrals later in that month count (whole months),
    # those of the month after do not; asking for one year must read the same.
    old = make_contract(
        world, starts_on=D(2020, 4, 1), ends_on=D(2022, 3, 15), years={2020: (1000, 10), 2021: (1000, 10)}
    )
    referrals(world, old, [D(2021, 3, 31), D(2021, 4, 1), D(2022, 3, 15), D(2022, 3, 20), D(2022, 4, 1)])
    new = make_contract(world, starts_on=D(2022, 4, 1), ends_on=D(2024, 3, 31), years={2022: (1, 1), 2023: (1, 1)})
    shown = Contract.objects.filter(pk=new.pk)
    every = contract_years(shown, today=D(2023, 5, 1))
    some = contract_years(shown, today=D(2023, 5, 1), financial_years={2023})
    assert [row.known_demand for row in every] == [3, 3]
    assert some == [row for row in every if row.financial_year == 2023]
