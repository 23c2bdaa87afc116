"""Payment claims: one per period the terms set, sent once the period has ended, approved or
queried and sent again, paid; days to pay against the terms and the 30-day rule; the public page
and API withhold small numbers."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from contracts import services
from contracts.models import PaymentClaim
from contracts.selectors import (
    claim_due_on,
    claimable_periods,
    contract_claims,
    payment_periods,
    payment_times,
    terms_in_force,
)
from contracts.tests.payments_world import first_of_month_months_ago, live_contract_world
from tests.fixtures import ALL_ROLES

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return live_contract_world()


def _send(world, period_start=None, amount="10000", **more):
    contract = world["contract"]
    period_start = (
        period_start or claimable_periods(contract, terms_in_force(contract), today=datetime.date.today())[0][0]
    )
    return services.claim_send(
        contract=contract,
        period_start=period_start,
        quantity=None,
        amount=Decimal(amount),
        note="Delivered as planned.",
        actor=world["provider"],
        **more,
    )


def test_monthly_periods_from_the_start(world):
    contract = world["contract"]
    terms = terms_in_force(contract)
    periods = payment_periods(contract, terms)
    assert periods[0] == (contract.starts_on, first_of_month_months_ago(4) - datetime.timedelta(days=1))
    assert periods[-1][1] == terms.ends_on
    claimable = claimable_periods(contract, terms, today=datetime.date.today())
    assert len(claimable) == 5  # five whole months have ended; this month has not


def test_quarterly_periods_line_up_with_the_financial_year(world):
    contract = world["contract"]
    terms = terms_in_force(contract)
    type(terms).objects.filter(pk=terms.pk).update(payment_frequency="quarterly_arrears")
    terms.refresh_from_db()
    starts = [start for start, _end in payment_periods(contract, terms)]
    assert all(s.month in (1, 4, 7, 10) for s in starts[1:])


def test_claim_sent_queried_sent_again_approved_paid(world):
    claim = _send(world)
    with pytest.raises(ValidationError, match="no claim waiting"):
        _send(world, period_start=claim.period_start)
    claim = services.claim_query(claim=claim, reason="The amount is for two months.", actor=world["first"])
    again = services.claim_send(
        contract=world["contract"],
        period_start=None,
        quantity=None,
        amount=Decimal("5000"),
        note="One month only.",
        actor=world["provider"],
        replaces=claim,
    )
    assert again.period_start == claim.period_start
    with pytest.raises(ValidationError, match="only once"):
        services.claim_send(
            contract=world["contract"],
            period_start=None,
            quantity=None,
            amount=Decimal(1),
            note="",
            actor=world["provider"],
            replaces=claim,
        )
    services.claim_approve(claim=again, actor=world["first"])
    today = datetime.date.today()
    with pytest.raises(ValidationError, match="today or in the past"):
        services.claim_record_payment(claim=again, paid_on=today + datetime.timedelta(days=1), actor=world["first"])
    services.claim_record_payment(claim=again, paid_on=today, actor=world["first"])
    [queried, paid] = contract_claims(world["contract"], today=today)
    assert queried["status"] == "Queried" and queried["due_on"] is None
    assert paid["status"] == "Paid" and paid["days"] == 0 and not paid["late"]


def test_two_claims_for_one_period_refused_by_the_database(world):
    claim = _send(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentClaim.objects.create(
            contract=claim.contract,
            period_start=claim.period_start,
            period_end=claim.period_end,
            amount=Decimal(1),
            sent_at=claim.sent_at,
            sent_by=claim.sent_by,
        )


def test_bad_claims_refused(world):
    contract = world["contract"]
    future = payment_periods(contract, terms_in_force(contract))[-1][0]
    with pytest.raises(ValidationError, match="has ended"):
        _send(world, period_start=future)
    with pytest.raises(ValidationError, match="fixed fee"):
        services.claim_send(
            contract=contract,
            period_start=claimable_periods(contract, terms_in_force(contract), today=datetime.date.today())[0][0],
            quantity=3,
            amount=Decimal(1),
            note="",
            actor=world["provider"],
        )
    with pytest.raises(ValidationError, match="past the year's contract value"):
        _send(world, amount="500000")
    claim = _send(world, amount="500000", over_value_reason="Extra people were referred in the summer.")
    assert claim.over_value_reason
    assert PaymentClaim.objects.count() == 1


def test_approve_and_query_only_while_waiting(world):
    claim = services.claim_approve(claim=_send(world), actor=world["first"])
    with pytest.raises(ValidationError, match="not waiting"):
        services.claim_query(claim=claim, reason="Too late", actor=world["first"])
    with pytest.raises(ValidationError, match="not waiting"):
        services.claim_approve(claim=claim, actor=world["second"])


def test_due_date_in_working_days(world):
    claim = _send(world)
    terms = terms_in_force(world["contract"])
    # Thirty working days always reach past thirty calendar days (weekends and bank holidays).
    calendar_due = claim_due_on(claim, terms)
    type(terms).objects.filter(pk=terms.pk).update(payment_working_days=True)
    terms.refresh_from_db()
    assert claim_due_on(claim, terms) > calendar_due


def _paid_claims(world, count: int, days: list[int]):
    """`count` claims paid `days` after sending (written directly: the timing is the point)."""
    contract = world["contract"]
    base = datetime.datetime(2026, 1, 5, 10, tzinfo=datetime.UTC)
    for index in range(count):
        start = datetime.date(2025, 1 + index % 12, 1) + datetime.timedelta(days=0)
        PaymentClaim.objects.create(
            contract=contract,
            period_start=start.replace(year=2020 + index // 12),
            period_end=start.replace(year=2020 + index // 12) + datetime.timedelta(days=27),
            amount=Decimal(100),
            sent_at=base,
            sent_by=world["provider"],
            approved_at=base,
            approved_by=world["first"],
            paid_on=base.date() + datetime.timedelta(days=days[index % len(days)]),
        )


def test_payment_times_withhold_small_numbers(world, client):
    _paid_claims(world, 4, [10])
    [row] = payment_times()
    assert row["suppressed"] and row["claims_paid"] is None and row["median_days"] is None
    page = client.get(reverse("contracts:payment-times")).content.decode()
    assert "Fewer than 5 claims paid" in page
    api = client.get("/api/v1/contracts/payment-times").json()
    assert api == [
        {
            "commissioner": row["commissioner"],
            "claims_paid": None,
            "within_30_days_percent": None,
            "median_days": None,
            "suppressed": True,
        }
    ]


def test_payment_times_share_and_median(world, client):
    _paid_claims(world, 6, [10, 20, 40])
    [row] = payment_times()
    assert row["claims_paid"] == 6 and row["within_30_days_percent"] == Decimal("66.7") and row["median_days"] == 20
    page = client.get(reverse("contracts:payment-times")).content.decode()
    assert "66.7%" in page and "How quickly commissioners pay" in page
    assert client.get("/api/v1/contracts/payment-times").json()[0]["claims_paid"] == 6


@pytest.mark.parametrize("role", ALL_ROLES)
def test_every_role_on_every_payments_page(client_for_role, world, role):
    claim = _send(world)
    contract = world["contract"]
    client, _ = client_for_role(role)
    urls = {
        "payments": reverse("contracts:payments", args=[contract.pk]),
        "new": reverse("contracts:claim-new", args=[contract.pk]),
        "claim": reverse("contracts:claim", args=[contract.pk, claim.pk]),
        "query": reverse("contracts:claim-query", args=[contract.pk, claim.pk]),
        "resend": reverse("contracts:claim-resend", args=[contract.pk, claim.pk]),
        "paid": reverse("contracts:claim-paid", args=[contract.pk, claim.pk]),
    }
    codes = {name: client.get(url).status_code for name, url in urls.items()}
    approve = client.post(reverse("contracts:claim-approve", args=[contract.pk, claim.pk])).status_code
    assert client.get(reverse("contracts:payment-times")).status_code == 200
    if role == "anonymous":
        assert set(codes.values()) == {302} and approve == 302
    elif role in {"assessor", "commissioner", "evaluator", "practitioner", "administrator"}:
        assert codes["payments"] == codes["claim"] == 200
        # Not this opportunity's commissioners nor the provider: "not found", as for no claim.
        assert {codes[n] for n in ("new", "query", "resend", "paid")} == {404} and approve == 404
    else:
        assert set(codes.values()) == {404} and approve == 404
    assert PaymentClaim.objects.get(pk=claim.pk).approved_at is None


def test_a_claim_through_the_pages(client, world):
    contract = world["contract"]
    client.force_login(world["provider"])
    new = reverse("contracts:claim-new", args=[contract.pk])
    page = client.post(new, {"amount": "-5"}).content.decode()
    assert "Select the period" in page and "The amount must be £0 or more" in page
    first = claimable_periods(contract, terms_in_force(contract), today=datetime.date.today())[0][0]
    assert client.post(new, {"period": first.isoformat(), "amount": "£10,000.50", "note": "July"}).status_code == 302
    claim = PaymentClaim.objects.get()
    assert claim.amount == Decimal("10000.50")
    client.force_login(world["first"])
    assert (
        "Say what is wrong"
        in client.post(reverse("contracts:claim-query", args=[contract.pk, claim.pk]), {"reason": ""}).content.decode()
    )
    client.post(reverse("contracts:claim-query", args=[contract.pk, claim.pk]), {"reason": "Wrong month."})
    client.force_login(world["provider"])
    resend = reverse("contracts:claim-resend", args=[contract.pk, claim.pk])
    assert "Wrong month." in client.get(resend).content.decode()
    assert client.post(resend, {"amount": "9000", "note": "Fixed"}).status_code == 302
    again = PaymentClaim.objects.get(replaces=claim)
    client.force_login(world["first"])
    client.post(reverse("contracts:claim-approve", args=[contract.pk, again.pk]))
    paid = reverse("contracts:claim-paid", args=[contract.pk, again.pk])
    page = client.post(paid, {"paid_on-day": "1", "paid_on-month": "1", "paid_on-year": "2020"}).content.decode()
    assert "on or after the day the claim was sent" in page
    today = datetime.date.today()
    client.post(paid, {"paid_on-day": today.day, "paid_on-month": today.month, "paid_on-year": today.year})
    page = client.get(reverse("contracts:payments", args=[contract.pk])).content.decode()
    assert "Paid (0 days)" in page and "Queried" in page


def test_funding_partners_see_their_share_of_payments(world, client):
    from contracts.models import ContractFunding

    contract = world["contract"]
    ContractFunding.objects.create(contract=contract, name="Kent PCC", party_type="pcc", share_percent=Decimal("25"))
    paid = services.claim_approve(claim=_send(world, amount="1000"), actor=world["first"])
    services.claim_record_payment(claim=paid, paid_on=datetime.date.today(), actor=world["first"])
    second = claimable_periods(contract, terms_in_force(contract), today=datetime.date.today())[0][0]
    services.claim_approve(claim=_send(world, period_start=second, amount="400.04"), actor=world["first"])
    client.force_login(world["provider"])
    page = client.get(reverse("contracts:payments", args=[contract.pk])).content.decode()
    assert "Kent PCC" in page and "£250.00" in page and "£100.01" in page
    # Once, in the page's content: not in its <title> or above the back link as well.
    assert page.count("Funding partners' shares of payments") == 1
    assert re.search(r"<title>\s*Payments\b[^<]*</title>", page)


def test_payment_times_query_count_does_not_grow_with_contracts(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _paid_claims(world, 6, [10])
    with CaptureQueriesContext(connection) as one:
        payment_times()
    other = live_contract_world()
    _paid_claims(other, 6, [40])
    with CaptureQueriesContext(connection) as two:
        rows = payment_times()
    assert len(one.captured_queries) == len(two.captured_queries) == 1
    assert sum(row["claims_paid"] for row in rows) == 12


def test_corrections_are_new_claims_never_edits(world, client):
    claim = _send(world, amount="1000")
    with pytest.raises(ValidationError, match="Only an approved claim"):
        services.claim_correct(claim=claim, amount=Decimal("-100"), note="Less.", actor=world["provider"])
    claim = services.claim_approve(claim=claim, actor=world["first"])
    with pytest.raises(ValidationError, match="below £0"):
        services.claim_correct(claim=claim, amount=Decimal("-1000.01"), note="Too much.", actor=world["provider"])
    with pytest.raises(ValidationError, match="other than £0"):
        services.claim_correct(claim=claim, amount=Decimal("0"), note="Nothing.", actor=world["provider"])
    correction = services.claim_correct(
        claim=claim, amount=Decimal("-250"), note="Two sessions cancelled.", actor=world["provider"]
    )
    claim.refresh_from_db()
    assert claim.amount == Decimal("1000") and correction.period_start == claim.period_start
    # The period stays taken by the approved claim, and a negative claim without `corrects` is refused.
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentClaim.objects.filter(pk=claim.pk).update(amount=Decimal("-1"))
    correction = services.claim_query(claim=correction, reason="Which sessions?", actor=world["first"])
    again = services.claim_correct(
        claim=claim, amount=Decimal("-125"), note="One session.", actor=world["provider"], replaces=correction
    )
    services.claim_approve(claim=again, actor=world["first"])
    client.force_login(world["provider"])
    page = client.get(reverse("contracts:claim", args=[claim.contract_id, claim.pk])).content.decode()
    assert "-£125.00" in page and "Corrections" in page
    assert payment_times() == []  # nothing paid yet


def test_correction_pages(world, client):
    claim = services.claim_approve(claim=_send(world, amount="1000"), actor=world["first"])
    url = reverse("contracts:claim-correct", args=[claim.contract_id, claim.pk])
    client.force_login(world["first"])
    assert client.get(url).status_code == 404
    client.force_login(world["provider"])
    page = client.post(url, {"amount": "-2000", "note": "Too much."}).content.decode()
    assert "below £0" in page
    assert client.post(url, {"amount": "-£200", "note": "Two sessions cancelled."}).status_code == 302
    correction = PaymentClaim.objects.get(corrects=claim)
    client.force_login(world["first"])
    client.post(reverse("contracts:claim-query", args=[claim.contract_id, correction.pk]), {"reason": "Which ones?"})
    client.force_login(world["provider"])
    resend = reverse("contracts:claim-resend", args=[claim.contract_id, correction.pk])
    assert "Which ones?" in client.get(resend).content.decode()
    assert client.post(resend, {"amount": "-100", "note": "One session."}).status_code == 302
    assert PaymentClaim.objects.get(replaces=correction).amount == Decimal("-100")


def test_payment_times_by_contract_and_csv(world, client):
    import csv
    import io

    _paid_claims(world, 6, [10, 20, 40])
    contract = world["contract"]
    [row] = client.get("/api/v1/contracts/payment-times/by-contract").json()
    assert row["contract_id"] == contract.pk and row["claims_paid"] == 6 and row["median_days"] == "20.0"
    response = client.get(reverse("contracts:payment-times-csv"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][0] == "Commissioner" and len(rows) == 3
    assert rows[2][1] == str(contract.pk) and rows[2][3:] == ["6", "66.7", "20.0"]
    PaymentClaim.objects.filter(pk__in=PaymentClaim.objects.values("pk")[:2]).update(
        queried_at=None, paid_on=None, approved_at=None, approved_by=None
    )
    rows = list(csv.reader(io.StringIO(client.get(reverse("contracts:payment-times-csv")).content.decode())))
    assert rows[1][3:] == ["fewer than 5", "", ""]
