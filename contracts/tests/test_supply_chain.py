"""The supply chain: a prime records what it paid each partner for each period; committed share
beside delivered share; the 30-day rule passed down to partners, as a predicate and a filter."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from contracts import rules, services
from contracts.models import ContractVersionPartner, PartnerPayment, PaymentClaim, Subcontract
from contracts.selectors import payment_periods, terms_in_force
from contracts.selectors_supply_chain import (
    IN_TIME,
    LATE,
    NOT_YET_DUE,
    OVERDUE,
    delivered_percent,
    delivered_shares,
    supply_chain,
    with_prime_paid_on,
    with_shares,
)
from contracts.services_supply_chain import partner_payment_correct, partner_payment_record
from contracts.tests.payments_world import live_contract_world

pytestmark = pytest.mark.django_db


def add_partners(contract, shares=(("Medway Mentors", "25"), ("Kent Housing Co-op", "15"))):
    """Partners on the terms in force (and as made, for the public register)."""
    terms = terms_in_force(contract)
    partners = []
    for name, share in shares:
        partners.append(
            ContractVersionPartner.objects.create(
                version=terms, name=name, role="subcontractor", share_percent=Decimal(share)
            )
        )
        Subcontract.objects.create(contract=contract, name=name, role="subcontractor", share_percent=Decimal(share))
    return partners


@pytest.fixture
def world():
    world = live_contract_world()
    world["partners"] = add_partners(world["contract"])
    return world


def _periods(world):
    contract = world["contract"]
    return payment_periods(contract, terms_in_force(contract))


def _prime_paid(world, period, amount="10000", paid_on=None):
    """A claim for the period, approved and paid on `paid_on`."""
    claim = services.claim_send(
        contract=world["contract"],
        period_start=period[0],
        quantity=None,
        amount=Decimal(amount),
        note="",
        actor=world["provider"],
    )
    claim = services.claim_approve(claim=claim, actor=world["first"])
    PaymentClaim.objects.filter(pk=claim.pk).update(
        paid_on=paid_on or period[1] + datetime.timedelta(days=10), paid_recorded_at=claim.approved_at
    )
    return claim


def _record(world, partner=0, period=0, amount="2500", paid_on=None, **more):
    start, end = _periods(world)[period]
    return partner_payment_record(
        contract=world["contract"],
        partner=world["partners"][partner] if isinstance(partner, int) else partner,
        period_start=more.pop("period_start", start),
        amount=Decimal(amount),
        paid_on=paid_on or end + datetime.timedelta(days=20),
        note=more.pop("note", "Paid by BACS"),
        actor=more.pop("actor", world["provider"]),
    )


def test_a_payment_is_recorded_with_its_audit_event(world):
    payment = _record(world)
    assert payment.amount == Decimal("2500") and payment.name == "Medway Mentors"
    assert payment.partner_key == "name:medway mentors"
    event = AuditEvent.objects.filter(object_type="contracts.contract", object_id=str(world["contract"].pk)).latest(
        "pk"
    )
    assert event.action == "partner_payment.recorded"
    assert event.after["partner_payment"] == payment.pk


def test_one_payment_per_partner_per_period_then_corrections(world):
    first = _record(world)
    with pytest.raises(ValidationError, match="already recorded"):
        _record(world)
    # The other partner, or another period, is its own record.
    _record(world, partner=1)
    _record(world, period=1)
    correction = partner_payment_correct(
        payment=first,
        amount=Decimal("-500"),
        paid_on=first.paid_on + datetime.timedelta(days=3),
        note="Overpaid",
        actor=world["provider"],
    )
    assert correction.corrects == first
    first.refresh_from_db()
    assert first.amount == Decimal("2500")  # never edited
    event = AuditEvent.objects.filter(object_type="contracts.contract").latest("pk")
    assert event.action == "partner_payment.corrected"
    with pytest.raises(ValidationError, match="below £0"):
        partner_payment_correct(
            payment=first, amount=Decimal("-2001"), paid_on=first.paid_on, note="Too much", actor=world["provider"]
        )
    with pytest.raises(ValidationError, match="first payment"):
        partner_payment_correct(
            payment=correction, amount=Decimal("10"), paid_on=first.paid_on, note="x", actor=world["provider"]
        )
    with pytest.raises(ValidationError, match="Say what"):
        partner_payment_correct(
            payment=first, amount=Decimal("10"), paid_on=first.paid_on, note=" ", actor=world["provider"]
        )


def test_the_database_refuses_a_second_first_record_for_a_period(world):
    first = _record(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        PartnerPayment.objects.create(
            contract=first.contract,
            name=first.name,
            partner_key=first.partner_key,
            period_start=first.period_start,
            period_end=first.period_end,
            amount=Decimal("1"),
            paid_on=first.paid_on,
            recorded_at=first.recorded_at,
            recorded_by=world["provider"],
        )


@pytest.mark.parametrize(
    ("field", "amount"),
    [("amount", "0"), ("amount", "-5"), ("amount", "1000000000000"), ("amount", "10.001"), ("amount", "NaN")],
)
def test_amounts_out_of_bounds_are_refused(world, field, amount):
    with pytest.raises(ValidationError) as error:
        _record(world, amount=amount)
    assert "from £0.01" in str(error.value.message_dict[field])
    assert not PartnerPayment.objects.exists()


def test_the_database_refuses_a_negative_first_record(world):
    first = _record(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        PartnerPayment.objects.filter(pk=first.pk).update(amount=Decimal("-1"))


def test_bad_periods_partners_and_dates_are_refused(world):
    start, end = _periods(world)[0]
    with pytest.raises(ValidationError, match="payment period of this contract"):
        _record(world, period_start=start - datetime.timedelta(days=40))
    with pytest.raises(ValidationError, match="payment period of this contract"):
        _record(world, period_start=start + datetime.timedelta(days=1))
    stranger = ContractVersionPartner.objects.create(
        version=world["contract"].versions.create(
            number=9,
            kind="variation",
            ground="unforeseeable",
            ends_on=end,
            payment_frequency="monthly_arrears",
            payment_days=30,
        ),
        name="Not on it",
        role="subcontractor",
        share_percent=Decimal("5"),
    )
    with pytest.raises(ValidationError, match="Select a partner on this contract"):
        _record(world, partner=stranger)
    with pytest.raises(ValidationError, match="today or in the past"):
        _record(world, paid_on=datetime.date.today() + datetime.timedelta(days=1))
    with pytest.raises(ValidationError, match="on or after the period starts"):
        _record(world, paid_on=start - datetime.timedelta(days=1))
    assert not PartnerPayment.objects.exists()


def test_the_30_day_rule_predicate_and_filter_agree_at_the_edges(world):
    period = _periods(world)[0]
    prime_paid_on = period[1] + datetime.timedelta(days=5)
    _prime_paid(world, period, paid_on=prime_paid_on)
    cases = {}
    for index, days in enumerate((-3, 30, 31)):
        partner = (
            world["partners"][0]
            if index == 0
            else ContractVersionPartner.objects.create(
                version=terms_in_force(world["contract"]),
                name=f"Partner {days}",
                role="subcontractor",
                share_percent=Decimal("1"),
            )
        )
        paid_on = min(prime_paid_on + datetime.timedelta(days=days), datetime.date.today())
        payment = _record(world, partner=partner, paid_on=paid_on)
        cases[payment.pk] = rules.partner_paid_in_time(paid_on=paid_on, prime_paid_on=prime_paid_on)
    in_time = set(
        with_prime_paid_on(PartnerPayment.objects.all())
        .filter(rules.partner_paid_in_time_q())
        .values_list("pk", flat=True)
    )
    assert {pk for pk, ok in cases.items() if ok} == in_time
    assert list(cases.values()) == [True, True, False]


def test_committed_beside_delivered_and_timeliness(world):
    contract = world["contract"]
    periods = _periods(world)
    today = datetime.date.today()
    # Period 0: prime paid 20,000; Mentors paid in time, Housing late.
    _prime_paid(world, periods[0], amount="20000", paid_on=periods[0][1] + datetime.timedelta(days=1))
    _record(world, partner=0, period=0, amount="5000", paid_on=periods[0][1] + datetime.timedelta(days=20))
    _record(world, partner=1, period=0, amount="3000", paid_on=periods[0][1] + datetime.timedelta(days=40))
    # Period 1: prime paid 20,000 long ago; Mentors not paid (overdue), Housing paid in time.
    _prime_paid(world, periods[1], amount="20000", paid_on=periods[1][1] + datetime.timedelta(days=1))
    _record(world, partner=1, period=1, amount="3000", paid_on=periods[1][1] + datetime.timedelta(days=2))
    # Period 3: prime paid yesterday: nothing due from the prime yet.
    _prime_paid(world, periods[3], amount="10000", paid_on=today - datetime.timedelta(days=1))
    chain = supply_chain(contract, today=today)
    assert chain.prime_paid == Decimal("50000")
    assert chain.partner_paid == Decimal("11000")
    assert chain.committed_percent == Decimal("40")
    assert chain.delivered_percent == Decimal("22.0")
    mentors, housing = sorted(chain.partners, key=lambda p: p.name, reverse=True)
    assert mentors.committed_percent == Decimal("25") and mentors.delivered_percent == Decimal("10.0")
    assert [p.timeliness for p in mentors.periods] == [IN_TIME, OVERDUE, NOT_YET_DUE]
    assert [p.timeliness for p in housing.periods] == [LATE, IN_TIME, NOT_YET_DUE]
    assert mentors.all_in_time is False and mentors.late == 1 and mentors.in_time == 1
    assert housing.delivered_percent == Decimal("12.0")


def test_delivered_share_is_not_known_until_the_prime_is_paid(world):
    _record(world)
    chain = supply_chain(world["contract"], today=datetime.date.today())
    assert chain.delivered_percent is None
    assert delivered_percent(Decimal("5"), Decimal("0")) is None


def test_shares_for_many_contracts_in_a_fixed_number_of_queries(world):
    periods = _periods(world)
    _prime_paid(world, periods[0], amount="20000")
    _record(world, amount="5000")
    with CaptureQueriesContext(connection) as queries:
        rows = delivered_shares()
    assert len(queries) == 5
    (row,) = rows
    assert row["committed_percent"] == Decimal("40")
    assert row["delivered_percent"] == Decimal("25.0")
    contract = with_shares(type(world["contract"]).objects.filter(pk=world["contract"].pk)).get()
    assert contract.prime_paid == Decimal("20000") and contract.partner_paid == Decimal("5000")


def _date(prefix: str, day: datetime.date) -> dict:
    return {f"{prefix}-day": day.day, f"{prefix}-month": day.month, f"{prefix}-year": day.year}


def test_a_prime_records_and_corrects_a_payment_through_the_pages(client, world):
    from django.urls import reverse

    contract = world["contract"]
    start, end = _periods(world)[0]
    client.force_login(world["provider"])
    new = reverse("contracts:partner-payment-new", args=[contract.pk])
    page = client.post(new, {"amount": "-5"}).content.decode()
    assert "Select the partner you paid" in page and "Select the period" in page
    assert "The amount must be more than £0" in page and "Enter the date you paid it" in page
    mentors = world["partners"][0]
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    page = client.post(
        new, {"partner": mentors.pk, "period": start.isoformat(), "amount": "2500", **_date("paid_on", tomorrow)}
    ).content.decode()
    assert "The date the partner was paid must be today or in the past" in page
    page = client.post(
        new,
        {
            "partner": mentors.pk,
            "period": start.isoformat(),
            "amount": "2500",
            **_date("paid_on", start - datetime.timedelta(days=1)),
        },
    ).content.decode()
    assert "on or after the period starts" in page
    assert not PartnerPayment.objects.exists()
    paid_on = end + datetime.timedelta(days=3)
    response = client.post(
        new, {"partner": mentors.pk, "period": start.isoformat(), "amount": "£2,500.50", **_date("paid_on", paid_on)}
    )
    assert response.status_code == 302
    payment = PartnerPayment.objects.get()
    assert payment.amount == Decimal("2500.50") and payment.paid_on == paid_on
    page = client.post(
        new, {"partner": mentors.pk, "period": start.isoformat(), "amount": "1", **_date("paid_on", paid_on)}
    ).content.decode()
    assert "already recorded" in page
    correct = reverse("contracts:partner-payment-correct", args=[contract.pk, payment.pk])
    assert client.post(correct, {"amount": "-0.50", "note": "Rounding", **_date("paid_on", paid_on)}).status_code == 302
    page = client.get(reverse("contracts:supply-chain", args=[contract.pk])).content.decode()
    assert "£2,500.00" in page and "(correction)" in page
    # The commissioners see the same on the contract page.
    client.force_login(world["first"])
    page = client.get(reverse("contracts:detail", args=[contract.pk])).content.decode()
    assert "committed and delivered" in page and "Medway Mentors" in page and "25%" in page
    assert client.get(new).status_code == 404
    assert client.get(correct).status_code == 404


def test_the_contract_page_costs_the_same_queries_with_more_payments(client, world):
    from django.urls import reverse

    contract = world["contract"]
    client.force_login(world["first"])
    url = reverse("contracts:detail", args=[contract.pk])
    _record(world)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    periods = _periods(world)
    for index in range(1, 4):
        _prime_paid(world, periods[index])
        _record(world, period=index)
        _record(world, partner=1, period=index)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_a_partner_added_later_is_not_owed_for_periods_before_it_joined(world):
    contract = world["contract"]
    periods = _periods(world)
    _prime_paid(world, periods[0], amount="20000", paid_on=periods[0][1] + datetime.timedelta(days=1))
    _prime_paid(world, periods[2], amount="20000", paid_on=periods[2][1] + datetime.timedelta(days=1))
    version = services.variation_start(
        contract=contract, ground="unforeseeable", explanation="A new partner.", actor=world["first"]
    )
    ContractVersionPartner.objects.create(
        version=version, name="Late Joiner", role="subcontractor", share_percent=Decimal("5")
    )
    services.variation_propose(version=version, actor=world["first"])
    services.variation_approve(version=version, actor=world["second"])
    services.variation_accept(version=version, actor=world["provider"])
    type(version).objects.filter(pk=version.pk).update(
        accepted_at=datetime.datetime.combine(periods[1][0], datetime.time(12), tzinfo=datetime.UTC)
    )
    chain = supply_chain(contract, today=datetime.date.today())
    joiner = next(p for p in chain.partners if p.name == "Late Joiner")
    assert [p.period_start for p in joiner.periods] == [periods[2][0]]
    assert [p.timeliness for p in joiner.periods] == [OVERDUE]


def test_a_variation_that_takes_every_partner_away_commits_nothing(world):
    contract = world["contract"]
    version = services.variation_start(
        contract=contract, ground="unforeseeable", explanation="The partners left.", actor=world["first"]
    )
    version.partners.all().delete()
    services.variation_propose(version=version, actor=world["first"])
    services.variation_approve(version=version, actor=world["second"])
    services.variation_accept(version=version, actor=world["provider"])
    (row,) = delivered_shares()
    assert row["committed_percent"] == 0
    assert with_shares(type(contract).objects.filter(pk=contract.pk)).get().committed_share == 0
    more = live_contract_world()  # a second contract: still five queries
    add_partners(more["contract"])
    with CaptureQueriesContext(connection) as queries:
        rows = delivered_shares()
    assert len(queries) == 5 and len(rows) == 2
