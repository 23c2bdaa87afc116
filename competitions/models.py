"""Call-off competitions ("opportunities"): lots, invitations, clarifications, sealed bids,
evaluation, award and the waiting period before a contract.

State comes from timestamps; `competitions.selectors.status` derives each stage from them and
the clock. Bid content is sealed: read it only through `competitions.permissions.can_read_bid`.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Organisation
from competitions import rules
from competitions.sealing import (
    SealedBooleanField,
    SealedDecimalField,
    SealedIntegerField,
    SealedJSONField,
    SealedTextField,
)
from reference.models import Area, ServiceType

USER = settings.AUTH_USER_MODEL
MONEY = {"max_digits": 14, "decimal_places": 2}
PERCENT = {"max_digits": 5, "decimal_places": 2, "validators": [MinValueValidator(0), MaxValueValidator(100)]}


class PaymentFrequency(models.TextChoices):
    MONTHLY_IN_ARREARS = "monthly_arrears", "Monthly in arrears"
    QUARTERLY_IN_ARREARS = "quarterly_arrears", "Quarterly in arrears"
    MONTHLY_IN_ADVANCE = "monthly_advance", "Monthly in advance"


class ScoringScale(models.TextChoices):
    ZERO_TO_FOUR = "0-4", "0 to 4"
    ZERO_TO_FIVE = "0-5", "0 to 5"
    ZERO_TO_TEN = "0-10", "0 to 10"


SCALE_MAX = {ScoringScale.ZERO_TO_FOUR: 4, ScoringScale.ZERO_TO_FIVE: 5, ScoringScale.ZERO_TO_TEN: 10}


class TieBreak(models.TextChoices):
    QUALITY_THEN_PRICE = "quality_then_price", "Higher quality score wins, then the lower price"
    PRICE_THEN_QUALITY = "price_then_quality", "Lower price wins, then the higher quality score"


class CompetitionQuerySet(models.QuerySet):
    def bidding_closed(self, *, now: datetime.datetime | None = None) -> CompetitionQuerySet:
        return self.filter(rules.BIDDING_CLOSED.q(now=now))

    def bidding_open(self, *, now: datetime.datetime | None = None) -> CompetitionQuerySet:
        return self.filter(rules.BIDDING_OPEN.q(now=now))

    def planned(self) -> CompetitionQuerySet:
        return self.filter(rules.PLANNED.q())

    def public(self) -> CompetitionQuerySet:
        return self.filter(rules.MADE_PUBLIC.q())

    def announced(self) -> CompetitionQuerySet:
        return self.filter(rules.ANNOUNCED.q())

    def open_or_planned(self, *, now: datetime.datetime | None = None) -> CompetitionQuerySet:
        return self.filter(rules.OPEN_OR_PLANNED.q(now=now))


class Competition(models.Model):
    title = models.CharField(max_length=200)
    reference = models.CharField(max_length=30, unique=True, blank=True)
    service_type = models.ForeignKey(ServiceType, on_delete=models.PROTECT, related_name="competitions")
    # The region or PCC area whose commissioners run it.
    owner_area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    summary = models.TextField(blank=True)
    specification = models.TextField(blank=True)

    # Contract terms
    contract_start = models.DateField(null=True, blank=True)
    contract_years = models.PositiveSmallIntegerField(default=3)
    extension_years = models.PositiveSmallIntegerField(default=0)
    payment_frequency = models.CharField(
        max_length=20, choices=PaymentFrequency.choices, default=PaymentFrequency.MONTHLY_IN_ARREARS
    )
    payment_days = models.PositiveSmallIntegerField(default=30)
    max_lots_per_provider = models.PositiveSmallIntegerField(null=True, blank=True)

    # Evaluation model: quality question weights + price_weight + social_value_weight == 100.
    price_weight = models.DecimalField(default=Decimal("30"), **PERCENT)
    social_value_weight = models.DecimalField(default=Decimal("10"), **PERCENT)
    scoring_scale = models.CharField(max_length=5, choices=ScoringScale.choices, default=ScoringScale.ZERO_TO_FOUR)
    tie_break = models.CharField(max_length=30, choices=TieBreak.choices, default=TieBreak.QUALITY_THEN_PRICE)
    # A price this far below the mean of compliant prices for a lot is flagged as abnormally low.
    abnormally_low_percent = models.DecimalField(default=Decimal("20"), **PERCENT)

    # Timetable (stored in UTC, entered and shown in London time)
    clarification_deadline = models.DateTimeField(null=True, blank=True)
    closes_at = models.DateTimeField(null=True, blank=True)
    evaluation_ends_at = models.DateTimeField(null=True, blank=True)
    intended_award_at = models.DateTimeField(null=True, blank=True)
    standstill_days = models.PositiveSmallIntegerField(default=8)

    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    planned_at = models.DateTimeField(null=True, blank=True)
    planned_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    launched_at = models.DateTimeField(null=True, blank=True)
    launched_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    abandoned_at = models.DateTimeField(null=True, blank=True)
    abandoned_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    abandoned_reason = models.TextField(blank=True)

    objects = CompetitionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["launched_at", "closes_at"], name="competition_timetable_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(launched_at__isnull=True) | Q(closes_at__isnull=False),
                name="competition_launched_has_deadline",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def is_bidding_closed(self, *, now: datetime.datetime | None = None) -> bool:
        return rules.BIDDING_CLOSED.holds(self, now=now)

    def is_bidding_open(self, *, now: datetime.datetime | None = None) -> bool:
        return rules.BIDDING_OPEN.holds(self, now=now)

    @property
    def is_planned(self) -> bool:
        return rules.PLANNED.holds(self)

    @property
    def is_public(self) -> bool:
        return rules.MADE_PUBLIC.holds(self)

    @property
    def is_announced(self) -> bool:
        return rules.ANNOUNCED.holds(self)

    def is_open_or_planned(self, *, now: datetime.datetime | None = None) -> bool:
        return rules.OPEN_OR_PLANNED.holds(self, now=now)


class CompetitionMember(models.Model):
    """The commissioners and evaluators of one competition: the only staff who may ever read its bids."""

    class MemberRole(models.TextChoices):
        COMMISSIONER = "commissioner", "Commissioner"
        EVALUATOR = "evaluator", "Evaluator"

    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="competition_memberships")
    role = models.CharField(max_length=20, choices=MemberRole.choices)
    added_at = models.DateTimeField(default=timezone.now)
    added_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["competition", "user", "role"], name="member_unique")]

    def __str__(self) -> str:
        return f"{self.user} ({self.role}) on {self.competition}"


class CompetitionDocument(models.Model):
    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(max_length=200)
    file = models.FileField(upload_to="competitions/%Y/%m/")
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    # Anyone may download it while the opportunity is planned or open (see
    # `competitions.permissions_documents`); otherwise only the competition's team and, once
    # launched, the organisations it was sent to.
    public = models.BooleanField(default=False)
    uploaded_at = models.DateTimeField(default=timezone.now)
    uploaded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return self.title


class Lot(models.Model):
    """One part of a competition: usually one area (a region or PCC area), or a group of local authorities."""

    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="lots")
    number = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200)
    areas = models.ManyToManyField(Area, related_name="lots")
    abandoned_at = models.DateTimeField(null=True, blank=True)
    abandoned_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    abandoned_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["competition", "number"]
        constraints = [models.UniqueConstraint(fields=["competition", "number"], name="lot_number_unique")]

    def __str__(self) -> str:
        return f"Lot {self.number}: {self.name}"


class LotYear(models.Model):
    """Estimated value and people for one financial year (April to March) of a lot."""

    lot = models.ForeignKey(Lot, on_delete=models.CASCADE, related_name="years")
    # The year the financial year starts in: 2027 means April 2027 to March 2028.
    financial_year = models.PositiveSmallIntegerField()
    value = models.DecimalField(**MONEY, validators=[MinValueValidator(0)])
    volume = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["lot", "financial_year"]
        constraints = [models.UniqueConstraint(fields=["lot", "financial_year"], name="lotyear_unique")]

    def __str__(self) -> str:
        return f"{self.lot} {self.financial_year}/{(self.financial_year + 1) % 100:02d}"


class LotYearRevision(models.Model):
    """Every published change to an estimated value or volume, so the history can be shown."""

    lot_year = models.ForeignKey(LotYear, on_delete=models.CASCADE, related_name="revisions")
    value = models.DecimalField(**MONEY)
    volume = models.PositiveIntegerField()
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["lot_year", "recorded_at"]


class CoCommissioner(models.Model):
    """A funding partner, e.g. a police and crime commissioner or a local authority."""

    class PartyType(models.TextChoices):
        PCC = "pcc", "Police and crime commissioner"
        LOCAL_AUTHORITY = "local_authority", "Local authority"
        HEALTH = "health", "NHS body"
        OTHER = "other", "Other public body"

    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="co_commissioners")
    name = models.CharField(max_length=200)
    party_type = models.CharField(max_length=20, choices=PartyType.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["competition", "name"], name="cocommissioner_unique")]

    def __str__(self) -> str:
        return self.name


class LotFunding(models.Model):
    """A funding partner's share of one lot (percent of its value)."""

    lot = models.ForeignKey(Lot, on_delete=models.CASCADE, related_name="funding")
    co_commissioner = models.ForeignKey(CoCommissioner, on_delete=models.CASCADE, related_name="shares")
    share_percent = models.DecimalField(**PERCENT)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["lot", "co_commissioner"], name="lotfunding_unique")]


class QuestionKind(models.TextChoices):
    QUALITY = "quality", "Quality"
    SOCIAL_VALUE = "social_value", "Social value"
    PASS_FAIL = "pass_fail", "Pass or fail"


class Question(models.Model):
    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="questions")
    number = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=20, choices=QuestionKind.choices)
    text = models.TextField()
    guidance = models.TextField(blank=True)
    word_limit = models.PositiveIntegerField(null=True, blank=True)
    # Quality and social value questions: share of the 100 marks. Pass/fail: 0.
    weight = models.DecimalField(default=Decimal("0"), **PERCENT)
    # Answered once per lot bid for, instead of once for the whole bid.
    lot_specific = models.BooleanField(default=False)

    class Meta:
        ordering = ["competition", "number"]
        constraints = [models.UniqueConstraint(fields=["competition", "number"], name="question_number_unique")]

    def __str__(self) -> str:
        return f"Question {self.number}"


class CompetitionInvitation(models.Model):
    """An organisation invited to bid (eligible) or told about it as a possible partner."""

    class Kind(models.TextChoices):
        ELIGIBLE = "eligible", "Can bid"
        PARTNER = "partner", "Possible partner"

    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="invitations")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="competition_invitations")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    lots = models.ManyToManyField(Lot, related_name="invitations")
    invited_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["competition", "organisation"], name="competition_invitation_unique")
        ]


class Clarification(models.Model):
    """A question about an opportunity, asked privately and answered to every invited organisation."""

    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="clarifications")
    asked_by_organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    asked_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    asked_at = models.DateTimeField(default=timezone.now)
    question = models.TextField()
    answer = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["asked_at"]


class BidQuerySet(models.QuerySet):
    def sent(self) -> BidQuerySet:
        return self.filter(rules.SENT.q())

    def sent_and_closed(self, *, now: datetime.datetime | None = None) -> BidQuerySet:
        """Sent bids of competitions whose bidding has closed: the only bids anyone outside the
        bidding organisation may ever see or count."""
        return self.filter(rules.SENT.q() & rules.BIDDING_CLOSED.q(prefix="competition__", now=now))


class Bid(models.Model):
    """One organisation's bid for one competition, covering any number of its lots.

    Submitted when submitted_at is set and not later withdrawn. Sealed until the closing date.
    """

    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="bids")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="bids")
    started_at = models.DateTimeField(default=timezone.now)
    started_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # SHA-256 of the canonical JSON of exactly what was submitted (see the receipt).
    submitted_digest = models.CharField(max_length=64, blank=True)
    # What the bid says is encrypted at rest (`competitions.sealing`, ADR 7), here and in the
    # answers, prices, partners and documents below.
    submitted_content = SealedJSONField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # Declarations made on submitting.
    declarations_confirmed_at = models.DateTimeField(null=True, blank=True)

    objects = BidQuerySet.as_manager()

    class Meta:
        constraints = [
            # One bid per organisation per competition; withdrawing and resubmitting reuses it.
            models.UniqueConstraint(fields=["competition", "organisation"], name="bid_one_per_org_per_competition"),
        ]

    def __str__(self) -> str:
        return f"Bid from {self.organisation} for {self.competition}"

    @property
    def is_sent(self) -> bool:
        return rules.SENT.holds(self)

    def is_sent_and_closed(self, *, now: datetime.datetime | None = None) -> bool:
        return self.is_sent and self.competition.is_bidding_closed(now=now)


class BidReceipt(models.Model):
    """Each submission or withdrawal, with the time and digest: what the bidder was told."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        WITHDRAWN = "withdrawn", "Withdrawn"

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="receipts")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    at = models.DateTimeField()
    by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    digest = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["bid", "at"]


class BidLot(models.Model):
    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="bid_lots")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="bid_lots")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["bid", "lot"], name="bidlot_unique")]


class BidAnswer(models.Model):
    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    # Set only for lot-specific questions.
    lot = models.ForeignKey(Lot, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    text = SealedTextField(blank=True, default="")
    # Pass/fail questions: the bidder's yes/no.
    confirmed = SealedBooleanField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["bid", "question"], condition=Q(lot__isnull=True), name="bidanswer_unique_whole_bid"
            ),
            models.UniqueConstraint(
                fields=["bid", "question", "lot"], condition=Q(lot__isnull=False), name="bidanswer_unique_per_lot"
            ),
        ]


class BidPrice(models.Model):
    """The price for one lot in one financial year."""

    bid_lot = models.ForeignKey(BidLot, on_delete=models.CASCADE, related_name="prices")
    financial_year = models.PositiveSmallIntegerField()
    amount = SealedDecimalField(**MONEY, validators=[MinValueValidator(0)])

    class Meta:
        constraints = [models.UniqueConstraint(fields=["bid_lot", "financial_year"], name="bidprice_unique")]


class BidPartner(models.Model):
    """A consortium member or subcontractor, qualified on the framework or not, and its share."""

    class PartnerRole(models.TextChoices):
        CONSORTIUM = "consortium", "Consortium member"
        SUBCONTRACTOR = "subcontractor", "Subcontractor"

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="partners")
    # The partner's organisation on the framework, if it is on it. Sealed like the name: a foreign
    # key would tell whoever holds a dump which organisation a bid names (ADR 7).
    organisation_id = SealedIntegerField(null=True, blank=True)
    name = SealedTextField(max_length=200)
    role = models.CharField(max_length=20, choices=PartnerRole.choices, default=PartnerRole.SUBCONTRACTOR)
    share_percent = SealedDecimalField(**PERCENT)
    lots = models.ManyToManyField(Lot, related_name="+", blank=True)
    work_description = SealedTextField(blank=True, default="")

    @property
    def organisation(self) -> Organisation | None:
        if self.organisation_id is None:
            return None
        cached = getattr(self, "_organisation", None)
        if cached is None or cached.pk != self.organisation_id:
            cached = Organisation.objects.filter(pk=self.organisation_id).first()
            self._organisation = cached
        return cached

    @organisation.setter
    def organisation(self, organisation: Organisation | None) -> None:
        self._organisation = organisation
        self.organisation_id = organisation.pk if organisation is not None else None


class BidDocument(models.Model):
    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="documents")
    title = SealedTextField(max_length=200)
    # The stored file is encrypted too (`competitions.sealing.seal_file`); `sha256` is of the
    # document as uploaded, checked on every download.
    file = models.FileField(upload_to="bids/%Y/%m/")
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(default=timezone.now)
    uploaded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")


# --- Evaluation ---------------------------------------------------------------------------


class ConflictDeclaration(models.Model):
    """An evaluator's declaration, per bidder, made before reading any bid."""

    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="conflict_declarations")
    evaluator = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="conflict_declarations")
    has_conflict = models.BooleanField()
    details = models.TextField(blank=True)
    declared_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["evaluator", "bid"], name="conflict_one_per_evaluator_bid")]


class Score(models.Model):
    """One evaluator's independent score for one answer (quality or social value)."""

    evaluator = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    answer = models.ForeignKey(BidAnswer, on_delete=models.CASCADE, related_name="scores")
    score = models.PositiveSmallIntegerField()
    justification = models.TextField()
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["evaluator", "answer"], name="score_one_per_evaluator_answer")]


class ModeratedScore(models.Model):
    """The agreed score for one answer after moderation, with the reason."""

    answer = models.OneToOneField(BidAnswer, on_delete=models.CASCADE, related_name="moderated")
    score = models.PositiveSmallIntegerField()
    rationale = models.TextField()
    moderated_at = models.DateTimeField(default=timezone.now)
    moderated_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")


class PassFailResult(models.Model):
    answer = models.OneToOneField(BidAnswer, on_delete=models.CASCADE, related_name="pass_fail")
    passed = models.BooleanField()
    note = models.TextField(blank=True)
    decided_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")


# --- Award ------------------------------------------------------------------------------


class AwardQuerySet(models.QuerySet):
    def final(self, *, now: datetime.datetime | None = None) -> AwardQuerySet:
        return self.filter(rules.AWARD_FINAL.q(now=now))

    def published(self) -> AwardQuerySet:
        return self.filter(rules.AWARD_PUBLISHED.q())


class Award(models.Model):
    """The result for one lot: recommended, approved by someone else (four eyes), then the
    waiting period (standstill); a challenge pauses it. Or a direct award with a justification."""

    lot = models.OneToOneField(Lot, on_delete=models.CASCADE, related_name="award")
    bid = models.ForeignKey(Bid, null=True, blank=True, on_delete=models.PROTECT, related_name="awards")
    # Direct award (no compliant bid): the organisation and why.
    direct_organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    direct_justification = models.TextField(blank=True)
    recommended_at = models.DateTimeField(default=timezone.now)
    recommended_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    standstill_ends_at = models.DateTimeField(null=True, blank=True)
    challenged_at = models.DateTimeField(null=True, blank=True)
    challenge_details = models.TextField(blank=True)
    challenge_resolved_at = models.DateTimeField(null=True, blank=True)
    challenge_resolution = models.TextField(blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    objects = AwardQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(bid__isnull=False) | Q(direct_organisation__isnull=False), name="award_has_winner"
            ),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=models.F("recommended_by")),
                name="award_four_eyes",
            ),
        ]

    def is_final(self, *, now: datetime.datetime | None = None) -> bool:
        return rules.AWARD_FINAL.holds(self, now=now)

    @property
    def is_published(self) -> bool:
        return rules.AWARD_PUBLISHED.holds(self)


class OutcomeLetter(models.Model):
    """What each bidder is told about each lot they bid for."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="outcome_letters")
    lot = models.ForeignKey(Lot, on_delete=models.CASCADE, related_name="outcome_letters")
    successful = models.BooleanField()
    body = models.TextField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["bid", "lot"], name="outcome_letter_unique")]
