"""A contract's life after award in OCDS: each change accepted is an amendment with its rationale,
each payment a transaction between the buyer and the provider (organisations only), and a
termination or an extension shows in the contract's status and period. Valid OCDS, and the record
costs the same number of queries however many changes and payments a contract has."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from contracts import services
from contracts.models import Contract, ContractVersion, PaymentClaim, VariationGround
from contracts.selectors import claimable_periods, terms_in_force
from contracts.tests.payments_world import live_contract_world
from core.clock import financial_year_of
from opendata.tests.test_ocds import ocid, record, validate
from tests.clock import database_clock_at

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture
def world():
    return live_contract_world()


def _extend(world, years: int = 1) -> ContractVersion:
    contract = world["contract"]
    Contract.objects.filter(pk=contract.pk).update(extension_years=years)
    contract.refresh_from_db()
    version = services.extension_propose(
        contract=contract, years=years, explanation="Good results so far.", actor=world["first"]
    )
    services.variation_approve(version=version, actor=world["second"])
    return services.variation_accept(version=version, actor=world["provider"])


def _vary_value(world, value: str) -> ContractVersion:
    contract = world["contract"]
    version = services.variation_start(
        contract=contract,
        ground=VariationGround.UNFORESEEABLE,
        explanation="More people were referred than modelled.",
        actor=world["first"],
    )
    this_year = financial_year_of(datetime.date.today())
    years = {
        y.financial_year: (Decimal(value) if y.financial_year == this_year else y.value, y.volume)
        for y in version.years.all()
    }
    version = services.variation_change(version=version, actor=world["first"], years=years)
    services.variation_propose(version=version, actor=world["first"])
    services.variation_approve(version=version, actor=world["second"])
    return services.variation_accept(version=version, actor=world["provider"])


def _pay(world, amount: str, *, paid_days_after: int = 10) -> PaymentClaim:
    contract = world["contract"]
    start = claimable_periods(contract, terms_in_force(contract), today=datetime.date.today())[0][0]
    claim = services.claim_send(
        contract=contract,
        period_start=start,
        quantity=None,
        amount=Decimal(amount),
        note="Delivered as planned.",
        actor=world["provider"],
    )
    services.claim_approve(claim=claim, actor=world["first"])
    # Sent a while ago, so that it can be paid on a past day.
    sent = timezone.now() - 20 * DAY
    PaymentClaim.objects.filter(pk=claim.pk).update(sent_at=sent)
    claim.refresh_from_db()
    paid_on = min(sent.date() + paid_days_after * DAY, datetime.date.today())
    return services.claim_record_payment(claim=claim, paid_on=paid_on, actor=world["first"])


def _compiled_contract(client, world) -> tuple[dict, dict]:
    package = record(client, ocid(world["contract"].lot.competition))
    [entry] = package["records"]
    compiled = entry["compiledRelease"]
    [contract] = [c for c in compiled["contracts"] if c["id"] == f"contract-{world['contract'].pk}"]
    return entry, contract


def test_changes_payments_and_a_termination_in_the_record_are_valid_ocds(client, world, tmp_path):
    _extend(world)
    _vary_value(world, "150000")
    first = _pay(world, "10000.25")
    second = _pay(world, "9000")
    contract = world["contract"]
    today = datetime.date.today()
    services.contract_terminate(
        contract=contract,
        reason="mutual",
        explanation="Both sides agreed.",
        notice_on=today,
        terminates_on=today + 60 * DAY,
        actor=world["first"],
    )

    package = record(client, ocid(contract.lot.competition))
    validate(tmp_path, package, "record.json")
    [entry] = package["records"]
    tags = [release["tag"] for release in entry["releases"]]
    assert tags.count(["contractAmendment"]) == 2
    assert ["implementation"] in tags and ["implementationUpdate"] in tags
    assert ["contractUpdate"] in tags  # the termination recorded
    assert ["contractTermination"] not in tags  # its last day is still to come
    # A release of payments alone holds those payments and the parties they name, not a snapshot.
    payments = next(r for r in entry["releases"] if r["tag"] == ["implementationUpdate"])
    assert "tender" not in payments and "awards" not in payments
    [paid_contract] = payments["contracts"]
    assert [t["id"] for t in paid_contract["implementation"]["transactions"]] == [f"payment-{second.pk}"]
    assert {p["id"] for p in payments["parties"]} == {"GB-GOR-D18", paid_contract_supplier(entry)}

    compiled = entry["compiledRelease"]
    [ocds_contract] = compiled["contracts"]
    extension, variation = ocds_contract["amendments"]
    assert extension["rationale"].startswith("Provided for in the contract")
    assert "Good results so far." in extension["rationale"]
    assert "An option to extend used: 1 year added" in extension["description"]
    assert variation["rationale"] == (
        "Circumstances nobody could have foreseen. More people were referred than modelled."
    )
    assert "Total value changed" in variation["description"]
    # Each payment: when it was paid, how much, from the buyer to the provider.
    transactions = {t["id"]: t for t in ocds_contract["implementation"]["transactions"]}
    assert set(transactions) == {f"payment-{first.pk}", f"payment-{second.pk}"}
    paid = transactions[f"payment-{first.pk}"]
    assert paid["value"] == {"amount": Decimal("10000.25"), "currency": "GBP"}
    assert paid["date"].startswith(first.paid_on.isoformat())
    assert paid["payer"]["id"] == "GB-GOR-D18"
    supplier = next(p for p in compiled["parties"] if "supplier" in p["roles"])
    assert paid["payee"] == {"id": supplier["id"], "name": supplier["name"]}
    assert "payee" in supplier["roles"]
    assert "payer" in next(p for p in compiled["parties"] if p["id"] == "GB-GOR-D18")["roles"]
    # Terminated early: still active until its last day, which is now the period's end.
    assert ocds_contract["status"] == "active"
    assert ocds_contract["period"]["endDate"].startswith((today + 60 * DAY).isoformat())
    assert ocds_contract["period"]["maxExtentDate"] == ocds_contract["period"]["endDate"]
    # The value is the terms in force, not the terms as made.
    assert ocds_contract["value"]["amount"] == sum(y.value for y in terms_in_force(contract).years.all())
    # No person: not the commissioners, the provider's staff, nor who recorded anything.
    text = str(package)
    for person in User.objects.all():
        assert person.email not in text
        assert person.full_name not in text


def test_an_extension_moves_the_end_date_and_each_release_shows_its_own_terms(client, world):
    contract = world["contract"]
    as_made = terms_in_force(contract).ends_on
    _extend(world)
    entry, ocds_contract = _compiled_contract(client, world)
    extended = terms_in_force(contract).ends_on
    assert extended > as_made
    assert ocds_contract["period"]["endDate"].startswith(extended.isoformat())
    assert ocds_contract["period"]["maxExtentDate"].startswith(extended.isoformat())
    contract_release = next(r for r in entry["releases"] if r["tag"] == ["contract"])
    assert contract_release["contracts"][0]["period"]["endDate"].startswith(as_made.isoformat())
    assert "amendments" not in contract_release["contracts"][0]


def test_a_contract_past_its_last_day_is_terminated(client, world, tmp_path, monkeypatch):
    contract = world["contract"]
    today = datetime.date.today()
    services.contract_terminate(
        contract=contract,
        reason="provider_failure",
        explanation="The service was not delivered.",
        notice_on=today,
        terminates_on=today + 2 * DAY,
        actor=world["first"],
    )
    # Ten days later, by the database clock.
    database_clock_at(monkeypatch, timezone.now() + 10 * DAY)
    package = record(client, ocid(contract.lot.competition))
    validate(tmp_path, package, "record.json")
    [entry] = package["records"]
    termination = next(r for r in entry["releases"] if r["tag"] == ["contractTermination"])
    assert termination["date"].startswith((today + 3 * DAY).isoformat())
    [ocds_contract] = entry["compiledRelease"]["contracts"]
    assert ocds_contract["status"] == "terminated"
    assert ocds_contract["period"]["endDate"].startswith((today + 2 * DAY).isoformat())
    update = next(r for r in entry["releases"] if r["tag"] == ["contractUpdate"])
    assert update["contracts"][0]["status"] == "active"


def test_a_negative_correction_is_money_paid_back_by_the_provider(client, world, tmp_path):
    claim = _pay(world, "10000")
    correction = services.claim_correct(claim=claim, amount=Decimal("-500"), note="Overpaid.", actor=world["provider"])
    services.claim_approve(claim=correction, actor=world["first"])
    services.claim_record_payment(claim=correction, paid_on=datetime.date.today(), actor=world["first"])
    package = record(client, ocid(world["contract"].lot.competition))
    validate(tmp_path, package, "record.json")
    _entry, ocds_contract = _compiled_contract(client, world)
    back = next(t for t in ocds_contract["implementation"]["transactions"] if t["id"] == f"payment-{correction.pk}")
    assert back["value"]["amount"] == Decimal("500.00")
    assert back["payee"]["id"] == "GB-GOR-D18"


def test_queried_and_unpaid_claims_are_not_published(client, world):
    contract = world["contract"]
    start = claimable_periods(contract, terms_in_force(contract), today=datetime.date.today())[0][0]
    claim = services.claim_send(
        contract=contract, period_start=start, quantity=None, amount=Decimal("100"), note="", actor=world["provider"]
    )
    services.claim_query(claim=claim, reason="Wrong figure.", actor=world["first"])
    _entry, ocds_contract = _compiled_contract(client, world)
    assert "implementation" not in ocds_contract


def paid_contract_supplier(entry: dict) -> str:
    return next(p["id"] for p in entry["compiledRelease"]["parties"] if "supplier" in p["roles"])


def _record_queries(client, world) -> int:
    url = f"/api/v1/ocds/records/{ocid(world['contract'].lot.competition)}"
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def test_record_and_release_queries_do_not_grow_with_changes_and_payments(client, world):
    _pay(world, "100")
    one = _record_queries(client, world)
    pages_one = _page_queries(client)
    _extend(world)
    _vary_value(world, "150000")
    for _ in range(3):
        _pay(world, "100")
    other = live_contract_world()  # a second contract, with payments of its own
    _pay(other, "100")
    _pay(other, "200")
    assert _record_queries(client, world) == one
    assert _page_queries(client) == pages_one


def _page_queries(client) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get("/api/v1/ocds/releases").status_code == 200
    return len(context.captured_queries)
