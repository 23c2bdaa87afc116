"""Claims across contracts: the commissioner's claims waiting and late (for their organisation's
contracts only), the provider's "what you are owed and when"; late by the contract's payment
terms or the 30-day rule, whichever comes first; paginated; a fixed number of queries."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from contracts import services, views_claims
from contracts.models import ContractVersion, PaymentClaim
from contracts.selectors import claim_is_late, claim_pay_by, claimable_periods, commissioner_claims, terms_in_force
from contracts.tests.payments_world import live_contract_world
from tests.factories import make_provider_user, make_user_with_role

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture
def world():
    return live_contract_world()


def _claim(world, *, index: int = 0, sent_days_ago: int = 0, amount: str = "1000") -> PaymentClaim:
    contract = world["contract"]
    start = claimable_periods(contract, terms_in_force(contract), today=datetime.date.today())[index][0]
    claim = services.claim_send(
        contract=contract, period_start=start, quantity=None, amount=Decimal(amount), note="", actor=world["provider"]
    )
    if sent_days_ago:
        PaymentClaim.objects.filter(pk=claim.pk).update(sent_at=timezone.now() - sent_days_ago * DAY)
        claim.refresh_from_db()
    return claim


def test_late_is_the_terms_due_day_or_the_30_day_rule_whichever_comes_first(world):
    claim = _claim(world, sent_days_ago=35)
    terms = terms_in_force(world["contract"])
    sent_on = timezone.localdate(claim.sent_at)
    ContractVersion.objects.filter(pk=terms.pk).update(payment_days=60)
    terms.refresh_from_db()
    assert claim_pay_by(claim, terms) == sent_on + 30 * DAY
    assert claim_is_late(claim, terms, today=datetime.date.today())
    ContractVersion.objects.filter(pk=terms.pk).update(payment_days=10)
    terms.refresh_from_db()
    assert claim_pay_by(claim, terms) == sent_on + 10 * DAY
    assert not claim_is_late(claim, terms, today=sent_on + 10 * DAY)
    assert claim_is_late(claim, terms, today=sent_on + 11 * DAY)
    services.claim_query(claim=claim, reason="Wrong.", actor=world["first"])
    claim.refresh_from_db()
    assert not claim_is_late(claim, terms, today=sent_on + 100 * DAY)  # a queried claim was not valid


def test_the_commissioner_sees_claims_waiting_and_late_with_links(client, world):
    waiting = _claim(world, index=0)
    late = _claim(world, index=1, sent_days_ago=40)
    services.claim_approve(claim=late, actor=world["first"])
    paid = _claim(world, index=2, sent_days_ago=5)
    services.claim_approve(claim=paid, actor=world["first"])
    services.claim_record_payment(claim=paid, paid_on=datetime.date.today(), actor=world["first"])

    client.force_login(world["first"])
    page = client.get(reverse("contracts:claims-to-decide")).content.decode()
    assert "Waiting for you (1)" in page and "Late (1)" in page
    assert reverse("contracts:claim", args=[world["contract"].pk, waiting.pk]) in page
    assert reverse("contracts:claim", args=[world["contract"].pk, late.pk]) not in page

    page = client.get(reverse("contracts:claims-to-decide") + "?show=late").content.decode()
    assert reverse("contracts:claim", args=[world["contract"].pk, late.pk]) in page
    assert "Approved, waiting for payment" in page and "Late</strong>" in page
    assert reverse("contracts:claim", args=[world["contract"].pk, paid.pk]) not in page
    assert client.get(reverse("contracts:claims-to-decide") + "?show=everything").status_code == 404

    # The dashboard links here.
    assert reverse("contracts:claims-to-decide") in client.get(reverse("competitions:manage")).content.decode()


def test_only_the_commissioners_own_organisations_contracts(client, world):
    _claim(world)
    # A commissioner for region K (the opportunity's owner area), not on its team, sees them too.
    same_area = make_user_with_role(Role.COMMISSIONER)
    assert len(commissioner_claims(same_area, today=datetime.date.today())["waiting"]) == 1
    elsewhere = make_user_with_role(Role.COMMISSIONER, area_code="D")
    assert commissioner_claims(elsewhere, today=datetime.date.today())["waiting"] == []
    client.force_login(elsewhere)
    assert "Waiting for you (0)" in client.get(reverse("contracts:claims-to-decide")).content.decode()
    for refused in (world["provider"], make_user_with_role(Role.ASSESSOR)):
        client.force_login(refused)
        assert client.get(reverse("contracts:claims-to-decide")).status_code == 403


def test_the_provider_sees_what_it_is_owed_and_when(client, world):
    approved = _claim(world, index=0, amount="1500.50", sent_days_ago=3)
    services.claim_approve(claim=approved, actor=world["first"])
    waiting = _claim(world, index=1, amount="700", sent_days_ago=45)
    client.force_login(world["provider"])
    page = client.get(reverse("contracts:owed")).content.decode()
    assert "£1,500.50" in page and "£700.00" in page
    assert reverse("contracts:claim", args=[world["contract"].pk, approved.pk]) in page
    assert reverse("contracts:claim", args=[world["contract"].pk, waiting.pk]) in page
    terms = terms_in_force(world["contract"])
    pay_by = claim_pay_by(approved, terms)
    assert f"{pay_by.day} {pay_by:%B %Y}" in page
    assert "Late</strong>" in page  # the claim sent 45 days ago
    assert reverse("contracts:owed") in client.get(reverse("contracts:register")).content.decode()
    # Another organisation sees nothing of it; staff are refused.
    client.force_login(make_provider_user())
    assert reverse("contracts:claim", args=[world["contract"].pk, approved.pk]) not in (
        client.get(reverse("contracts:owed")).content.decode()
    )
    client.force_login(world["first"])
    assert client.get(reverse("contracts:owed")).status_code == 403


def test_pages_of_claims(client, world, monkeypatch):
    monkeypatch.setattr(views_claims, "PER_PAGE", 2)
    for index in range(3):
        _claim(world, index=index)
    client.force_login(world["first"])
    first = client.get(reverse("contracts:claims-to-decide")).content.decode()
    assert "?show=waiting&amp;page=2" in first
    assert client.get(reverse("contracts:claims-to-decide") + "?page=2").status_code == 200
    assert client.get(reverse("contracts:claims-to-decide") + "?page=3").status_code == 404
    client.force_login(world["provider"])
    assert client.get(reverse("contracts:owed") + "?page=2").status_code == 200
    assert client.get(reverse("contracts:owed") + "?page=x").status_code == 404


def _queries(client, user, url) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def test_queries_do_not_grow_with_contracts_and_claims(client, world):
    _claim(world)
    commissioner = make_user_with_role(Role.COMMISSIONER)
    waiting = _queries(client, commissioner, reverse("contracts:claims-to-decide"))
    owed = _queries(client, world["provider"], reverse("contracts:owed"))
    for index in (1, 2):
        _claim(world, index=index, sent_days_ago=40)
    other = live_contract_world()
    _claim(other)
    _claim(other, index=1)
    assert _queries(client, commissioner, reverse("contracts:claims-to-decide")) == waiting
    assert _queries(client, world["provider"], reverse("contracts:owed")) == owed


def test_payment_times_count_days_from_the_london_day_sent_as_days_to_pay_does(world):
    """The public figures count days in the database's rows without making claims (for speed):
    the same days as `days_to_pay`, at the edges of the London day in summer and winter."""
    from contracts.selectors import _paid_claim_days, days_to_pay

    sent = [
        datetime.datetime(2026, 7, 1, 22, 59, tzinfo=datetime.UTC),  # 23:59 in London, 1 July
        datetime.datetime(2026, 7, 1, 23, 0, tzinfo=datetime.UTC),  # midnight in London: 2 July
        datetime.datetime(2026, 1, 5, 23, 59, tzinfo=datetime.UTC),  # winter: 5 January
        datetime.datetime(2026, 3, 29, 0, 30, tzinfo=datetime.UTC),  # the clocks go forward that night
    ]
    claims = []
    for moment in sent:
        claim = _claim(world)
        PaymentClaim.objects.filter(pk=claim.pk).update(
            sent_at=moment, approved_at=moment, paid_on=moment.date() + 10 * DAY
        )
        claim.refresh_from_db()
        claims.append(claim)
    expected = sorted(days_to_pay(claim) for claim in claims)
    assert expected == [9, 10, 10, 10]
    assert _paid_claim_days("contract_id") == {(world["contract"].pk,): expected}


def test_claim_rules_agree_in_python_and_sql_at_every_step(world):
    """Waiting, payable, outstanding: the PaymentClaim predicates and the lists ask the same rules."""
    from contracts import rules

    claim_rules = [rules.CLAIM_WAITING, rules.CLAIM_PAYABLE, rules.CLAIM_OUTSTANDING]

    def agree(claim: PaymentClaim) -> tuple[bool, ...]:
        claim.refresh_from_db()
        for rule in claim_rules:
            assert rule.holds(claim) == PaymentClaim.objects.filter(rule.q(), pk=claim.pk).exists(), rule
        assert claim.is_waiting == rules.CLAIM_WAITING.holds(claim)
        assert claim.is_payable == rules.CLAIM_PAYABLE.holds(claim)
        return tuple(rule.holds(claim) for rule in claim_rules)

    queried = _claim(world)
    assert agree(queried) == (True, False, True)
    services.claim_query(claim=queried, reason="Wrong.", actor=world["first"])
    assert agree(queried) == (False, False, False)
    claim = _claim(world)
    services.claim_approve(claim=claim, actor=world["first"])
    assert agree(claim) == (False, True, True)
    services.claim_record_payment(claim=claim, paid_on=datetime.date.today(), actor=world["first"])
    assert agree(claim) == (False, False, False)
