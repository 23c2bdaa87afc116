"""The demo story: the framework in motion in Kent, Surrey and Sussex (region K).

Everything here goes THROUGH THE SERVICES, as the people would through the pages, so the audit
trail records it: organisations apply and are qualified (one only in part, one still waiting for
the assessor), and commissioner.kss runs competitions at every stage: planned, open, being scored,
in the waiting period, and awarded with contracts now in delivery (claims, a variation, an extension,
an early ending).

Deadlines are judged by the database clock (core.clock.db_now), so a service will not accept a
bid after the closing date, nor launch a competition whose dates have passed. The only way to
build a competition whose bidding closed in the past is therefore: launch it with a closing date a
few minutes ahead, send the bids through bid_submit, then move its timetable into the past with a
queryset `.update()` (see `_move_into_past`). The same goes for an award whose waiting period has
ended. These back-dating updates are the only writes here that skip the services.

Idempotent: if the story's first competition exists, the story is not built again.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Organisation, Size, User
from competitions.models import (
    Award,
    Bid,
    BidReceipt,
    CoCommissioner,
    Competition,
    CompetitionInvitation,
    PaymentFrequency,
    QuestionKind,
)
from competitions.selectors.answers import answered_per_lot
from competitions.selectors.evaluation import pass_fail_answers, scored_answers
from competitions.services import award as award_services
from competitions.services import bids as bid_services
from competitions.services import clarifications, evaluation, setup
from contracts import services as contract_services
from contracts.models import (
    OLDEST,
    Contract,
    EligibleSex,
    PartnerPayment,
    PaymentClaim,
    PersonSex,
    TerminationReason,
    VariationGround,
)
from contracts.selectors import claimable_periods, terms_in_force
from contracts.services import contract_create_for_award
from contracts.services_eligibility import contract_set_eligibility as set_eligibility
from contracts.services_supply_chain import partner_payment_correct, partner_payment_record
from core.clock import LONDON, db_now
from qualification.models import SectionKey
from qualification.services.applications import (
    application_submit,
    help_request_create,
    interest_register,
    section_save,
)
from qualification.services.decisions import Grant, application_decide, help_request_reply, section_accept
from reference.models import Area, ServiceType
from referrals import services as referral_services
from referrals.models import (
    Achievement,
    AppointmentMethod,
    Attendance,
    CancelReason,
    ComplexityLevel,
    DesiredOutcome,
    EndReason,
    Engagement,
    Referral,
    ReferralOutcome,
    SupervisionOrder,
)

FIRST_TITLE = "Accommodation services in Kent, Surrey and Sussex"
PLANNED_TITLE = "Personal wellbeing services in Kent, Surrey and Sussex"
EVALUATION_TITLE = "Education, training and employment in Kent, Surrey and Sussex"
STANDSTILL_TITLE = "Finance, benefit and debt advice in Kent"
AWARDED_TITLE = "Accommodation services in Surrey and Sussex"

KENT, SURREY, SUSSEX = "E23000032", "E23000031", "E23000033"
CARDIFF = "W06000015"

# A tiny but real PDF: the upload check looks at what is inside a file, not its name.
_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)

# Complete, valid answers for the sections every application has (services are added per organisation).
_COMMON_ANSWERS: dict[str, dict] = {
    SectionKey.ABOUT: {
        "what_you_do": "We help people leaving prison and on probation to rebuild their lives.",
        "probation_experience": "yes",
    },
    SectionKey.EXCLUSION: {
        "mandatory": "no",
        "mandatory_details": "",
        "discretionary": "no",
        "discretionary_details": "",
    },
    SectionKey.INSURANCE: {
        "employers_liability": "yes",
        "employers_liability_amount": "5000000.00",
        "public_liability": "yes",
        "public_liability_amount": "1000000.00",
        "professional_indemnity": "no",
        "professional_indemnity_amount": "",
    },
    SectionKey.SAFEGUARDING: {
        "safeguarding_policy": "yes",
        "dbs_checks": "yes",
        "data_protection_policy": "yes",
        "ico_number": "ZA123456",
    },
    SectionKey.SECURITY: {"all_true": "yes", "gaps": "", "cyber_essentials": ""},
    SectionKey.DECLARATION: {"confirmed": True},
}


def _user(email: str) -> User:
    return User.objects.get(email__iexact=email)


def _organisation(legal_name: str) -> Organisation:
    return Organisation.objects.get(legal_name=legal_name)


def _area(code: str) -> Area:
    return Area.objects.get(code=code)


# --- Qualification ------------------------------------------------------------------------------


def _apply(*, organisation: Organisation, user: User, turnover: str, services: dict) -> None:
    """Register interest, answer every section and send the application."""
    interest_register(organisation=organisation, user=user)
    application = organisation.applications.get(decided_at__isnull=True)
    answers = {**_COMMON_ANSWERS, SectionKey.FINANCE: {"turnover": turnover}, SectionKey.SERVICES: services}
    for key, section_answers in answers.items():
        upload = None
        if key == SectionKey.FINANCE and organisation.size != Size.MICRO:
            upload = SimpleUploadedFile("accounts.pdf", _PDF, content_type="application/pdf")
        section_save(application=application, key=key, answers=section_answers, user=user, upload=upload)
    application_submit(application=application, user=user)


def _decide(*, organisation: Organisation, assessor: User, narrower: dict[str, str] | None = None, reason: str = ""):
    """Accept every section and qualify the organisation; `narrower` maps a category code to a
    smaller area than it asked for (a partial decision, which needs a reason)."""
    narrower = narrower or {}
    application = organisation.applications.get(decided_at__isnull=True)
    for section in application.sections.all():
        section_accept(section=section, actor=assessor)
    grants = [
        Grant(requested=requested, area=_area(narrower.get(requested.category.code, requested.area.code)))
        for requested in application.requested.select_related("category", "area")
    ]
    application_decide(application=application, actor=assessor, grants=grants, reason=reason)


def _qualification_story(assessor: User) -> None:
    medway, jo = _organisation("Medway Women's Support"), _user("jo@medway-womens.example")
    _apply(
        organisation=medway,
        user=jo,
        turnover="85000.00",
        services={"categories": ["accommodation", "women"], "where": "some", "areas": [KENT]},
    )
    _decide(organisation=medway, assessor=assessor)
    question = help_request_create(
        organisation=medway,
        user=jo,
        message="Do we need our own policy on data, or can we use the one from our umbrella body?",
    )
    help_request_reply(
        help_request=question,
        actor=assessor,
        reply=(
            "You can use your umbrella body's policy, as long as it names your charity and you follow it. "
            "Keep a copy with your other policies. We may ask to see it."
        ),
        internal_note="Common question from small charities. Consider adding it to the guidance.",
    )

    pathway, chris = _organisation("Pathway Services Limited"), _user("bids@pathway.example")
    _apply(
        organisation=pathway,
        user=chris,
        turnover="64000000.00",
        services={"categories": ["accommodation", "ete", "finance-benefit-debt"], "where": "all"},
    )
    _decide(organisation=pathway, assessor=assessor)

    second, alex = _organisation("Second Chances Community Interest Company"), _user("alex@second-chances.example")
    _apply(
        organisation=second,
        user=alex,
        turnover="900000.00",
        services={"categories": ["ete", "accommodation"], "where": "some", "areas": ["D"]},
    )
    _decide(
        organisation=second,
        assessor=assessor,
        narrower={"accommodation": CARDIFF},
        reason=(
            "You told us about homes you run in Cardiff only. "
            "Tell us about housing you can offer in the rest of Wales and we will look again."
        ),
    )

    brighton, morgan = _organisation("Brighton Recovery Network"), _user("morgan@brighton-recovery.example")
    _apply(
        organisation=brighton,
        user=morgan,
        turnover="38000.00",
        services={"categories": ["dependency-recovery"], "where": "some", "areas": [SUSSEX]},
    )
    help_request_create(
        organisation=brighton,
        user=morgan,
        message="We are two volunteers and one worker. Can someone explain what insurance the contracts need?",
    )


# --- Competitions -------------------------------------------------------------------------------


@dataclass(frozen=True)
class LotSpec:
    name: str
    area_code: str
    years: dict[int, tuple[str, int]]  # financial year -> (value in pounds, people)


def _london(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=LONDON)


def _competition(
    *,
    actor: User,
    title: str,
    service_type: str,
    summary: str,
    specification: str,
    lots: list[LotSpec],
    contract_start: datetime.date,
    contract_years: int,
    questions: list[tuple[str, str, str, bool]],
    timetable: dict[str, datetime.datetime],
    funding: tuple[str, str, dict[str, str]] | None = None,
) -> Competition:
    """Set a competition up the way a commissioner does on the set-up pages.

    `questions`: (kind, text, weight, lot_specific). `funding`: (partner name, party type,
    {lot name: share percent})."""
    competition = setup.competition_create(
        actor=actor,
        title=title,
        service_type=ServiceType.objects.get(code=service_type),
        owner_area=_area("K"),
        summary=summary,
        specification=specification,
    )
    setup.competition_set_contract_terms(
        competition=competition,
        actor=actor,
        contract_start=contract_start,
        contract_years=contract_years,
        extension_years=1,
        payment_frequency=PaymentFrequency.MONTHLY_IN_ARREARS,
        payment_days=30,
    )
    by_name = {}
    for spec in lots:
        lot = setup.lot_create(competition=competition, actor=actor, name=spec.name, areas=[_area(spec.area_code)])
        setup.lot_years_set(
            lot=lot,
            actor=actor,
            years={year: (Decimal(value), people) for year, (value, people) in spec.years.items()},
        )
        by_name[spec.name] = lot
    if funding:
        name, party_type, shares = funding
        setup.co_commissioner_add(
            competition=competition,
            actor=actor,
            name=name,
            party_type=party_type,
            shares={by_name[lot_name].pk: Decimal(share) for lot_name, share in shares.items()},
        )
    for kind, text, weight, lot_specific in questions:
        setup.question_add(
            competition=competition,
            actor=actor,
            kind=kind,
            text=text,
            word_limit=None if kind == QuestionKind.PASS_FAIL else 500,
            weight=Decimal(weight),
            lot_specific=lot_specific,
        )
    setup.competition_set_evaluation_model(
        competition=competition, actor=actor, price_weight=Decimal("30"), social_value_weight=Decimal("10")
    )
    setup.competition_set_timetable(competition=competition, actor=actor, **timetable)
    return competition


def _questions(need: str) -> list[tuple[str, str, str, bool]]:
    return [
        (QuestionKind.QUALITY, f"How will you help people on probation with {need}?", "30", False),
        (QuestionKind.QUALITY, "How will you work with local services in this area?", "30", True),
        (QuestionKind.SOCIAL_VALUE, "What will you do for the local community, beyond the contract?", "10", False),
        (QuestionKind.PASS_FAIL, "Do you hold the insurance the contract needs?", "0", False),
    ]


def _years(first: str, second: str, third: str, people: tuple[int, int, int], start: int = 2027):
    return {start: (first, people[0]), start + 1: (second, people[1]), start + 2: (third, people[2])}


def _add_commissioner(competition: Competition, *, user: User, actor: User) -> None:
    """A second commissioner joins the competition team (for four-eyes approval of awards)."""
    setup.competition_commissioner_add(competition=competition, user=user, actor=actor)


def _soon_timetable(today: datetime.date, *, now: datetime.datetime, ends_in: int, award_in: int) -> dict:
    """Deadlines a few minutes ahead, so the competition can be launched and bid for at once
    (then `_move_into_past` closes it)."""
    return {
        "clarification_deadline": now + datetime.timedelta(minutes=5),
        "closes_at": now + datetime.timedelta(minutes=10),
        "evaluation_ends_at": _london(today + datetime.timedelta(days=ends_in), 17),
        "intended_award_at": _london(today + datetime.timedelta(days=award_in), 12),
    }


def _move_into_past(
    competition: Competition,
    *,
    launched: datetime.datetime,
    closes: datetime.datetime,
    evaluation_ends: datetime.datetime,
    intended_award: datetime.datetime,
) -> None:
    """Back-date a launched competition whose bids are in: the database clock decides every
    deadline, so a queryset update is the only way to have bidding closed today."""
    Competition.objects.filter(pk=competition.pk).update(
        planned_at=launched,
        launched_at=launched,
        clarification_deadline=closes - datetime.timedelta(days=7),
        closes_at=closes,
        evaluation_ends_at=evaluation_ends,
        intended_award_at=intended_award,
    )
    CompetitionInvitation.objects.filter(competition=competition).update(invited_at=launched)
    sent = closes - datetime.timedelta(days=1)
    Bid.objects.filter(competition=competition, submitted_at__isnull=False).update(
        started_at=launched + datetime.timedelta(days=3),
        submitted_at=sent,
        updated_at=sent,
        declarations_confirmed_at=sent,
    )
    BidReceipt.objects.filter(bid__competition=competition).update(at=sent)
    competition.refresh_from_db()


def _bid(
    competition: Competition,
    *,
    user: User,
    prices: dict[str, dict[int, str]],
    submit: bool = True,
    partner: tuple[str, str] | None = None,
) -> Bid:
    """Write and (if `submit`) send a bid for the named lots with prices per year."""
    bid = bid_services.bid_start(competition=competition, user=user)
    lots = {lot.name: lot for lot in competition.lots.all()}
    chosen = [lots[name] for name in prices]
    bid_services.bid_lots_set(bid=bid, user=user, lot_ids=[lot.pk for lot in chosen])
    for question in competition.questions.order_by("number"):
        for lot in chosen if answered_per_lot(question) else [None]:
            if question.kind == QuestionKind.PASS_FAIL:
                answer = {"confirmed": True}
            elif lot is not None:
                answer = {
                    "text": f"In {lot.name} we already work with the probation delivery unit, the council's "
                    "housing team and local charities. We meet them every month."
                }
            else:
                answer = {
                    "text": "Each person gets a named key worker within two working days. We agree a plan with "
                    "them and their probation practitioner, and check it every month."
                }
            bid_services.bid_answer_save(bid=bid, user=user, question=question, lot=lot, **answer)
        if not submit:
            break  # a draft: only the first answer written so far
    for lot in chosen:
        bid_services.bid_prices_save(
            bid=bid, user=user, lot=lot, prices={year: Decimal(v) for year, v in prices[lot.name].items()}
        )
    if partner:
        name, work = partner
        bid_services.bid_partner_add(
            bid=bid,
            user=user,
            organisation=None,
            name=name,
            role="subcontractor",
            share_percent=Decimal("15"),
            lot_ids=[lot.pk for lot in chosen],
            work_description=work,
        )
    if submit:
        bid_services.bid_declarations_confirm(bid=bid, user=user)
        bid_services.bid_submit(bid=bid, user=user)
    return bid


def _score(evaluator: User, bid: Bid, score: int, *, submit: bool) -> None:
    bid = Bid.objects.select_related("competition").get(pk=bid.pk)  # as it is now (sent, bidding closed)
    evaluation.conflict_declare(bid=bid, evaluator=evaluator, has_conflict=False)
    entries = [
        (answer, score, "Clear and specific, with evidence from work they already do.")
        for answer in scored_answers(bid)
    ]
    evaluation.scores_save(evaluator=evaluator, bid=bid, entries=entries, submit=submit)


def _evaluate_and_approve(competition: Competition, *, bid: Bid, people: dict[str, User]) -> list[Award]:
    """Both evaluators score, the commissioner checks pass/fail, agrees scores and recommends;
    the second commissioner (who agreed no scores) approves: the waiting period starts."""
    commissioner, approver = people["commissioner"], people["commissioner2"]
    for evaluator in (people["evaluator"], people["evaluator2"]):
        evaluation.evaluator_assign(competition=competition, user=evaluator, actor=commissioner)
    _score(people["evaluator"], bid, 3, submit=True)
    _score(people["evaluator2"], bid, 4, submit=True)
    bid = Bid.objects.select_related("competition").get(pk=bid.pk)
    for answer in pass_fail_answers(bid):
        evaluation.pass_fail_record(answer=answer, passed=True, note="Certificates seen.", actor=commissioner)
    for answer in scored_answers(bid):
        evaluation.moderation_record(
            answer=answer, score=3, rationale="Agreed 3: good, with some detail missing.", actor=commissioner
        )
    _add_commissioner(competition, user=approver, actor=commissioner)
    awards = []
    for lot in competition.lots.order_by("number"):
        award = award_services.award_recommend(lot=lot, actor=commissioner)
        awards.append(award_services.award_approve(award=award, actor=approver))
    return awards


def _competition_story(people: dict[str, User]) -> None:
    commissioner = people["commissioner"]
    pathway, jo = people["pathway"], people["medway"]
    now = db_now()
    today = now.astimezone(LONDON).date()
    day = datetime.timedelta(days=1)

    # a. OPEN: closes in ten days; Pathway has a draft bid; Medway asked a question, answered.
    open_competition = _competition(
        actor=commissioner,
        title=FIRST_TITLE,
        service_type="accommodation",
        summary="Help people on probation in Kent, Surrey and Sussex find a safe home and keep it.",
        specification=(
            "Providers will find people somewhere safe to live before they leave prison, help them "
            "keep their home, and work with councils and landlords."
        ),
        lots=[
            LotSpec("Kent", KENT, _years("545000", "1200000", "1700000", (220, 480, 650))),
            LotSpec("Surrey", SURREY, _years("310000", "650000", "900000", (120, 260, 350))),
            LotSpec("Sussex", SUSSEX, _years("380000", "800000", "1100000", (150, 320, 430))),
        ],
        contract_start=datetime.date(2027, 4, 1),
        contract_years=3,
        questions=_questions("finding and keeping a home"),
        timetable={
            "clarification_deadline": _london(today + 5 * day, 17),
            "closes_at": _london(today + 10 * day, 12),
            "evaluation_ends_at": _london(today + 31 * day, 17),
            "intended_award_at": _london(today + 42 * day, 12),
        },
        funding=("Kent Police and Crime Commissioner", CoCommissioner.PartyType.PCC, {"Kent": "25"}),
    )
    open_competition = setup.competition_launch(competition=open_competition, actor=commissioner)
    _bid(
        open_competition,
        user=pathway,
        prices={"Kent": {2027: "530000", 2028: "1150000", 2029: "1650000"}},
        submit=False,
    )
    question = clarifications.clarification_ask(
        competition=open_competition,
        user=jo,
        question="We are a small charity. Can we bid for the Kent lot only, and not Surrey or Sussex?",
    )
    clarifications.clarification_answer(
        clarification=question,
        actor=commissioner,
        answer="Yes. You can bid for one lot, some lots or all of them. Each lot is scored on its own.",
    )

    # b. PLANNED: in the public pipeline, not yet open.
    planned = _competition(
        actor=commissioner,
        title=PLANNED_TITLE,
        service_type="personal-wellbeing",
        summary="Support for family ties, emotional wellbeing and a life away from crime.",
        specification="To follow when the opportunity opens.",
        lots=[LotSpec("Kent, Surrey and Sussex", "K", _years("400000", "600000", "600000", (300, 450, 450)))],
        contract_start=datetime.date(2027, 4, 1),
        contract_years=3,
        questions=_questions("their wellbeing"),
        timetable={
            "clarification_deadline": _london(today + 40 * day, 17),
            "closes_at": _london(today + 50 * day, 12),
            "evaluation_ends_at": _london(today + 70 * day, 17),
            "intended_award_at": _london(today + 80 * day, 12),
        },
    )
    setup.competition_plan(competition=planned, actor=commissioner)

    # c. BEING SCORED: closed three days ago; one evaluator has started scoring.
    ete = _competition(
        actor=commissioner,
        title=EVALUATION_TITLE,
        service_type="ete",
        summary="Help people on probation get skills, training and a job.",
        specification="Providers will help people find training and work, and stay in work.",
        lots=[
            LotSpec("Kent", KENT, _years("250000", "500000", "500000", (150, 300, 300))),
            LotSpec("Surrey", SURREY, _years("150000", "300000", "300000", (90, 180, 180))),
            LotSpec("Sussex", SUSSEX, _years("180000", "360000", "360000", (110, 220, 220))),
        ],
        contract_start=datetime.date(2027, 4, 1),
        contract_years=3,
        questions=_questions("training and work"),
        timetable=_soon_timetable(today, now=now, ends_in=11, award_in=18),
    )
    ete = setup.competition_launch(competition=ete, actor=commissioner)
    ete_bid = _bid(
        ete,
        user=pathway,
        prices={
            "Kent": {2027: "240000", 2028: "480000", 2029: "480000"},
            "Surrey": {2027: "145000", 2028: "290000", 2029: "290000"},
            "Sussex": {2027: "175000", 2028: "350000", 2029: "350000"},
        },
        # Medway Women's Support is not qualified for this type of support, so the partner is a
        # local organisation outside the framework.
        partner=("Kent Skills Hub", "Runs the training workshops in Medway and Maidstone."),
    )
    _move_into_past(
        ete,
        launched=_london(today - 38 * day, 9),
        closes=_london(today - 3 * day, 12),
        evaluation_ends=_london(today + 11 * day, 17),
        intended_award=_london(today + 18 * day, 12),
    )
    for evaluator in (people["evaluator"], people["evaluator2"]):
        evaluation.evaluator_assign(competition=ete, user=evaluator, actor=commissioner)
    _score(people["evaluator"], ete_bid, 3, submit=False)

    # d. WAITING PERIOD: scored, agreed, recommended and approved today.
    finance = _competition(
        actor=commissioner,
        title=STANDSTILL_TITLE,
        service_type="finance-benefit-debt",
        summary="Help people on probation in Kent with money, benefits and debt.",
        specification="Providers will help people open a bank account, claim benefits and deal with debt.",
        lots=[LotSpec("Kent", KENT, _years("120000", "240000", "240000", (200, 400, 400)))],
        contract_start=datetime.date(2027, 4, 1),
        contract_years=3,
        questions=_questions("money, benefits and debt"),
        timetable=_soon_timetable(today, now=now, ends_in=20, award_in=25),
    )
    finance = setup.competition_launch(competition=finance, actor=commissioner)
    finance_bid = _bid(finance, user=pathway, prices={"Kent": {2027: "115000", 2028: "230000", 2029: "230000"}})
    _move_into_past(
        finance,
        launched=_london(today - 60 * day, 9),
        closes=_london(today - 21 * day, 12),
        evaluation_ends=_london(today - 3 * day, 17),
        intended_award=_london(today - day, 12),
    )
    _evaluate_and_approve(finance, bid=finance_bid, people=people)

    # e. AWARDED: as d, then the waiting period moved into the past and the contracts made.
    awarded = _competition(
        actor=commissioner,
        title=AWARDED_TITLE,
        service_type="accommodation",
        summary="Somewhere safe to live for people leaving prison in Surrey and Sussex.",
        specification="Providers will find and support homes for people leaving prison.",
        lots=[
            LotSpec("Surrey", SURREY, {2026: ("60000", 30), 2027: ("420000", 200), 2028: ("380000", 180)}),
            LotSpec("Sussex", SUSSEX, {2026: ("70000", 35), 2027: ("500000", 240), 2028: ("450000", 210)}),
        ],
        contract_start=datetime.date(2027, 2, 1),
        contract_years=2,
        questions=_questions("finding and keeping a home"),
        timetable=_soon_timetable(today, now=now, ends_in=30, award_in=35),
    )
    awarded = setup.competition_launch(competition=awarded, actor=commissioner)
    awarded_bid = _bid(
        awarded,
        user=pathway,
        prices={
            "Surrey": {2026: "58000", 2027: "410000", 2028: "370000"},
            "Sussex": {2026: "68000", 2027: "490000", 2028: "440000"},
        },
        partner=("Surrey Tenancy Friends", "Tenancy support visits in Guildford and Woking."),
    )
    # The contracts have been running since 1 May 2026: the whole timetable sits before that.
    start = DELIVERY_START
    _move_into_past(
        awarded,
        launched=_london(start - 190 * day, 9),
        closes=_london(start - 150 * day, 12),
        evaluation_ends=_london(start - 125 * day, 17),
        intended_award=_london(start - 120 * day, 12),
    )
    Competition.objects.filter(pk=awarded.pk).update(contract_start=start)
    contracts = {}
    for award in _evaluate_and_approve(awarded, bid=awarded_bid, people=people):
        # The waiting period ended months ago (see the module docstring for why this is an update).
        Award.objects.filter(pk=award.pk).update(
            recommended_at=_london(start - 122 * day, 10),
            approved_at=_london(start - 120 * day, 12),
            standstill_ends_at=_london(start - 108 * day, 0),
        )
        award.refresh_from_db()
        contract = contract_create_for_award(award=award, actor=people["commissioner2"])
        Contract.objects.filter(pk=contract.pk).update(created_at=_london(start - 107 * day, 9))
        contracts[award.lot.name] = contract
    _delivery_story(contracts, people=people, today=today)


# The awarded contracts started on this day; by the time anyone loads the demo, months of
# delivery (and claims) lie behind them.
DELIVERY_START = datetime.date(2026, 5, 1)


def _month(first: datetime.date, months: int) -> datetime.date:
    month = first.month - 1 + months
    return datetime.date(first.year + month // 12, month % 12 + 1, 1)


def _claim(contract: Contract, *, period: datetime.date, amount: str, user: User, note: str = "") -> PaymentClaim:
    return contract_services.claim_send(
        contract=contract, period_start=period, quantity=None, amount=Decimal(amount), note=note, actor=user
    )


def _backdate_claim(claim: PaymentClaim, *, sent: datetime.date, queried=None, approved=None, paid=None) -> None:
    """Claims are sent "now" by the services; these updates put them when they happened."""
    PaymentClaim.objects.filter(pk=claim.pk).update(
        sent_at=_london(sent, 10),
        queried_at=_london(queried, 11) if queried else None,
        approved_at=_london(approved, 15) if approved else None,
        paid_on=paid,
        paid_recorded_at=_london(paid, 16) if paid else None,
    )


def _partner_payments(contract: Contract, *, pathway: User, today: datetime.date) -> None:
    """Pathway pays its partner for each month it was paid for: in time, except one paid late
    (44 days after Pathway was paid) and the latest not paid yet; one payment corrected."""
    partner = terms_in_force(contract).partners.first()
    paid = contract.claims.filter(paid_on__isnull=False, queried_at__isnull=True, corrects__isnull=True).order_by(
        "period_start"
    )
    days_after = [12, 9, 44, 16]  # the last paid month gets nothing yet
    for claim, days in zip(paid, days_after, strict=False):
        paid_on = claim.paid_on + datetime.timedelta(days=days)
        if paid_on > today:
            continue
        payment = partner_payment_record(
            contract=contract,
            partner=partner,
            period_start=claim.period_start,
            amount=(claim.amount * partner.share_percent / 100).quantize(Decimal("0.01")),
            paid_on=paid_on,
            note="Monthly share of the fixed fee.",
            actor=pathway,
        )
        PartnerPayment.objects.filter(pk=payment.pk).update(recorded_at=_london(paid_on, 14))
        if days == 9:
            extra_on = paid_on + datetime.timedelta(days=20)
            if extra_on <= today:
                correction = partner_payment_correct(
                    payment=payment,
                    amount=Decimal("120"),
                    paid_on=extra_on,
                    note="Travel costs for the Woking visits, agreed afterwards.",
                    actor=pathway,
                )
                PartnerPayment.objects.filter(pk=correction.pk).update(recorded_at=_london(extra_on, 14))


def _delivery_story(contracts: dict[str, Contract], *, people: dict[str, User], today: datetime.date) -> None:
    """Surrey: contract managers named, monthly claims (paid on time, one paid late, one queried
        and sent again, one owed, one waiting), payments to its partner, a variation agreed (more people in 2027 to 2028) and
        an extension waiting for Pathway to accept it. Sussex: ended early, with notice. Each says who
    it is for."""
    commissioner, approver, pathway = people["commissioner"], people["commissioner2"], people["pathway"]
    surrey, sussex = contracts["Surrey"], contracts["Sussex"]
    contract_services.contract_set_manager(
        contract=surrey, side="commissioner", manager=commissioner, actor=commissioner
    )
    contract_services.contract_set_manager(contract=surrey, side="provider", manager=pathway, actor=pathway)

    # Monthly claims, each sent on the 5th of the next month (a fixed fee, in arrears).
    plan = [  # months after the start: (days to approve, days to pay, or None)
        (0, 5, 28),
        (1, 4, 21),
        (2, 6, 45),  # paid late: 45 days after the claim
        (4, 5, 26),
        (5, 6, None),  # approved, not yet paid: owed
    ]
    for months, to_approve, to_pay in plan:
        period = _month(DELIVERY_START, months)
        sent = _month(period, 1) + datetime.timedelta(days=4)
        approved = sent + datetime.timedelta(days=to_approve)
        if approved > today:
            continue  # not yet sent and approved (the demo is loaded early)
        paid = sent + datetime.timedelta(days=to_pay) if to_pay else None
        claim = _claim(surrey, period=period, amount="4800", user=pathway, note="Fixed monthly fee.")
        claim = contract_services.claim_approve(claim=claim, actor=commissioner)
        _backdate_claim(claim, sent=sent, approved=approved, paid=paid if paid and paid <= today else None)
    # August: queried (two months claimed at once), sent again, approved and paid.
    august = _month(DELIVERY_START, 3)
    if _month(august, 2) <= today and not surrey.claims.filter(period_start=august).exists():
        first = _claim(surrey, period=august, amount="9600", user=pathway, note="August and a missed week.")
        first = contract_services.claim_query(
            claim=first, reason="The fee is £4,800 a month: please claim for August only.", actor=commissioner
        )
        sent = _month(august, 1) + datetime.timedelta(days=4)
        _backdate_claim(first, sent=sent, queried=sent + datetime.timedelta(days=3))
        again = contract_services.claim_send(
            contract=surrey,
            period_start=None,
            quantity=None,
            amount=Decimal("4800"),
            note="August only.",
            actor=pathway,
            replaces=first,
        )
        again = contract_services.claim_approve(claim=again, actor=commissioner)
        resent = sent + datetime.timedelta(days=5)
        _backdate_claim(
            again, sent=resent, approved=resent + datetime.timedelta(days=2), paid=resent + datetime.timedelta(days=18)
        )
    _partner_payments(surrey, pathway=pathway, today=today)
    # Sussex's latest month ended: sent, waiting for the commissioner.
    latest = [start for start, _end in claimable_periods(sussex, terms_in_force(sussex), today=today)]
    if latest:
        _claim(sussex, period=latest[-1], amount="5600", user=pathway, note="Fixed monthly fee.")

    # A variation: twice the referrals expected in Surrey from April 2027.
    variation = contract_services.variation_start(
        contract=surrey,
        ground=VariationGround.UNFORESEEABLE,
        explanation=(
            "A new approved premises opens in Guildford in April 2027, so about 40 more people a year "
            "will need somewhere to live. The value rises in step."
        ),
        actor=commissioner,
    )
    years = {y.financial_year: (y.value, y.volume) for y in variation.years.all()}
    years[2027] = (Decimal("470000"), 240)
    contract_services.variation_change(version=variation, actor=commissioner, years=years)
    contract_services.variation_propose(version=variation, actor=commissioner)
    contract_services.variation_approve(version=variation, actor=approver)
    contract_services.variation_accept(version=variation, actor=pathway)
    # The option to extend: proposed and approved, waiting for Pathway.
    extension = contract_services.extension_propose(
        contract=surrey, years=1, explanation="Results are good and the need continues.", actor=commissioner
    )
    contract_services.variation_approve(version=extension, actor=approver)

    # Who each contract is for, so the practitioner's "Find services" tells them apart: Surrey works
    # with people on licence, from before they leave prison; Sussex takes men from 21, after release.
    set_eligibility(
        contract=surrey,
        actor=commissioner,
        min_age=18,
        max_age=OLDEST,
        sex=EligibleSex.ANY,
        community_orders=False,
        licences=True,
        pre_release=True,
    )
    set_eligibility(
        contract=sussex,
        actor=commissioner,
        min_age=21,
        max_age=OLDEST,
        sex=EligibleSex.MEN,
        community_orders=True,
        licences=True,
        pre_release=False,
    )

    # Sussex ends early: the funding moves to a new county-wide service.
    contract_services.contract_terminate(
        contract=sussex,
        reason=TerminationReason.NO_LONGER_NEEDED,
        explanation="Sussex is moving this funding into a new county-wide housing service.",
        notice_on=today,
        terminates_on=max(today, datetime.date(2027, 3, 31)),
        actor=commissioner,
    )


# --- Referrals (issue 12) --------------------------------------------------------------------------------

# Clearly invented people (Z case reference numbers are never issued), in the order the story refers
# them: the second and fourth go to Sussex, which takes men from 21 (`_delivery_story`), so both are
# men over 21; Surrey takes anyone from 18 on licence. Each has a sex as probation records it (what
# the contract's eligibility asks) and a gender as they describe it.
_DEMO_PEOPLE = [
    ("Z900001", "Ash", "Quistwhistle", datetime.date(1991, 3, 14), PersonSex.MALE, "Male"),
    ("Z900006", "Frankie", "Nettlethorpe", datetime.date(1994, 9, 17), PersonSex.MALE, "Male"),
    ("Z900003", "Cass", "Brindlecombe", datetime.date(1999, 11, 23), PersonSex.FEMALE, "Non-binary"),
    ("Z900004", "Dale", "Marrowmere", datetime.date(1978, 1, 30), PersonSex.MALE, "Male"),
    ("Z900005", "Eden", "Tumblewold", datetime.date(2001, 5, 9), PersonSex.FEMALE, "Female"),
    ("Z900002", "Billie", "Fenworth", datetime.date(1986, 7, 2), PersonSex.FEMALE, "Female"),
    ("Z900007", "Glen", "Sorrelbrook", datetime.date(1983, 12, 5), PersonSex.MALE, "Male"),
    ("Z900008", "Harper", "Gorsestead", datetime.date(1996, 4, 21), PersonSex.FEMALE, "Female"),
]


def _demo_referral(contract: Contract, practitioner: User, person: tuple, *, send: bool = True):
    """A referral as the practitioner makes it: a draft saved page by page, then (usually) sent."""
    crn, first, last, born, sex, gender = person
    today = db_now().astimezone(LONDON).date()
    referral = referral_services.referral_create(actor=practitioner, contract=contract)
    referral_services.referral_update(
        actor=practitioner,
        referral=referral,
        crn=crn,
        first_name=first,
        last_name=last,
        date_of_birth=born,
        sex=sex,
        gender=gender,
        phone="07700 900" + crn[-3:],  # Ofcom's numbers for drama
        preferred_language="English",
        needs_interpreter=False,
    )
    referral_services.referral_update(
        actor=practitioner,
        referral=referral,
        order_type=SupervisionOrder.LICENCE,
        order_end_on=today + datetime.timedelta(days=300),
        max_rar_days=10,
        risk_summary="Invented for the demo: low risk to staff. Meet in the office first.",
        complete_by=today + datetime.timedelta(days=90),
    )
    category = contract.service_type.categories.order_by("display_order").first()
    referral_services.referral_set_categories(
        actor=practitioner,
        referral=referral,
        choices={
            category.pk: {
                "complexity": ComplexityLevel.objects.filter(category=category, code="medium").first().pk,
                "outcomes": list(DesiredOutcome.objects.filter(category=category).values_list("id", flat=True)[:2]),
            }
        },
    )
    if send:
        referral = referral_services.referral_send(actor=practitioner, referral=referral)
    return referral


def _demo_plan(referral, *, caseworker: User, practitioner: User | None):
    """Assigned to the caseworker, an initial assessment booked, the action plan sent (and approved
    if `practitioner` is given)."""
    referral_services.referral_assign(actor=caseworker, referral=referral, caseworker=caseworker)
    referral_services.appointment_book(
        actor=caseworker,
        referral=referral,
        starts_at=db_now() + datetime.timedelta(days=3),
        duration_minutes=60,
        method=AppointmentMethod.PHONE,
    )
    outcomes = ReferralOutcome.objects.filter(referral_category__referral=referral).values_list("id", flat=True)
    referral_services.action_plan_save(
        actor=caseworker,
        referral=referral,
        number_of_sessions=6,
        activities=[
            (outcome, "Weekly meetings to look at options and take the next step together.") for outcome in outcomes
        ],
    )
    referral_services.action_plan_submit(actor=caseworker, referral=referral)
    if practitioner is not None:
        referral_services.action_plan_approve(actor=practitioner, referral=referral, version=1)
    return list(outcomes)


def build_referral_story() -> bool:
    """The demo practitioner's referrals at every stage, to the Surrey and Sussex contracts, made
    through the referrals services (so the audit trail records each step): a draft, sent, assigned,
    a plan waiting for approval, in progress with a missed session the practitioner was told of,
    ended early, cancelled, and completed with its end-of-service report. Once only."""
    practitioner = _user("practitioner@demo.example")
    if Referral.objects.filter(created_by=practitioner).exists():
        return False
    caseworker = _user("bids@pathway.example")
    surrey = Contract.objects.filter(lot__competition__title=AWARDED_TITLE, lot__name="Surrey").first()
    sussex = Contract.objects.filter(lot__competition__title=AWARDED_TITLE, lot__name="Sussex").first()
    if surrey is None or sussex is None:
        return False
    people = iter(_DEMO_PEOPLE)
    # A draft: the person's details and order saved, not sent yet.
    _demo_referral(surrey, practitioner, next(people), send=False)
    # Sent to Pathway, nobody assigned yet.
    _demo_referral(sussex, practitioner, next(people))
    # Assigned, and the action plan waiting for the practitioner's approval.
    _demo_plan(_demo_referral(surrey, practitioner, next(people)), caseworker=caseworker, practitioner=None)
    # Cancelled before the work started.
    cancelled = _demo_referral(sussex, practitioner, next(people))
    referral_services.referral_cancel(actor=practitioner, referral=cancelled, reason=CancelReason.CIRCUMSTANCES)
    # In progress: one session attended, one missed (the practitioner is told), one late.
    in_progress = _demo_referral(surrey, practitioner, next(people))
    _demo_plan(in_progress, caseworker=caseworker, practitioner=practitioner)
    for attendance, engagement, tell, notes in [
        (Attendance.ATTENDED, Engagement.GOOD, False, "Talked about where they could live and what help there is."),
        (Attendance.DID_NOT_ATTEND, "", True, "Did not come and did not answer the phone."),
        (Attendance.LATE, Engagement.SOME, False, "Came 20 minutes late; we looked at two flats online."),
    ]:
        referral_services.session_record(
            actor=caseworker,
            referral=in_progress,
            happened_at=db_now(),
            attendance=attendance,
            engagement=engagement,
            notes=notes,
            tell_practitioner=tell,
        )
    # Ended early by the practitioner after a session.
    ended = _demo_referral(surrey, practitioner, next(people))
    _demo_plan(ended, caseworker=caseworker, practitioner=practitioner)
    referral_services.session_record(
        actor=caseworker,
        referral=ended,
        happened_at=db_now(),
        attendance=Attendance.ATTENDED,
        engagement=Engagement.POOR,
    )
    referral_services.referral_end_early(actor=practitioner, referral=ended, reason=EndReason.NOT_ENGAGING)
    # Completed: sessions, then the end-of-service report sent.
    completed = _demo_referral(surrey, practitioner, next(people))
    outcomes = _demo_plan(completed, caseworker=caseworker, practitioner=practitioner)
    for _ in range(2):
        referral_services.session_record(
            actor=caseworker,
            referral=completed,
            happened_at=db_now(),
            attendance=Attendance.ATTENDED,
            engagement=Engagement.GOOD,
        )
    achievements = [Achievement.ACHIEVED, Achievement.PARTLY]
    referral_services.report_save(
        actor=caseworker,
        referral=completed,
        outcomes={outcome: (achievements[i % 2], "Invented for the demo.") for i, outcome in enumerate(outcomes)},
        further_notes="Invented for the demo: moved into a shared house in Woking.",
    )
    referral_services.report_send(actor=caseworker, referral=completed)
    return True


def build_story() -> bool:
    """Build the story once. Returns False if it was already there."""
    if Competition.objects.filter(title=FIRST_TITLE).exists():
        return False
    people = {
        "assessor": _user("assessor@demo.example"),
        "commissioner": _user("commissioner.kss@demo.example"),
        "commissioner2": _user("commissioner2.kss@demo.example"),
        "evaluator": _user("evaluator@demo.example"),
        "evaluator2": _user("evaluator2@demo.example"),
        "pathway": _user("bids@pathway.example"),
        "medway": _user("jo@medway-womens.example"),
    }
    _qualification_story(people["assessor"])
    _competition_story(people)
    return True


WHAT_TO_SEE = [
    ("commissioner.kss@demo.example", "five opportunities: planned, open, being scored, waiting period, awarded"),
    ("commissioner2.kss@demo.example", "approved the awards (four eyes)"),
    ("assessor@demo.example", "Brighton Recovery Network's application is waiting, with a help request"),
    ("evaluator@demo.example", "draft scores on the education, training and employment bid"),
    (
        "bids@pathway.example",
        "a draft bid for accommodation; contracts for Surrey (claims, payments to its partner, one late, a "
        "variation, an extension to accept) and Sussex (ending early)",
    ),
    (
        "jo@medway-womens.example",
        "qualified in Kent; asked a question about the open accommodation opportunity; a reply to a request for help",
    ),
    ("alex@second-chances.example", "a decision letter: accommodation in Cardiff only, with the reason"),
    (
        "practitioner@demo.example",
        "Find services: for a person in Kent, Surrey or Sussex, by the help they need, their age, sex and order",
    ),
    (
        "admin@demo.example",
        "staff and their roles; the administration tool (/admin/) to edit areas and types of support",
    ),
]
