"""The insight numbers on small, hand-built worlds where every figure can be worked out by hand."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import OrganisationType, Size
from competitions.models import Award, Bid, CompetitionInvitation
from competitions.tests.factories import invite, make_bid, make_competition
from insights.scope import Scope, current_financial_year
from insights.selectors import burden, coverage, pipeline, smaller_providers, where_the_money_goes, who_takes_part
from insights.tests.factories import area, award_lot, make_contract, revise, service_type
from qualification.tests.factories import (
    ApplicationFactory,
    InterestFactory,
    QualificationFactory,
    RequestedCoverageFactory,
)
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

KENT, SURREY, SUSSEX = "E23000032", "E23000031", "E23000033"


def org(kind=OrganisationType.REGISTERED_CHARITY, size=Size.MICRO):
    return OrganisationFactory(organisation_type=kind, size=size)


# --- 1. Who takes part ---------------------------------------------------------------------


@pytest.fixture
def funnel_world():
    """A: charity, micro, every step. B: company, large, questionnaire started only. C: public body,
    medium, qualification suspended and a bid never sent. D: CIC, small, won a direct award only.
    E: company, small, bid withdrawn."""
    a = org()
    b = org(OrganisationType.COMPANY_BY_SHARES, Size.LARGE)
    c = org(OrganisationType.PUBLIC_BODY, Size.MEDIUM)
    d = org(OrganisationType.CIC, Size.SMALL)
    e = org(OrganisationType.COMPANY_BY_SHARES, Size.SMALL)
    for o in (a, b, c):
        InterestFactory(organisation=o)
    RequestedCoverageFactory(application=ApplicationFactory(organisation=a, submitted=True), area=area(KENT))
    RequestedCoverageFactory(application=ApplicationFactory(organisation=b), area=area(KENT))
    RequestedCoverageFactory(application=ApplicationFactory(organisation=c, submitted=True), area=area("D"))
    QualificationFactory(organisation=a, area=area(KENT))
    QualificationFactory(organisation=c, area=area("D"), suspended_at=timezone.now())
    competition = make_competition(lots=["Kent"])
    bid = make_bid(competition, a)
    award_lot(competition.lots.get(), bid=bid)
    invite(competition, c)
    Bid.objects.create(competition=competition, organisation=c, started_by=UserFactory())
    withdrawn = make_bid(competition, e)
    withdrawn.withdrawn_at = timezone.now()
    withdrawn.save()
    # Bids are counted only once bidding has closed (sealed until then).
    competition.closes_at = timezone.now() - datetime.timedelta(minutes=1)
    competition.save(update_fields=["closes_at"])
    other = make_competition(lots=["Surrey"])
    award_lot(other.lots.get(), organisation=d)
    return a, b, c, d, e


def _row(rows, step):
    return next(r for r in rows if r.step == step)


def test_funnel_counts_each_organisation_once_at_each_step(funnel_world):
    data = who_takes_part.who_takes_part()
    steps = {r.step: (r.all, r.vcse, r.private, r.public) for r in data.steps}
    assert steps == {
        "interest": (3, 1, 1, 1),
        "questionnaire": (2, 1, 0, 1),
        "qualified": (2, 1, 0, 1),  # A, and C (suspended since, but it qualified)
        "invited": (3, 1, 1, 1),  # A, C and E (D won directly without an invitation)
        "bid": (1, 1, 0, 0),  # E withdrew
        "won": (2, 2, 0, 0),  # A's bid and D's direct award
    }
    won = _row(data.steps, "won")
    assert (won.micro, won.small, won.medium, won.large) == (1, 1, 0, 0)
    drop = {r.step: (r.all, r.private, r.public, r.large, r.medium) for r in data.dropouts}
    assert drop == {"questionnaire_unsent": (1, 1, 0, 1, 0), "bid_unsent": (1, 0, 1, 0, 1)}


def test_funnel_by_area_counts_only_organisations_working_there(funnel_world):
    kent = who_takes_part.who_takes_part(scope=Scope(area=area(KENT)))
    assert _row(kent.steps, "interest").all == 2  # A and B asked for Kent; C asked for Wales
    assert _row(kent.steps, "questionnaire").all == 1
    assert _row(kent.steps, "won").all == 1  # D's award is in Surrey
    wales = who_takes_part.who_takes_part(scope=Scope(area=area("D")))
    assert [r.all for r in wales.steps] == [1, 1, 1, 0, 0, 0]  # C qualified in Wales (suspended since)


def test_funnel_by_year_counts_steps_taken_that_year(funnel_world):
    this_year = who_takes_part.who_takes_part(scope=Scope(financial_year=current_financial_year()))
    assert _row(this_year.steps, "interest").all == 3
    last_year = who_takes_part.who_takes_part(scope=Scope(financial_year=current_financial_year() - 1))
    assert all(r.all == 0 for r in last_year.steps + last_year.dropouts)


# --- 2. Work for smaller providers ---------------------------------------------------------


@pytest.fixture
def contracts_world():
    micro_charity = org()
    large_company = org(OrganisationType.COMPANY_BY_SHARES, Size.LARGE)
    small_cic = org(OrganisationType.CIC, Size.SMALL)
    kent = make_competition(lots=["Kent"], years=())
    make_contract(
        lot=kent.lots.get(),
        supplier=micro_charity,
        years={2025: Decimal("100000"), 2026: Decimal("150000")},
        subcontracts=[(large_company, 20), (None, 10)],
    )
    surrey = make_competition(lots=["Surrey"], years=())
    make_contract(
        lot=surrey.lots.get(),
        supplier=large_company,
        years={2025: Decimal("300000")},
        subcontracts=[(small_cic, 50)],
    )


def _smaller(data, area_code, who):
    return next(r for r in data.rows if r.area_code == area_code and r.who == who)


def test_smaller_providers_by_region(contracts_world):
    data = smaller_providers.smaller_providers()
    assert data.level == "region"
    everyone = _smaller(data, "K", "all")
    assert (everyone.contracts, everyone.contract_value, everyone.share_of_contract_value) == (
        2,
        Decimal("550000"),
        Decimal("100.0"),
    )
    # 20% and 10% of 250,000 and 50% of 300,000
    assert (everyone.subcontracts, everyone.subcontract_value) == (3, Decimal("225000"))
    sme = _smaller(data, "K", "sme")
    assert (sme.contracts, sme.contract_value, sme.share_of_contract_value) == (1, Decimal("250000"), Decimal("45.5"))
    assert (sme.subcontracts, sme.subcontract_value) == (1, Decimal("150000"))
    vcse = _smaller(data, "K", "vcse")
    assert (vcse.contracts, vcse.subcontracts, vcse.subcontract_value) == (1, 1, Decimal("150000"))
    assert _smaller(data, "K", "medium").contracts == 0
    assert {r.area_code for r in data.rows} == {"K"}


def test_smaller_providers_by_pcc_area_and_year(contracts_world):
    data = smaller_providers.smaller_providers(scope=Scope(area=area("K")))
    assert data.level == "pcc_area"
    assert _smaller(data, KENT, "micro").contract_value == Decimal("250000")
    assert _smaller(data, SURREY, "all").contract_value == Decimal("300000")
    in_2026 = smaller_providers.smaller_providers(scope=Scope(financial_year=2026))
    everyone = _smaller(in_2026, "K", "all")
    assert (everyone.contracts, everyone.contract_value, everyone.subcontract_value) == (
        1,
        Decimal("150000"),
        Decimal("45000"),
    )


def test_smaller_providers_counts_bigger_areas_on_their_own_line(contracts_world):
    data = smaller_providers.smaller_providers(scope=Scope(area=area(KENT)))
    assert data.level == "local_authority"
    assert {r.area_code for r in data.rows} == {"larger"}
    assert _smaller(data, "larger", "all").contracts == 1  # only the Kent contract overlaps Kent


# --- 3. Where the money goes ---------------------------------------------------------------


def test_money_shares_ramp_and_changes():
    launched = make_competition(lots=["Kent", "Surrey"], years=(2025, 2026))  # 400k, 500k per lot
    planned = make_competition(lots=["Sussex"], years=(2025,), launched=False)
    planned.service_type = service_type("ete")
    planned.save()
    draft = make_competition(lots=["Kent"], years=(2025,), launched=False)
    draft.planned_at = None
    draft.save()
    abandoned = make_competition(lots=["Kent"], years=(2025,))
    abandoned.abandoned_at = timezone.now()
    abandoned.save()
    surrey_lot = launched.lots.get(name="Surrey")
    revise(surrey_lot.years.get(financial_year=2025), Decimal("600000"), Decimal("450000"), Decimal("400000"))

    data = where_the_money_goes.where_the_money_goes(scope=Scope(financial_year=2025))
    shares = {r.service_type: (r.value, r.share) for r in data.shares}
    assert shares["accommodation"] == (Decimal("800000"), Decimal("66.7"))
    assert shares["ete"] == (Decimal("400000"), Decimal("33.3"))
    assert shares["all"] == (Decimal("1200000"), Decimal("100.0"))
    assert shares["finance-benefit-debt"] == (Decimal("0"), Decimal("0.0"))
    ramp = {(r.service_type, r.financial_year): r.value for r in data.ramp_up}
    assert ramp == {
        ("accommodation", 2025): Decimal("800000"),
        ("accommodation", 2026): Decimal("1000000"),
        ("ete", 2025): Decimal("400000"),
    }
    change = next(r for r in data.changes if r.service_type == "accommodation")
    assert (change.first_published, change.now_published, change.change) == (
        Decimal("1000000"),
        Decimal("800000"),
        Decimal("-200000"),
    )
    assert (change.change_percent, change.changes_made) == (Decimal("-20.0"), 2)

    kent_only = where_the_money_goes.where_the_money_goes(scope=Scope(area=area(KENT), financial_year=2025))
    assert {r.service_type: r.value for r in kent_only.shares}["accommodation"] == Decimal("400000")


# --- 4. Coverage and continuity ------------------------------------------------------------


def test_coverage_cells_and_day_one_gaps():
    today = timezone.now().date()
    make_contract(areas=[area(KENT)], starts_on=today.replace(year=today.year - 1), ends_on=datetime.date(2030, 3, 31))
    make_competition(lots=["Surrey"])
    make_competition(lots=["Sussex"], launched=False)
    data = coverage.coverage(scope=Scope(area=area("K")))
    cells = {(c.area_code, c.service_type): c for c in data.cells}
    assert cells[(KENT, "accommodation")].status == "contracted"
    assert cells[(KENT, "accommodation")].label == "Contracted until 31 March 2030"
    assert cells[(SURREY, "accommodation")].status == "in_competition"
    assert cells[(SUSSEX, "accommodation")].status == "planned"
    assert cells[(KENT, "ete")].status == "none" and cells[(KENT, "ete")].day_one
    assert cells[(KENT, "finance-benefit-debt")].day_one is False
    assert cells[(KENT, "young-adults-wales")].status == "not_bought"
    assert data.day_one_gaps == 3 * 4 - 3  # 4 day-one types bought in K × 3 areas, less the 3 above
    by_region = coverage.coverage(scope=Scope(area=area("K")), level="region")
    assert [(c.area_code, c.status) for c in by_region.cells if c.service_type == "accommodation"] == [
        ("K", "contracted")
    ]


def test_contracts_ending_soon_with_nothing_to_follow():
    today = timezone.now().date()
    soon = today + datetime.timedelta(days=100)
    make_contract(areas=[area(KENT)], starts_on=today.replace(year=today.year - 2), ends_on=soon)
    make_contract(areas=[area(SURREY)], starts_on=today.replace(year=today.year - 2), ends_on=soon)
    make_competition(lots=["Surrey"], launched=False)  # a follow-on planned for Surrey
    make_contract(areas=[area(SUSSEX)], ends_on=today + datetime.timedelta(days=500))  # not ending soon
    data = coverage.coverage()
    # Kent's contract has nothing to follow it; Surrey's has a planned competition.
    assert [(c.areas, c.ends_on) for c in data.ending] == [("Kent", soon)]
    # A later contract for the whole region follows on in Kent too.
    make_contract(areas=[area("K")], ends_on=today + datetime.timedelta(days=900))
    assert coverage.coverage().ending == []


# --- 5. Pipeline ---------------------------------------------------------------------------


def test_pipeline_lists_planned_open_and_undecided_competitions():
    now = timezone.now()
    planned = make_competition(launched=False)
    open_now = make_competition()
    closed = make_competition(closes_in=datetime.timedelta(days=-1))
    in_standstill = make_competition(closes_in=datetime.timedelta(days=-10), lots=["Kent"])
    award = award_lot(in_standstill.lots.get(), bid=make_bid(in_standstill))
    award.standstill_ends_at = now + datetime.timedelta(days=3)
    award.save()
    awarded = make_competition(closes_in=datetime.timedelta(days=-20), lots=["Kent"])
    award_lot(awarded.lots.get(), bid=make_bid(awarded))
    abandoned = make_competition()
    abandoned.abandoned_at = now
    abandoned.save()
    draft = make_competition(launched=False)
    draft.planned_at = None
    draft.save()

    rows = pipeline.pipeline(now=now)
    stages = {r.reference: r.stage for r in rows}
    assert stages == {
        planned.reference: "planned",
        open_now.reference: "open",
        closed.reference: "deciding",
        in_standstill.reference: "deciding",
    }
    row = next(r for r in rows if r.reference == open_now.reference)
    assert row.estimated_value == Decimal("4500000")  # 3 lots × (400k + 500k + 600k)
    assert row.closes_at == open_now.closes_at
    assert pipeline.pipeline(now=now, scope=Scope(area=area("D"))) == []
    assert pipeline.pipeline(now=now, scope=Scope(financial_year=2027)) != []
    assert pipeline.pipeline(now=now, scope=Scope(financial_year=2026)) == []


# --- 6. Burden -----------------------------------------------------------------------------


def test_burden_medians_of_time_taken():
    old = make_competition(lots=["Kent", "Surrey"], closes_in=datetime.timedelta(days=-30))
    old.service_type = service_type("ete")
    old.save()
    started = timezone.now() - datetime.timedelta(days=60)
    for days in (1, 2, 10):
        ApplicationFactory(submitted=True, started_at=started, submitted_at=started + datetime.timedelta(days=days))
    ApplicationFactory(started_at=started)  # never sent: not measured
    for days in (1, 3):
        bid = make_bid(old)
        Bid.objects.filter(pk=bid.pk).update(started_at=started, submitted_at=started + datetime.timedelta(days=days))

    data = burden.burden()
    times = {r.activity: (r.median_days, r.measured) for r in data.time_taken}
    assert times["Questionnaire to join the framework"] == (Decimal("2.0"), 3)
    assert times["Bid: Education, Training and Employment"] == (Decimal("2.0"), 2)
    assert times["Bid: Accommodation"] == (None, 0)
    assert burden.burden(scope=Scope(area=area("D"))).time_taken[0].measured == 0


def test_invitation_kinds_other_than_eligible_do_not_count():
    competition = make_competition(lots=["Kent"])
    partner = org()
    CompetitionInvitation.objects.create(competition=competition, organisation=partner, kind="partner")
    assert _row(who_takes_part.who_takes_part().steps, "invited").all == 0
    assert Award.objects.count() == 0
