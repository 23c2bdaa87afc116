"""The national world's contracts after award: variations, extensions and terminations recorded as
the contracts services record them, and a claim for every period ended, paid on time or late."""

from __future__ import annotations

import datetime

import pytest
from django.db.models import Count, F

from contracts import rules
from contracts.models import Contract, ContractVersion, PaymentClaim, VersionKind
from contracts.selectors import claim_is_late, payment_periods, terms_at, terms_in_force
from demo.national import _london, first_financial_year, generate_national_data
from demo.national_contracts import CLAIM_SENT_WITHIN_DAYS

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 25)
NOW = _london(TODAY, 12)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """One world for the module (scale 0.2: enough contracts for each kind of change), rolled back."""
    from django.db import transaction

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield generate_national_data(scale=0.2, seed=7, today=TODAY)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def test_contracts_have_variations_extensions_and_terminations(world):
    assert world.contract_changes == ContractVersion.objects.filter(number__gt=1).count() > 0
    kinds = set(ContractVersion.objects.filter(number__gt=1).values_list("kind", flat=True))
    assert kinds == {VersionKind.VARIATION, VersionKind.EXTENSION}
    assert Contract.objects.filter(terminates_on__isnull=False).exists()
    # Every change in force, approved by someone other than who proposed it (the database checks it too).
    changes = ContractVersion.objects.filter(number__gt=1)
    assert changes.filter(rules.VERSION_IN_FORCE.q()).count() == changes.count()
    assert not changes.filter(approved_by=F("proposed_by")).exists()
    assert all(v.accepted_at <= NOW for v in changes)
    # Each change is a full copy of the terms: the partners' shares as made go with it.
    for change in changes.select_related("contract")[:100]:
        as_made = change.contract.versions.get(number=1)
        shares = sorted(as_made.partners.values_list("name", "share_percent"))
        assert sorted(change.partners.values_list("name", "share_percent")) == shares
        assert set(change.areas.values_list("pk", flat=True)) == set(as_made.areas.values_list("pk", flat=True))
    # An extension moves the end date on by the year the opportunity offered.
    extension = changes.filter(kind=VersionKind.EXTENSION).select_related("contract").first()
    assert extension.contract.extension_years >= 1
    assert terms_in_force(extension.contract).ends_on > extension.contract.ends_on


def test_a_claim_for_each_period_ended_paid_on_time_and_late(world):
    assert world.payment_claims == PaymentClaim.objects.count() > 0
    started = Contract.objects.filter(starts_on__lt=TODAY - datetime.timedelta(days=60)).first()
    terms = terms_in_force(started)
    periods = [p for p in payment_periods(started, terms) if p[1] < TODAY - datetime.timedelta(days=12)]
    claimed = list(started.claims.order_by("period_start").values_list("period_start", "period_end"))
    assert claimed[: len(periods)] == periods
    # No two standing claims for one period (the database constraint), none sent after now.
    assert not PaymentClaim.objects.values("contract", "period_start").annotate(n=Count("id")).filter(n__gt=1)
    assert not PaymentClaim.objects.filter(sent_at__gt=NOW).exists()
    # Paid late and on time, by the contracts rule.
    late = on_time = 0
    for claim in PaymentClaim.objects.filter(paid_on__isnull=False).select_related("contract")[:2000]:
        if claim_is_late(claim, terms_at(claim.contract, claim.sent_at), today=TODAY):
            late += 1
        else:
            on_time += 1
    assert on_time > late > 0
    # A terminated contract has no claim for a period after its last day.
    ended = Contract.objects.filter(terminates_on__lt=TODAY).first()
    if ended is not None:
        assert not ended.claims.filter(period_start__gt=ended.terminates_on).exists()


def test_claims_keep_ten_whole_years_of_months(world):
    """A claim for every month from the world's first contracts, at least ten years back, to the last
    month ended whose claim is due by now, with no month missing (issue 11: ten years of monthly claims)."""
    first_contract = Contract.objects.order_by("starts_on").first()
    starts = PaymentClaim.objects.values_list("period_start", flat=True)
    months = sorted({(day.year, day.month) for day in starts})
    assert months[0] == (first_contract.starts_on.year, first_contract.starts_on.month)
    assert datetime.date(*months[0], 1) <= datetime.date(TODAY.year - 10, TODAY.month, 1)
    # October 2026 ended more than CLAIM_SENT_WITHIN_DAYS before TODAY: its claims are sent.
    assert months[-1] == (2026, 10)
    every_month = [(year, month) for year in range(months[0][0], 2027) for month in range(1, 13)]
    every_month = every_month[every_month.index(months[0]) : every_month.index(months[-1]) + 1]
    assert months == every_month
    assert len(months) >= 120
    # Monthly: each claim is for one calendar month (or the part of it in the contract).
    for start, end in PaymentClaim.objects.values_list("period_start", "period_end").iterator():
        assert (start.year, start.month) == (end.year, end.month)


@pytest.mark.parametrize(
    ("today", "first"),
    [
        # A claim is sent at most CLAIM_SENT_WITHIN_DAYS (12) after its month ends: on 13 April the
        # claims for March are all in, so the ten years can start with the April ten years before.
        (datetime.date(2026, 4, 12), 2015),
        (datetime.date(2026, 4, 13), 2016),
        (datetime.date(2026, 11, 25), 2016),
        (datetime.date(2027, 3, 31), 2016),
    ],
)
def test_the_world_starts_early_enough_for_ten_years_of_claims(today, first):
    assert first_financial_year(today) == first


def test_ten_years_of_claims_whatever_the_day():
    """Every day of a year: the months from the first financial year's April to the last month whose
    claim is due by that day number at least 120."""
    day = datetime.date(2027, 1, 1)
    while day.year == 2027:
        first = first_financial_year(day)
        last_due = (day - datetime.timedelta(days=CLAIM_SENT_WITHIN_DAYS)).replace(day=1) - datetime.timedelta(days=1)
        months = (last_due.year - first) * 12 + last_due.month - 4 + 1
        assert 120 <= months < 134, (day, months)
        day += datetime.timedelta(days=1)
