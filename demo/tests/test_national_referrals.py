"""The national world's referrals (issue 12 "Demo and scale"): every contract month at the contracted
volumes with each contract's own demand and the seasons, every status the rules know, personal data
really sealed, and nothing left that retention should have erased."""

from __future__ import annotations

import datetime
from collections import defaultdict

import pytest
from django.db import connection
from django.db.models import Count, Max, Min

from contracts.models import (
    Contract,
    ContractVersionYear,
    ContractYear,
    EligibleSex,
    OrderType,
    PersonSex,
    VersionKind,
)
from contracts.rules import CONTRACT_LIVE, person_admitted
from contracts.selectors import in_force_versions, terms_at
from core.clock import LONDON, financial_year_of
from demo.national import _london, generate_national_data
from demo.national_referrals import (
    REFERRING_REGIONS,
    SEASON,
    _Chance,
    _contracts,
    month_pieces,
    monthly_demand,
    referring_regions,
)
from referrals import rules
from referrals.eligibility import age_on, age_refusal, order_refusal, sex_refusal
from referrals.models import (
    ORDER_KIND,
    ActionPlan,
    Attendance,
    DeliverySession,
    EndOfServiceReport,
    Referral,
    ReportOutcome,
)
from referrals.sealing import crn_digest
from referrals.selectors import referral_counts
from volumes import flags
from volumes.selectors import contract_years

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 25)
NOW = _london(TODAY, 12)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """One world for the module (scale 0.1: a few thousand referrals), rolled back."""
    from django.db import transaction

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield generate_national_data(scale=0.1, seed=7, today=TODAY)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def test_every_status_and_step_is_there(world):
    assert world.referrals == Referral.objects.filter(sent_at__isnull=False).count() > 1000
    by_status = {status: Referral.objects.filter(rules.status_q(status)).count() for status, _ in rules.STATUS_RULES}
    assert all(by_status.values()), by_status
    assert sum(by_status.values()) == Referral.objects.count()
    # Most referrals from years ago are over; completed is the usual end.
    assert by_status[rules.COMPLETED] > by_status[rules.ENDED_EARLY] > 0
    # A plan waiting for the practitioner's approval, a missed session the practitioner was told of,
    # a referral ended early with its report, and one whose report is still being written.
    assert Referral.objects.filter(rules.status_q(rules.ASSIGNED), action_plans__submitted_at__isnull=False).exists()
    assert DeliverySession.objects.filter(attendance=Attendance.DID_NOT_ATTEND, tell_practitioner=True).exists()
    assert Referral.objects.filter(rules.status_q(rules.ENDED_EARLY), concluded_at__isnull=False).exists()
    assert EndOfServiceReport.objects.filter(sent_at__isnull=True).exists()


def test_the_rules_in_python_and_in_sql_agree_on_every_referral(world):
    """Each referral's status as `status_of` reads its row equals the filter that finds it."""
    statuses = {}
    for status, _ in rules.STATUS_RULES:
        for pk in Referral.objects.filter(rules.status_q(status)).values_list("id", flat=True):
            statuses[pk] = status
    fields = ["id", "sent_at", "assigned_at", "plan_approved_at", "cancelled_at", "ended_at", "concluded_at"]
    for referral in Referral.objects.only(*fields).iterator(chunk_size=2000):
        assert referral.status == statuses[referral.pk]


def test_steps_follow_each_other_as_the_services_allow(world):
    """What the services refuse never happened: sessions only under an approved plan, after the
    referral was sent, up to now and not after it ended; a cancelled referral had no approved plan;
    the first session attended is when it started."""
    for referral in (
        Referral.objects.filter(sent_at__isnull=False)
        .annotate(first=Min("sessions__happened_at"), last=Max("sessions__recorded_at"))
        .only("sent_at", "plan_approved_at", "started_at", "ended_at", "cancelled_at", "concluded_at")
        .iterator(chunk_size=2000)
    ):
        if referral.first is not None:
            assert referral.plan_approved_at is not None
            assert referral.sent_at <= referral.plan_approved_at <= referral.first
            assert referral.last <= NOW
            assert referral.ended_at is None or referral.last < referral.ended_at
        if referral.cancelled_at is not None:
            assert referral.plan_approved_at is None and referral.sent_at < referral.cancelled_at <= NOW
    started = dict(
        DeliverySession.objects.exclude(attendance=Attendance.DID_NOT_ATTEND)
        .values("referral_id")
        .annotate(first=Min("happened_at"))
        .values_list("referral_id", "first")
    )
    assert started == dict(Referral.objects.filter(started_at__isnull=False).values_list("id", "started_at"))
    # One action plan per referral, approved by the practitioner who made it.
    assert not ActionPlan.objects.values("referral").annotate(n=Count("id")).filter(n__gt=1).exists()


def test_ten_years_of_referrals_at_the_contracted_volumes_with_some_well_off(world):
    counts = referral_counts()
    received: dict[tuple[int, int], int] = defaultdict(int)
    by_month: dict[int, int] = defaultdict(int)
    for row in counts:
        received[row["contract_id"], financial_year_of(row["month"])] += row["received"]
        by_month[row["month"].month] += row["received"]
    months = sorted({row["month"] for row in counts})
    assert months[0] <= datetime.date(2016, 12, 1) and months[-1] == datetime.date(2026, 11, 1)
    # Each contract's whole financial years against what was contracted for them.
    ratios = []
    for contract in Contract.objects.filter(referrals__isnull=False).distinct():
        for year in ContractYear.objects.filter(contract=contract, volume__gt=0):
            first, last = datetime.date(year.financial_year, 4, 1), datetime.date(year.financial_year + 1, 3, 31)
            ends = min(contract.ends_on, contract.terminates_on or contract.ends_on)
            if not (contract.starts_on <= first - datetime.timedelta(days=90) and last <= min(ends, TODAY)):
                continue  # only whole years after the first three months
            ratios.append(received[contract.pk, year.financial_year] / year.volume)
    assert len(ratios) > 10
    ratios.sort()
    middle = ratios[len(ratios) // 2]
    assert 0.85 < middle < 1.15  # most contracts get about what was contracted
    assert ratios[0] < 0.75 and ratios[-1] > 1.3  # and some are well below or above it
    # The seasons: fewer in August and December than in January.
    assert by_month[8] < by_month[1] and by_month[12] < by_month[1]
    assert sum(SEASON.values()) == pytest.approx(12)


def test_each_volume_flag_finds_a_few_contract_years_and_not_most(world):
    """Issue 13: the generated contracts differ from what was contracted now and then, so each flag
    (asked through its named selector, `volumes.flags`) finds at least one contract year that has
    begun, and fewer than half of them. The flags that count referrals (demand above and below,
    volume below known demand) are about the contracts referred to: only the referring regions'
    practitioners refer here (REFERRING_REGIONS), so every other contract gets no referrals at all
    and would be below its contract in every year. Thin funding and late payment ask money only:
    every contract."""
    contracts = Contract.objects.all()
    referred = set(Referral.objects.values_list("contract_id", flat=True))
    begun = [row for row in contract_years(contracts, today=TODAY) if row.elapsed_days]
    years = {"referred": [row for row in begun if row.contract.pk in referred], "every": begun}
    assert len(years["referred"]) > 20 and len(years["every"]) > 100, {k: len(v) for k, v in years.items()}
    asked = {
        "demand above": (flags.demand_above_contract, "referred"),
        "demand below": (flags.demand_below_contract, "referred"),
        "volume below known demand": (flags.ramp_up_below_known_demand, "referred"),
        "thin funding": (flags.thin_funding, "every"),
        "late payment rising": (flags.late_payment_rising, "every"),
    }
    found, of = {}, {}
    for name, (selector, among) in asked.items():
        ids = {(row.contract.pk, row.financial_year) for row in years[among]}
        found[name] = sum((row.contract.pk, row.financial_year) in ids for row in selector(contracts, today=TODAY))
        of[name] = len(ids)
    assert all(0 < found[name] < of[name] / 2 for name in asked), (found, of)


def test_only_the_referring_regions_refer(world):
    codes = set(Referral.objects.values_list("area__code", flat=True).distinct())
    assert codes and codes <= set(REFERRING_REGIONS)  # at a small scale, maybe one of them
    # Each referral's practitioner works in the region it was made in.
    for area_id, user_area in Referral.objects.values_list("area_id", "created_by__staff_roles__area_id").distinct():
        assert area_id == user_area


def test_personal_data_is_sealed_and_the_crn_found_by_its_keyed_hash(world):
    referral = Referral.objects.filter(personal_data_erased_at__isnull=True, sent_at__isnull=False).first()
    with connection.cursor() as cursor:
        cursor.execute("SELECT first_name, crn, sex FROM referrals_referral WHERE id = %s", [referral.pk])
        stored_name, stored_crn, stored_sex = cursor.fetchone()
    assert referral.first_name and referral.first_name not in stored_name
    assert referral.sex in PersonSex.values and referral.sex not in stored_sex
    assert referral.crn.startswith("Z") and referral.crn not in stored_crn and stored_crn.startswith("gAAAAA")
    assert referral.crn_digest == crn_digest(referral.crn)
    assert referral.date_of_birth < TODAY and referral.risk_summary.startswith("Synthetic")
    # Every sealed value of a sample reads back (the keys in settings open them).
    for other in Referral.objects.filter(personal_data_erased_at__isnull=True)[:200]:
        assert other.last_name
        assert other.order_end_on is None or other.order_end_on > other.created_at.date()
    notes = list(ReportOutcome.objects.filter(notes__isnull=False).values_list("notes", flat=True)[:50])
    assert notes and all(note.startswith("Synthetic") for note in notes)


def test_retention_erased_what_was_due_and_nothing_else(world):
    assert not Referral.objects.filter(rules.RETENTION_DUE.q(now=NOW)).exists()
    erased = Referral.objects.filter(personal_data_erased_at__isnull=False)
    assert erased.exists() and not erased.filter(first_name__isnull=False).exists()
    assert not erased.filter(sex__isnull=False).exists()
    assert not erased.exclude(crn_digest="").exists()
    assert not DeliverySession.objects.filter(referral__in=erased, notes__isnull=False).exists()
    # Erased, they still count: statuses and sessions stay.
    assert erased.filter(rules.status_q(rules.COMPLETED)).exists()
    cutoff = rules.retention_cutoff(NOW)
    assert not erased.filter(concluded_at__gte=cutoff, ended_at=None, cancelled_at=None).exists()


def test_weighted_draws_follow_their_weights():
    import random

    draw = _Chance(random.Random(1)).weighted([("a", 80), ("b", 20)])
    picks = [draw() for _ in range(10000)]
    assert 0.77 < picks.count("a") / len(picks) < 0.83


def test_two_regions_refer_up_to_scale_1_and_every_region_above_it():
    from demo.national_referrals import referring_regions
    from reference.models import Area

    assert [area.code for area in referring_regions(1)] == sorted(REFERRING_REGIONS)
    assert [area.code for area in referring_regions(0.05)] == sorted(REFERRING_REGIONS)
    everywhere = referring_regions(10)
    assert len(everywhere) == Area.objects.filter(level="region").count() > len(REFERRING_REGIONS)


def test_every_referral_was_made_while_the_terms_then_in_force_made_the_contract_live(world):
    """Started and sent only at moments the contract was live under the terms in force then
    (`terms_at`, `CONTRACT_LIVE`), as `referral_create` and `referral_send` ask: never before it
    started, after its end as those terms had it, or after it was terminated."""
    contracts = {c.pk: c for c in Contract.objects.prefetch_related(in_force_versions())}
    checked = 0
    for contract_id, sent_at, created_at in Referral.objects.values_list("contract_id", "sent_at", "created_at"):
        contract = contracts[contract_id]
        for moment in (created_at, sent_at) if sent_at else (created_at,):
            terms = terms_at(contract, moment, in_force=contract.in_force)
            terms.contract = contract
            assert CONTRACT_LIVE.holds(terms, now=moment), (contract_id, moment)
        checked += 1
    assert checked == Referral.objects.count() > 1000


def test_an_extended_contract_takes_referrals_in_the_years_it_was_extended_by(world):
    """Referrals follow the terms in force, not the terms as made: a contract whose extension was
    accepted still takes referrals after the end it was made with."""
    extended = (
        Contract.objects.filter(
            versions__kind=VersionKind.EXTENSION,
            versions__accepted_at__isnull=False,
            ends_on__lt=TODAY - datetime.timedelta(days=60),
        )
        .filter(referrals__isnull=False)
        .distinct()
    )
    assert extended.exists()
    for contract in extended:
        assert contract.referrals.filter(sent_at__date__gt=contract.ends_on).exists(), contract.pk


def test_each_part_of_a_month_is_at_the_volume_of_the_terms_then_in_force(world):
    """A month in which a variation came into force is cut the day after the provider accepted it:
    the days before at the volume of the earlier terms, the days after at the varied volume (never
    the terms as made)."""
    import random

    varied = [
        (contract, terms)
        for contract in _contracts(random.Random(1), TODAY, referring_regions(0.1))
        for terms in contract.terms[1:]
        if terms.volumes != contract.terms[0].volumes
    ]
    assert varied
    for contract, terms in varied:
        day = terms.first_day
        assert day == terms.version.accepted_at.astimezone(LONDON).date() + datetime.timedelta(days=1)
        month = day.replace(day=1)
        month_end = (month + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
        pieces = [
            (piece.version.number, first, last) for piece, first, last in month_pieces(contract, month, month_end)
        ]
        if day > max(month, contract.starts_on):
            before = terms.version.number - 1
            assert pieces == [
                (before, max(month, contract.starts_on), day - datetime.timedelta(days=1)),
                (terms.version.number, day, min(month_end, terms.last_day)),
            ]
        year = financial_year_of(day)
        volumes = dict(
            ContractVersionYear.objects.filter(version=terms.version).values_list("financial_year", "volume")
        )
        assert terms.volumes == volumes
        share = ((month_end - day).days + 1) / ((month_end - month).days + 1)
        assert monthly_demand(contract, terms, month, month_end, day, month_end, 5) == pytest.approx(
            terms.volume(year) / 12 * contract.demand * SEASON[month.month] * share
        )


def test_every_person_referred_is_one_the_contract_admits(world):
    """The person's age on the day (`age_refusal`, as sending asks), the order (`order_refusal`) and
    the sex recorded on the referral (`sex_refusal`; all three together, `person_admitted`) are ones
    the contract takes: nobody under 18 from the early years, nobody outside a young adults' range,
    no man to a women's service. (Erased referrals have no date of birth or sex left to ask.)"""
    contracts = {c.pk: c for c in Contract.objects.all()}
    seen: dict[str, set[str]] = defaultdict(set)
    checked = 0
    for referral in (
        Referral.objects.filter(personal_data_erased_at__isnull=True)
        .only("contract_id", "sent_at", "created_at", "date_of_birth", "sex", "order_type")
        .iterator(chunk_size=2000)
    ):
        contract = contracts[referral.contract_id]
        day = (referral.sent_at or referral.created_at).astimezone(LONDON).date()
        assert age_refusal(contract, referral.date_of_birth, day) is None, (contract.pk, referral.date_of_birth, day)
        assert sex_refusal(contract, referral.sex) is None, (contract.pk, contract.eligible_sex, referral.sex)
        if referral.order_type:
            assert order_refusal(contract, referral.order_type) is None
            admitted = person_admitted(
                age=age_on(referral.date_of_birth, day),
                sex=referral.sex,
                order_type=ORDER_KIND[referral.order_type],
                pre_release=False,
            )
            assert admitted.holds(contract), (contract.pk, contract.eligible_sex, referral.sex)
        seen[contract.eligible_sex].add(referral.sex)
        checked += 1
    assert checked > 1000
    assert seen[EligibleSex.WOMEN] <= {PersonSex.FEMALE} and seen[EligibleSex.MEN] <= {PersonSex.MALE}
    assert seen[EligibleSex.ANY] == set(PersonSex.values)


@pytest.mark.parametrize(
    ("ages", "sex", "community", "licences"),
    [
        ((18, 25), EligibleSex.WOMEN, True, True),
        ((50, 120), EligibleSex.MEN, False, True),
        ((21, 120), "any", True, False),
    ],
)
def test_the_pool_gives_only_people_a_contract_admits_on_the_day(ages, sex, community, licences):
    """Ten years of days, each drawing someone for a contract with a narrow range or for one sex: the
    person drawn is admitted (`person_admitted`, `age_refusal`) on that day, and someone is found."""
    import random

    from demo.national_referrals import _Chance, _Contract, _people, _Pool, _Sealer

    first = TODAY - datetime.timedelta(days=3700)
    pool = _Pool(_people(random.Random(3), 300, _Sealer(), TODAY, first))
    row = Contract(
        min_age=ages[0], max_age=ages[1], eligible_sex=sex, for_community_orders=community, for_licences=licences
    )
    contract = _Contract(
        id=1,
        supplier_id=1,
        caseworker_id=1,
        starts_on=first,
        terms=[],
        in_force=[],
        categories=[1],
        demand=1.0,
        kinds=frozenset(),
        row=row,
    )
    chance = _Chance(random.Random(4))
    kind = OrderType.LICENCE if licences else OrderType.COMMUNITY_ORDER
    sexes = {PersonSex.FEMALE: EligibleSex.WOMEN, PersonSex.MALE: EligibleSex.MEN}
    for days in range(0, 3700, 10):
        day = first + datetime.timedelta(days=days)
        person = pool.draw(chance, contract, day, kind)
        assert person is not None, day
        assert age_refusal(row, person.born, day) is None
        assert sex == "any" or sexes[person.sex] == sex
        assert person_admitted(age=age_on(person.born, day), sex=person.sex, order_type=kind, pre_release=False).holds(
            row
        )
