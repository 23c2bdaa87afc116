"""Factories for competitions: a launched competition with lots, questions and bids in one call."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from competitions.models import (
    Bid,
    BidAnswer,
    BidLot,
    BidPrice,
    Competition,
    CompetitionInvitation,
    CompetitionMember,
    Lot,
    LotYear,
    Question,
    QuestionKind,
)
from competitions.selectors.answers import answer_targets
from reference.models import Area, ServiceType
from tests.factories import OrganisationFactory, UserFactory, make_user_with_role


class CompetitionFactory(DjangoModelFactory):
    class Meta:
        model = Competition

    title = factory.Sequence(lambda n: f"Accommodation services {n}")
    reference = factory.Sequence(lambda n: f"PSDF-{n:04d}")
    service_type = factory.LazyFunction(lambda: ServiceType.objects.get(code="accommodation"))
    owner_area = factory.LazyFunction(lambda: Area.objects.get(code="K"))
    summary = "Help people on probation find and keep a home."
    specification = "Providers will help people find somewhere safe to live."
    contract_start = datetime.date(2027, 7, 1)
    contract_years = 3
    price_weight = Decimal("30")
    social_value_weight = Decimal("10")
    created_by = factory.SubFactory(UserFactory)


class LotFactory(DjangoModelFactory):
    class Meta:
        model = Lot
        skip_postgeneration_save = True

    competition = factory.SubFactory(CompetitionFactory)
    number = factory.Sequence(lambda n: n + 1)
    name = "Kent"

    @factory.post_generation
    def areas(self, create, extracted, **kwargs):
        if create:
            self.areas.set(extracted or [Area.objects.get(level="pcc_area", name=self.name)])


class LotYearFactory(DjangoModelFactory):
    class Meta:
        model = LotYear

    lot = factory.SubFactory(LotFactory)
    financial_year = 2027
    value = Decimal("500000")
    volume = 200


class QuestionFactory(DjangoModelFactory):
    class Meta:
        model = Question

    competition = factory.SubFactory(CompetitionFactory)
    number = factory.Sequence(lambda n: n + 1)
    kind = QuestionKind.QUALITY
    text = "How will you help people find a home quickly?"
    word_limit = 500
    weight = Decimal("30")


def make_competition(
    *,
    lots: list[str] = ("Kent", "Surrey", "Sussex"),
    years: tuple[int, ...] = (2027, 2028, 2029),
    closes_in: datetime.timedelta = datetime.timedelta(days=14),
    launched: bool = True,
    commissioner=None,
    evaluators: int = 0,
) -> Competition:
    """A competition in region K with one lot per named PCC area, three financial years each, the
    default evaluation model (quality 60 = 30 + 30, price 30, social value 10) and a pass/fail question."""
    commissioner = commissioner or make_user_with_role("commissioner", area_code="K")
    now = timezone.now()
    competition = CompetitionFactory(
        created_by=commissioner,
        clarification_deadline=now + closes_in - datetime.timedelta(days=5),
        closes_at=now + closes_in,
        evaluation_ends_at=now + closes_in + datetime.timedelta(days=14),
        intended_award_at=now + closes_in + datetime.timedelta(days=21),
        launched_at=now if launched else None,
        launched_by=commissioner if launched else None,
        planned_at=now,
        planned_by=commissioner,
    )
    CompetitionMember.objects.create(
        competition=competition, user=commissioner, role="commissioner", added_by=commissioner
    )
    for index in range(evaluators):
        evaluator = make_user_with_role("evaluator", full_name=f"Evaluator {index + 1}")
        CompetitionMember.objects.create(
            competition=competition, user=evaluator, role="evaluator", added_by=commissioner
        )
    for number, name in enumerate(lots, start=1):
        lot = LotFactory(competition=competition, number=number, name=name)
        for offset, year in enumerate(years):
            LotYearFactory(lot=lot, financial_year=year, value=Decimal("400000") + offset * 100000, volume=150)
    QuestionFactory(competition=competition, number=1, weight=Decimal("30"), text="How will you find people a home?")
    QuestionFactory(
        competition=competition,
        number=2,
        weight=Decimal("30"),
        text="How will you work with local services in this area?",
        lot_specific=True,
    )
    QuestionFactory(
        competition=competition,
        number=3,
        kind=QuestionKind.SOCIAL_VALUE,
        weight=Decimal("10"),
        text="What social value will you add?",
    )
    QuestionFactory(
        competition=competition,
        number=4,
        kind=QuestionKind.PASS_FAIL,
        weight=Decimal("0"),
        text="Do you hold the insurance the contract needs?",
        word_limit=None,
    )
    return competition


def invite(competition: Competition, organisation=None, *, kind: str = "eligible") -> CompetitionInvitation:
    organisation = organisation or OrganisationFactory()
    invitation = CompetitionInvitation.objects.create(competition=competition, organisation=organisation, kind=kind)
    invitation.lots.set(competition.lots.all())
    return invitation


def make_bid(
    competition: Competition,
    organisation=None,
    *,
    lots: list[Lot] | None = None,
    submitted: bool = True,
    price: Decimal = Decimal("400000"),
    user=None,
) -> Bid:
    """A complete bid written straight to the database (services are tested separately)."""
    from tests.factories import MembershipFactory

    organisation = organisation or OrganisationFactory()
    if user is None:
        user = UserFactory()
        MembershipFactory(user=user, organisation=organisation, is_admin=True)
    if not competition.invitations.filter(organisation=organisation).exists():
        invite(competition, organisation)
    now = timezone.now()
    bid = Bid.objects.create(competition=competition, organisation=organisation, started_by=user)
    chosen = lots if lots is not None else list(competition.lots.all())
    for lot in chosen:
        bid_lot = BidLot.objects.create(bid=bid, lot=lot)
        for lot_year in lot.years.all():
            BidPrice.objects.create(bid_lot=bid_lot, financial_year=lot_year.financial_year, amount=price)
    for question, lot in answer_targets(competition.questions.order_by("number"), chosen):
        if question.kind == QuestionKind.PASS_FAIL:
            BidAnswer.objects.create(bid=bid, question=question, lot=lot, confirmed=True, updated_by=user)
        else:
            text = f"Our plan for {lot.name}." if lot else "Our answer."
            BidAnswer.objects.create(bid=bid, question=question, lot=lot, text=text, updated_by=user)
    if submitted:
        seal_as_sent(bid, user=user, at=now)
    return bid


def seal_as_sent(bid: Bid, *, user, at: datetime.datetime | None = None) -> Bid:
    """Mark a bid written straight to the database as sent, as `bid_submit` would: its content
    and digest stored, and a receipt, so integrity checks find it exactly as sent."""
    from competitions.models import BidReceipt
    from competitions.selectors.bids import bid_content, content_digest

    at = at or timezone.now()
    bid.declarations_confirmed_at = bid.declarations_confirmed_at or at
    content = bid_content(bid)
    bid.submitted_at = at
    bid.submitted_by = user
    bid.submitted_content = content
    bid.submitted_digest = content_digest(content)
    bid.save()
    BidReceipt.objects.create(bid=bid, kind=BidReceipt.Kind.SUBMITTED, at=at, by=user, digest=bid.submitted_digest)
    return bid
