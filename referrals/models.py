"""Referrals: a probation practitioner sends a person on probation to a contracted service; the
provider assigns it, plans the work, delivers sessions and reports the outcome (issue 12).

Everything that identifies the person or says something about them is sealed (`referrals.sealing`,
ADR 12): it cannot be filtered in SQL, and retention erases it (`personal_data_erased_at`) while the
counts stay. Where a referral stands comes from its timestamps (`referrals.rules`, ADR 2); the
services set the denormalised ones (`assigned_at`, `plan_approved_at`, `started_at`) in the same
transaction as the row they summarise, so the status is one indexed look at one row.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import Membership, Organisation
from contracts.models import Contract, PersonSex
from contracts.models import OrderType as ContractOrderType
from reference.models import Area, ServiceCategory
from referrals import rules
from referrals.sealing import SealedBooleanField, SealedDateField, SealedTextField

USER = settings.AUTH_USER_MODEL

# Bounds for what people type (the brief: bound every number and length).
SHORT_TEXT = 200
LONG_TEXT = 4000
MAX_RAR_DAYS = 100
MAX_SESSIONS = 100


# --- Reference data, per service category (editable by administrators in the Django admin) ------


class DesiredOutcome(models.Model):
    """What a person wants to get from support of one kind, e.g. "Find somewhere safe to live"."""

    category = models.ForeignKey(ServiceCategory, on_delete=models.PROTECT, related_name="desired_outcomes")
    code = models.SlugField(max_length=60)
    description = models.CharField(max_length=300)
    display_order = models.PositiveSmallIntegerField(default=0)
    # Withdrawn outcomes stay for the referrals that chose them; new referrals cannot choose them.
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["category", "display_order", "id"]
        constraints = [models.UniqueConstraint(fields=["category", "code"], name="desiredoutcome_code_unique")]

    def __str__(self) -> str:
        return self.description


class ComplexityLevel(models.Model):
    """How much help someone is likely to need with one kind of support (low, medium, high)."""

    category = models.ForeignKey(ServiceCategory, on_delete=models.PROTECT, related_name="complexity_levels")
    code = models.SlugField(max_length=40)
    title = models.CharField(max_length=100)
    description = models.CharField(max_length=500)
    display_order = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["category", "display_order", "id"]
        constraints = [models.UniqueConstraint(fields=["category", "code"], name="complexitylevel_code_unique")]

    def __str__(self) -> str:
        return self.title


# --- The referral ---------------------------------------------------------------------------------


class SupervisionOrder(models.TextChoices):
    """The precise order or licence a referred person is supervised under. Who a contract is for
    speaks of kinds (`contracts.models.OrderType`); `ORDER_KIND` says which kind each is."""

    COMMUNITY_ORDER = "community_order", "Community order"
    SUSPENDED_SENTENCE = "suspended_sentence", "Suspended sentence order"
    LICENCE = "licence", "Licence (after release from prison)"
    POST_SENTENCE_SUPERVISION = "post_sentence", "Post-sentence supervision"


# The one mapping from a referral's order to the kind a contract takes (`Contract.for_community_orders`
# / `for_licences`): a suspended sentence is served in the community like a community order;
# post-sentence supervision follows a licence after release from prison.
ORDER_KIND: dict[SupervisionOrder, ContractOrderType] = {
    SupervisionOrder.COMMUNITY_ORDER: ContractOrderType.COMMUNITY_ORDER,
    SupervisionOrder.SUSPENDED_SENTENCE: ContractOrderType.COMMUNITY_ORDER,
    SupervisionOrder.LICENCE: ContractOrderType.LICENCE,
    SupervisionOrder.POST_SENTENCE_SUPERVISION: ContractOrderType.LICENCE,
}


class EndReason(models.TextChoices):
    """Why a practitioner ended a referral early (after the work started)."""

    RECALLED = "recalled", "The person was recalled to prison"
    NOT_ENGAGING = "not_engaging", "The person is not taking part"
    MOVED = "moved", "The person moved out of the area"
    NEEDS_MET = "needs_met", "The person no longer needs the service"
    ORDER_ENDED = "order_ended", "The order or licence ended"
    OTHER = "other", "Another reason"


class CancelReason(models.TextChoices):
    """Why a practitioner cancelled a referral before the work started."""

    SENT_BY_MISTAKE = "mistake", "It was sent by mistake"
    NO_LONGER_NEEDED = "not_needed", "The person no longer needs the service"
    CIRCUMSTANCES = "circumstances", "The person's circumstances changed"
    OTHER = "other", "Another reason"


class Referral(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="referrals")
    # The contract's prime (its supplier), kept on the row so who may read a referral is a test on
    # this table alone: the provider's inbox is then a range scan of `referral_prime_idx`, not a
    # join to every contract. Set by `referral_create` from the contract; neither a referral's
    # contract nor a contract's supplier is ever changed afterwards (no service or admin does), and
    # `referrals/tests/test_prime.py` holds it equal to `contract.supplier_id` through every service.
    prime = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    # Made when it is sent (two letters, four digits, two letters); a draft has none.
    reference = models.CharField(max_length=8, unique=True, null=True, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="referrals_made")
    # The practitioner's probation region when they started it: their region's team may read it.
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")

    # The person (sealed; NULL once erased). `crn_digest` is the keyed hash it is searched by.
    crn = SealedTextField(max_length=7, null=True, blank=True)
    crn_digest = models.CharField(max_length=64, blank=True, db_index=True)
    first_name = SealedTextField(max_length=100, null=True, blank=True)
    last_name = SealedTextField(max_length=100, null=True, blank=True)
    date_of_birth = SealedDateField(null=True, blank=True)
    # Sex as recorded by probation: what a contract's eligibility asks (`contracts.rules.sex_admitted`).
    # `gender` is how the person describes themselves, free text the service only passes on.
    sex = SealedTextField(max_length=10, choices=PersonSex.choices, null=True, blank=True)
    gender = SealedTextField(max_length=50, null=True, blank=True)
    email = SealedTextField(max_length=254, null=True, blank=True)
    phone = SealedTextField(max_length=30, null=True, blank=True)
    address = SealedTextField(max_length=SHORT_TEXT * 2, null=True, blank=True)
    preferred_language = SealedTextField(max_length=100, null=True, blank=True)
    accessibility_needs = SealedTextField(max_length=LONG_TEXT, null=True, blank=True)
    needs_interpreter = SealedBooleanField(null=True, blank=True)
    interpreter_language = SealedTextField(max_length=100, null=True, blank=True)
    risk_summary = SealedTextField(max_length=LONG_TEXT, null=True, blank=True)
    order_end_on = SealedDateField(null=True, blank=True)

    # Not about who the person is: kept after erasure for the counts.
    order_type = models.CharField(max_length=20, choices=SupervisionOrder.choices, blank=True)
    max_rar_days = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(MAX_RAR_DAYS)]
    )
    complete_by = models.DateField(null=True, blank=True)

    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Who the work is with now (the prime when sent; a partner the prime assigns it to) and the
    # caseworker there, if any: the latest `Assignment`, kept here so who may read a referral is
    # one indexed test on one row.
    provider = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    caseworker = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(null=True, blank=True)  # first given to a caseworker
    plan_approved_at = models.DateTimeField(null=True, blank=True)  # first action plan approved
    started_at = models.DateTimeField(null=True, blank=True)  # first session the person came to
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    cancel_reason = models.CharField(max_length=20, choices=CancelReason.choices, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    end_reason = models.CharField(max_length=20, choices=EndReason.choices, blank=True)
    concluded_at = models.DateTimeField(null=True, blank=True)  # the end-of-service report sent
    personal_data_erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["created_by", "-created_at"], name="referral_by_practitioner_idx"),
            models.Index(fields=["area", "-created_at"], name="referral_area_idx"),
            models.Index(fields=["contract", "sent_at"], name="referral_contract_sent_idx"),
            models.Index(fields=["provider", "-sent_at"], name="referral_provider_idx"),
            # The prime's inbox, newest first (`-id` breaks ties, as the list orders).
            models.Index(fields=["prime", "-sent_at", "-id"], name="referral_prime_idx"),
            models.Index(fields=["caseworker", "-sent_at"], name="referral_caseworker_idx"),
        ]
        constraints = [
            # A reference number exactly when sent.
            models.CheckConstraint(
                condition=Q(sent_at__isnull=True, reference__isnull=True)
                | Q(sent_at__isnull=False, reference__isnull=False),
                name="referral_reference_when_sent",
            ),
            # Sent to the provider: with it from the moment it is sent.
            models.CheckConstraint(
                condition=Q(sent_at__isnull=True) | Q(provider__isnull=False), name="referral_sent_has_provider"
            ),
            # Cancelled or ended early, never both; each with its reason.
            models.CheckConstraint(
                condition=Q(cancelled_at__isnull=True) | Q(ended_at__isnull=True), name="referral_cancelled_or_ended"
            ),
            models.CheckConstraint(
                condition=Q(cancelled_at__isnull=True, cancel_reason="")
                | (Q(cancelled_at__isnull=False, sent_at__isnull=False) & ~Q(cancel_reason="")),
                name="referral_cancel_whole",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True, end_reason="")
                | (Q(ended_at__isnull=False, sent_at__isnull=False) & ~Q(end_reason="")),
                name="referral_end_whole",
            ),
            # Each step after sending needs the one before it.
            models.CheckConstraint(
                condition=Q(assigned_at__isnull=True) | Q(sent_at__isnull=False), name="referral_assigned_after_sent"
            ),
            models.CheckConstraint(
                condition=Q(plan_approved_at__isnull=True) | Q(assigned_at__isnull=False),
                name="referral_plan_after_assigned",
            ),
            models.CheckConstraint(
                condition=Q(concluded_at__isnull=True) | Q(sent_at__isnull=False, cancelled_at__isnull=True),
                name="referral_concluded_after_sent",
            ),
            models.CheckConstraint(
                condition=Q(max_rar_days__isnull=True) | Q(max_rar_days__gte=0, max_rar_days__lte=MAX_RAR_DAYS),
                name="referral_rar_days_bounded",
            ),
            # Erased: nothing about the person is left.
            models.CheckConstraint(
                condition=Q(personal_data_erased_at__isnull=True)
                | Q(crn__isnull=True, first_name__isnull=True, last_name__isnull=True, crn_digest=""),
                name="referral_erased_empty",
            ),
        ]

    def __str__(self) -> str:
        # Never the person: this is what the audit trail and the admin show.
        return f"Referral {self.reference}" if self.reference else f"Draft referral {self.pk}"

    @property
    def status(self) -> str:
        # A list annotates `listed_status` from the same rules (`rules.status_expression`).
        listed = self.__dict__.get("listed_status")
        return listed if listed is not None else rules.status_of(self)

    @property
    def status_label(self) -> str:
        return rules.STATUS_LABELS[self.status]

    @property
    def person_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)


class ReferralCategory(models.Model):
    """One kind of support the referral asks for, and how complex the person's needs are there."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="categories")
    category = models.ForeignKey(ServiceCategory, on_delete=models.PROTECT, related_name="+")
    complexity = models.ForeignKey(ComplexityLevel, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["referral", "category__display_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["referral", "category"], name="referralcategory_unique"),
        ]


class ReferralOutcome(models.Model):
    """A desired outcome chosen for one kind of support on one referral."""

    referral_category = models.ForeignKey(ReferralCategory, on_delete=models.CASCADE, related_name="outcomes")
    outcome = models.ForeignKey(DesiredOutcome, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["referral_category", "outcome__display_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["referral_category", "outcome"], name="referraloutcome_unique"),
        ]


# --- The provider's side ----------------------------------------------------------------------------


class ReferralManager(models.Model):
    """A member an organisation's administrator lets manage referrals (read the inbox, assign
    caseworkers). Administrators manage them anyway. Revoked, the row stays as history."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="referral_manager_grants")
    granted_at = models.DateTimeField(default=timezone.now)
    granted_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["membership", "-granted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["membership"], condition=Q(revoked_at__isnull=True), name="referralmanager_one_current"
            ),
        ]


class Assignment(models.Model):
    """Who the work is with, in order: the prime assigns it to a partner organisation, and a
    referral manager there (or at the prime) to a caseworker. Never changed; the latest is current."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="assignments")
    number = models.PositiveSmallIntegerField()
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    caseworker = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(default=timezone.now)
    assigned_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["referral", "number"]
        constraints = [models.UniqueConstraint(fields=["referral", "number"], name="assignment_number_unique")]


class AppointmentMethod(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    PHONE = "phone", "Phone call"
    VIDEO = "video", "Video call"


class Attendance(models.TextChoices):
    ATTENDED = "attended", "Came on time"
    LATE = "late", "Came late"
    DID_NOT_ATTEND = "did_not_attend", "Did not come"


class Engagement(models.TextChoices):
    GOOD = "good", "Took part well"
    SOME = "some", "Took part a little"
    POOR = "poor", "Did not take part"


class Appointment(models.Model):
    """The initial assessment: when and how the caseworker first meets the person. Booked again,
    a new row; the latest is current."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="appointments")
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField(validators=[MinValueValidator(15), MaxValueValidator(480)])
    method = models.CharField(max_length=20, choices=AppointmentMethod.choices)
    # Where, if in person: may be the person's home, so sealed.
    location = SealedTextField(max_length=SHORT_TEXT * 2, null=True, blank=True)
    booked_at = models.DateTimeField(default=timezone.now)
    booked_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    attendance = models.CharField(max_length=20, choices=Attendance.choices, blank=True)
    attendance_recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["referral", "booked_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=15, duration_minutes__lte=480), name="appointment_duration_bounded"
            ),
            models.CheckConstraint(
                condition=Q(attendance="", attendance_recorded_at__isnull=True)
                | (~Q(attendance="") & Q(attendance_recorded_at__isnull=False)),
                name="appointment_attendance_whole",
            ),
        ]


class ActionPlan(models.Model):
    """What the provider will do, version by version. A version is drafted, sent to the practitioner
    (submitted) and approved; changing an approved plan makes a new version, so what was approved
    stays as it was."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="action_plans")
    version = models.PositiveSmallIntegerField()
    number_of_sessions = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(MAX_SESSIONS)]
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["referral", "version"]
        constraints = [
            models.UniqueConstraint(fields=["referral", "version"], name="actionplan_version_unique"),
            # One version not yet approved at a time.
            models.UniqueConstraint(
                fields=["referral"], condition=Q(approved_at__isnull=True), name="actionplan_one_open"
            ),
            models.CheckConstraint(
                condition=Q(approved_at__isnull=True) | Q(submitted_at__isnull=False),
                name="actionplan_approved_after_submitted",
            ),
            models.CheckConstraint(
                condition=Q(submitted_at__isnull=True) | Q(number_of_sessions__isnull=False),
                name="actionplan_submitted_whole",
            ),
            models.CheckConstraint(
                condition=Q(number_of_sessions__isnull=True)
                | Q(number_of_sessions__gte=1, number_of_sessions__lte=MAX_SESSIONS),
                name="actionplan_sessions_bounded",
            ),
        ]


class PlanActivity(models.Model):
    """One thing the provider will do towards one desired outcome."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="activities")
    outcome = models.ForeignKey(ReferralOutcome, on_delete=models.PROTECT, related_name="+")
    description = SealedTextField(max_length=LONG_TEXT, null=True, blank=True)

    class Meta:
        ordering = ["plan", "id"]


class DeliverySession(models.Model):
    """One session delivered under the approved plan, as the caseworker recorded it."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="sessions")
    number = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(MAX_SESSIONS)])
    plan = models.ForeignKey(ActionPlan, on_delete=models.PROTECT, related_name="sessions")
    happened_at = models.DateTimeField()
    attendance = models.CharField(max_length=20, choices=Attendance.choices)
    engagement = models.CharField(max_length=20, choices=Engagement.choices, blank=True)
    notes = SealedTextField(max_length=LONG_TEXT, null=True, blank=True)
    tell_practitioner = models.BooleanField(default=False)
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["referral", "number"]
        indexes = [models.Index(fields=["happened_at"], name="session_happened_idx")]
        constraints = [
            models.UniqueConstraint(fields=["referral", "number"], name="session_number_unique"),
            # Someone who did not come cannot have taken part.
            models.CheckConstraint(
                condition=Q(attendance=Attendance.DID_NOT_ATTEND, engagement="")
                | (~Q(attendance=Attendance.DID_NOT_ATTEND) & ~Q(engagement="")),
                name="session_engagement_when_attended",
            ),
            models.CheckConstraint(condition=Q(number__gte=1, number__lte=MAX_SESSIONS), name="session_number_bounded"),
        ]

    @property
    def delivered(self) -> bool:
        return self.attendance != Attendance.DID_NOT_ATTEND


class Achievement(models.TextChoices):
    ACHIEVED = "achieved", "Achieved"
    PARTLY = "partly", "Partly achieved"
    NOT_ACHIEVED = "not_achieved", "Not achieved"


class EndOfServiceReport(models.Model):
    """What the provider says came of the work, outcome by outcome. Sent, it concludes the referral."""

    referral = models.OneToOneField(Referral, on_delete=models.CASCADE, related_name="report")
    further_notes = SealedTextField(max_length=LONG_TEXT, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(sent_at__isnull=True, sent_by__isnull=True)
                | Q(sent_at__isnull=False, sent_by__isnull=False),
                name="report_sent_whole",
            ),
            models.CheckConstraint(
                condition=Q(sent_at__gte=F("created_at")) | Q(sent_at__isnull=True), name="report_sent_after_made"
            ),
        ]


class ReportOutcome(models.Model):
    report = models.ForeignKey(EndOfServiceReport, on_delete=models.CASCADE, related_name="outcomes")
    outcome = models.ForeignKey(ReferralOutcome, on_delete=models.PROTECT, related_name="+")
    achievement = models.CharField(max_length=20, choices=Achievement.choices)
    notes = SealedTextField(max_length=LONG_TEXT, null=True, blank=True)

    class Meta:
        ordering = ["report", "id"]
        constraints = [models.UniqueConstraint(fields=["report", "outcome"], name="reportoutcome_unique")]
