"""`selectors.referral_counts` (issue 12 "Numbers for the rest of the service"): received, started,
completed, ended early, cancelled, sessions delivered and outcomes, per contract, probation region
and London month — on a small world built by hand, where every figure is known — and a number of
queries that does not grow with the number of contracts."""

from __future__ import annotations

import datetime
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contracts.models import Contract
from reference.models import Area
from referrals.models import (
    Achievement,
    ActionPlan,
    Attendance,
    CancelReason,
    DeliverySession,
    DesiredOutcome,
    EndOfServiceReport,
    EndReason,
    Engagement,
    Referral,
    ReferralCategory,
    ReferralOutcome,
    ReportOutcome,
)
from referrals.selectors import WITHHELD, public_counts, referral_counts
from referrals.tests.factories import referral_world

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
_references = (f"TC{n:04d}ZZ" for n in itertools.count(1))


def at(year, month, day, hour=12, minute=0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=UTC)


def another_contract(contract: Contract, number: int) -> Contract:
    """A copy of `contract` on a lot (and award) of its own: only its id matters to the counts."""
    lot = contract.lot
    lot.pk = lot.id = None
    lot.number = 100 + number
    lot.save()
    award = contract.award
    award.pk = award.id = None
    award.lot = lot
    award.save()
    copy = Contract.objects.get(pk=contract.pk)
    copy.pk = copy.id = None
    copy.lot, copy.award = lot, award
    copy.save()
    return copy


class Build:
    """Referral rows written directly, with the timestamps each test needs (the services set them
    to the database clock; `test_flow.py` covers the services)."""

    def __init__(self, world):
        self.world = world
        self.practitioner = world["practitioner"]
        self.caseworker = world["caseworker"]
        self.category = world["contract"].service_type.categories.order_by("display_order").first()
        self.outcomes = list(DesiredOutcome.objects.filter(category=self.category)[:2])

    def referral(self, contract, area, sent_at, **stamps) -> Referral:
        if "started_at" in stamps or "plan_approved_at" in stamps:
            stamps.setdefault("plan_approved_at", sent_at)
            stamps.update(assigned_at=sent_at, caseworker=self.caseworker)
        return Referral.objects.create(
            contract=contract,
            prime_id=contract.supplier_id,
            created_by=self.practitioner,
            area=area,
            reference=next(_references) if sent_at else None,
            created_at=(sent_at or at(2026, 4, 1)) - datetime.timedelta(hours=1),
            sent_at=sent_at,
            provider=contract.supplier if sent_at else None,
            **stamps,
        )

    def sessions(self, referral, *moments_and_attendance) -> None:
        plan = ActionPlan.objects.create(
            referral=referral,
            version=1,
            number_of_sessions=len(moments_and_attendance),
            created_by=self.caseworker,
            submitted_at=referral.sent_at,
            submitted_by=self.caseworker,
            approved_at=referral.sent_at,
            approved_by=self.practitioner,
        )
        for number, (moment, attendance) in enumerate(moments_and_attendance, start=1):
            DeliverySession.objects.create(
                referral=referral,
                number=number,
                plan=plan,
                happened_at=moment,
                attendance=attendance,
                engagement="" if attendance == Attendance.DID_NOT_ATTEND else Engagement.GOOD,
                recorded_by=self.caseworker,
            )

    def report(self, referral, sent_at, *achievements) -> None:
        row = ReferralCategory.objects.create(referral=referral, category=self.category)
        report = EndOfServiceReport.objects.create(
            referral=referral, created_at=sent_at, created_by=self.caseworker, sent_at=sent_at, sent_by=self.caseworker
        )
        for outcome, achievement in zip(self.outcomes, achievements, strict=False):
            chosen = ReferralOutcome.objects.create(referral_category=row, outcome=outcome)
            ReportOutcome.objects.create(report=report, outcome=chosen, achievement=achievement)


@pytest.fixture
def world():
    world = referral_world()
    build = Build(world)
    a = world["contract"]
    b = another_contract(a, 1)
    kent, wales = Area.objects.get(code="K"), Area.objects.get(code="D")
    # R1: sent in March, two sessions delivered (a missed one between does not count), completed in
    # April with two outcomes.
    r1 = build.referral(a, kent, at(2026, 3, 10), started_at=at(2026, 3, 20), plan_approved_at=at(2026, 3, 10))
    build.sessions(
        r1,
        (at(2026, 3, 20), Attendance.ATTENDED),
        (at(2026, 3, 27), Attendance.DID_NOT_ATTEND),
        (at(2026, 4, 2), Attendance.ATTENDED),
    )
    Referral.objects.filter(pk=r1.pk).update(concluded_at=at(2026, 4, 15))
    build.report(r1, at(2026, 4, 15), Achievement.ACHIEVED, Achievement.PARTLY)
    # R2: from Wales, sent at 23:30 UTC on 31 March, which is 00:30 on 1 April in London: an April
    # referral. Cancelled in April.
    build.referral(
        a,
        wales,
        at(2026, 3, 31, 23, 30),
        cancelled_at=at(2026, 4, 5),
        cancelled_by=build.practitioner,
        cancel_reason=CancelReason.NO_LONGER_NEEDED,
    )
    # R3: sent and started in April (a late arrival still counts as delivered), ended early in May;
    # its report (sent in May) counts its outcome, but not as completed.
    r3 = build.referral(a, kent, at(2026, 4, 2), started_at=at(2026, 4, 10), plan_approved_at=at(2026, 4, 3))
    build.sessions(r3, (at(2026, 4, 10), Attendance.LATE))
    Referral.objects.filter(pk=r3.pk).update(
        ended_at=at(2026, 5, 1), ended_by=build.practitioner, end_reason=EndReason.NOT_ENGAGING
    )
    build.report(r3, at(2026, 5, 3), Achievement.NOT_ACHIEVED)
    Referral.objects.filter(pk=r3.pk).update(concluded_at=at(2026, 5, 3))
    # R4: another contract, sent in April. A draft counts nowhere.
    build.referral(b, kent, at(2026, 4, 20))
    build.referral(a, kent, None)
    return {**world, "a": a, "b": b, "kent": kent, "wales": wales, "build": build}


ZERO = {
    "received": 0,
    "started": 0,
    "completed": 0,
    "ended_early": 0,
    "cancelled": 0,
    "sessions_delivered": 0,
    "outcomes_achieved": 0,
    "outcomes_partly": 0,
    "outcomes_not_achieved": 0,
}


def row(contract, area, year, month, **figures) -> dict:
    return {"contract_id": contract.pk, "area_id": area.pk, "month": datetime.date(year, month, 1), **ZERO, **figures}


def test_each_figure_in_its_contract_region_and_london_month(world):
    a, b, kent, wales = world["a"], world["b"], world["kent"], world["wales"]
    expected = sorted(
        [
            row(a, kent, 2026, 3, received=1, started=1, sessions_delivered=1),
            row(
                a,
                kent,
                2026,
                4,
                received=1,
                started=1,
                completed=1,
                sessions_delivered=2,
                outcomes_achieved=1,
                outcomes_partly=1,
            ),
            row(a, kent, 2026, 5, ended_early=1, outcomes_not_achieved=1),
            row(a, wales, 2026, 4, received=1, cancelled=1),
            row(b, kent, 2026, 4, received=1),
        ],
        key=lambda r: (r["contract_id"], r["area_id"], r["month"]),
    )
    assert referral_counts() == expected
    assert referral_counts(contract_ids=[b.pk]) == [expected[-1]]
    assert referral_counts(contract_ids=[]) == []
    # From May: only what happened in May or later.
    assert referral_counts(since=datetime.date(2026, 5, 1)) == [
        row(a, kent, 2026, 5, ended_early=1, outcomes_not_achieved=1)
    ]


def test_public_counts_withhold_small_numbers(world):
    published = public_counts(referral_counts(contract_ids=[world["b"].pk]))
    assert published[0]["received"] == WITHHELD and published[0]["started"] == 0
    assert published[0]["contract_id"] == world["b"].pk


def _queries(**kwargs) -> int:
    with CaptureQueriesContext(connection) as queries:
        referral_counts(**kwargs)
    return len(queries)


def test_the_number_of_queries_does_not_grow_with_contracts(world):
    build, kent = world["build"], world["kent"]
    with_two = _queries()
    with_two_filtered = _queries(contract_ids=[world["a"].pk, world["b"].pk])
    for number in range(2, 8):
        contract = another_contract(world["a"], number)
        referral = build.referral(contract, kent, at(2026, 6, number), started_at=at(2026, 6, 20))
        build.sessions(referral, (at(2026, 6, 20), Attendance.ATTENDED))
        Referral.objects.filter(pk=referral.pk).update(concluded_at=at(2026, 7, 1))
        build.report(referral, at(2026, 7, 1), Achievement.ACHIEVED)
    ids = list(Contract.objects.values_list("id", flat=True))
    assert len(ids) == 8
    assert len(referral_counts()) == 5 + 6 * 2
    assert _queries() == with_two == 7
    assert _queries(contract_ids=ids) == with_two_filtered == 7
