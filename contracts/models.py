"""Call-off contracts: made for each awarded lot once its waiting period (standstill) is over."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import Organisation
from competitions.models import MONEY, PERCENT, Award, Lot, PaymentFrequency
from contracts import rules
from reference.models import Area, ServiceType

USER = settings.AUTH_USER_MODEL


class TerminationReason(models.TextChoices):
    PROVIDER_FAILURE = "provider_failure", "The provider did not deliver what the contract requires"
    PROVIDER_REQUEST = "provider_request", "The provider asked to end it"
    NO_LONGER_NEEDED = "no_longer_needed", "The service is no longer needed"
    INSOLVENCY = "insolvency", "The provider became insolvent"
    MUTUAL = "mutual", "Both sides agreed to end it"
    OTHER = "other", "Another reason the contract allows"


class PaymentModel(models.TextChoices):
    FIXED_FEE = "fixed_fee", "A fixed fee for each period"
    PEOPLE_STARTED = "people_started", "An amount for each person who starts"
    SESSIONS = "sessions", "An amount for each session delivered"


# Who a contract's service is for (issue 12). Probation supervises adults, so 18 is the youngest
# anyone can be referred; 120 bounds the oldest.
YOUNGEST = 18
OLDEST = 120


class EligibleSex(models.TextChoices):
    ANY = "any", "Anyone"
    WOMEN = "women", "Women only"
    MEN = "men", "Men only"


class PersonSex(models.TextChoices):
    """A person's sex, as a practitioner gives it when finding a service for them and as a referral
    records it from their probation record (`referrals.models.Referral.sex`)."""

    FEMALE = "female", "Female"
    MALE = "male", "Male"


class OrderType(models.TextChoices):
    """What a person is supervised under."""

    COMMUNITY_ORDER = "community_order", "Community order"
    LICENCE = "licence", "Licence"


class Contract(models.Model):
    lot = models.OneToOneField(Lot, on_delete=models.PROTECT, related_name="contract")
    award = models.OneToOneField(Award, on_delete=models.PROTECT, related_name="contract")
    # Denormalised from the lot and competition so the register needs no joins through bids.
    title = models.CharField(max_length=300)
    service_type = models.ForeignKey(ServiceType, on_delete=models.PROTECT, related_name="contracts")
    areas = models.ManyToManyField(Area, related_name="contracts")
    supplier = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="contracts")
    starts_on = models.DateField()
    ends_on = models.DateField()
    extension_years = models.PositiveSmallIntegerField(default=0)
    payment_frequency = models.CharField(max_length=20, choices=PaymentFrequency.choices)
    payment_days = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # The fields above are the terms as made and never change; what was agreed since is in
    # `ContractVersion` (ADR 9). The named contract manager on each side:
    commissioner_manager = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="contracts_managed"
    )
    provider_manager = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="contracts_managed_for_provider"
    )
    # Termination: recorded once, with the day notice was given and the day the contract ends.
    termination_reason = models.CharField(max_length=20, choices=TerminationReason.choices, blank=True)
    termination_explanation = models.TextField(blank=True)
    termination_notice_on = models.DateField(null=True, blank=True)
    terminates_on = models.DateField(null=True, blank=True)
    termination_recorded_at = models.DateTimeField(null=True, blank=True)
    termination_recorded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # Who may be referred: the opportunity's commissioners set it (`contract_set_eligibility`,
    # audited with before and after), open to every adult until they do. It is not a version of
    # the terms (ADR 9): it narrows whom practitioners may send, changing neither the price, the
    # volumes nor what the provider delivers, so it needs no second approval or provider acceptance.
    # Practitioners find services by it (`rules.person_admitted`).
    min_age = models.PositiveSmallIntegerField(
        default=YOUNGEST, validators=[MinValueValidator(YOUNGEST), MaxValueValidator(OLDEST)]
    )
    max_age = models.PositiveSmallIntegerField(
        default=OLDEST, validators=[MinValueValidator(YOUNGEST), MaxValueValidator(OLDEST)]
    )
    eligible_sex = models.CharField(max_length=10, choices=EligibleSex.choices, default=EligibleSex.ANY)
    for_community_orders = models.BooleanField(default=True)
    for_licences = models.BooleanField(default=True)
    # Work with people still in prison, before they are released.
    pre_release = models.BooleanField(default=True)

    class Meta:
        ordering = ["-starts_on", "title"]
        indexes = [models.Index(fields=["service_type", "ends_on"], name="contract_type_end_idx")]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(terminates_on__isnull=True, termination_notice_on__isnull=True, termination_reason="")
                    | Q(
                        terminates_on__isnull=False,
                        termination_notice_on__isnull=False,
                        termination_recorded_at__isnull=False,
                        terminates_on__gte=F("termination_notice_on"),
                    )
                    & Q(terminates_on__gte=F("starts_on"))
                    & ~Q(termination_reason="")
                ),
                name="contract_termination_whole",
            ),
            models.CheckConstraint(
                condition=Q(min_age__gte=YOUNGEST, max_age__lte=OLDEST, min_age__lte=F("max_age")),
                name="contract_eligible_ages",
            ),
            models.CheckConstraint(
                condition=Q(for_community_orders=True) | Q(for_licences=True), name="contract_eligible_orders"
            ),
            models.CheckConstraint(condition=Q(eligible_sex__in=EligibleSex.values), name="contract_eligible_sex"),
        ]

    def __str__(self) -> str:
        return self.title


class ContractYear(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="years")
    financial_year = models.PositiveSmallIntegerField()
    value = models.DecimalField(**MONEY)
    volume = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["contract", "financial_year"]
        constraints = [models.UniqueConstraint(fields=["contract", "financial_year"], name="contractyear_unique")]


class Subcontract(models.Model):
    """A partner delivering part of a contract, and its share of the work."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="subcontracts")
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="subcontracts"
    )
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=20)
    share_percent = models.DecimalField(**PERCENT)


class ContractFunding(models.Model):
    """A funding partner's share of the contract (from the lot's co-commissioners)."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="funding")
    name = models.CharField(max_length=200)
    party_type = models.CharField(max_length=20)
    share_percent = models.DecimalField(**PERCENT)


class VersionKind(models.TextChoices):
    AS_MADE = "as_made", "The contract as made"
    VARIATION = "variation", "Variation"
    EXTENSION = "extension", "Extension"


class VariationGround(models.TextChoices):
    """The permitted grounds for changing a contract during its term (Procurement Act 2023, schedule 8)."""

    PROVIDED_FOR = "provided_for", "Provided for in the contract (a clear review clause or option)"
    UNFORESEEABLE = "unforeseeable", "Circumstances nobody could have foreseen"
    ADDITIONAL = "additional", "Additional services that only this provider can sensibly deliver"
    URGENCY = "urgency", "Urgency, to protect life or public order"
    RESTRUCTURING = "restructuring", "The provider was restructured or taken over"
    DE_MINIMIS = "de_minimis", "Below the de minimis limit (a small change in value)"
    NOT_SUBSTANTIAL = "not_substantial", "Not a substantial change"


class ContractVersion(models.Model):
    """One set of a contract's terms. Version 1 is the contract as made; each variation or
    extension is a new version: drafted and proposed by a commissioner, approved by another
    (four eyes), accepted by the provider. Versions are never edited once proposed; the terms in
    force are the latest accepted version (`contracts.rules.VERSION_IN_FORCE`, ADR 9)."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=20, choices=VersionKind.choices)
    ground = models.CharField(max_length=20, choices=VariationGround.choices, blank=True)
    explanation = models.TextField(blank=True)
    # The terms.
    ends_on = models.DateField()
    extension_years = models.PositiveSmallIntegerField(default=0)  # years this version adds, if an extension
    payment_frequency = models.CharField(max_length=20, choices=PaymentFrequency.choices)
    payment_days = models.PositiveSmallIntegerField()
    payment_working_days = models.BooleanField(default=False)
    payment_model = models.CharField(max_length=20, choices=PaymentModel.choices, default=PaymentModel.FIXED_FEE)
    areas = models.ManyToManyField(Area, related_name="+")
    # Its life.
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(null=True, blank=True)
    proposed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    declined_at = models.DateTimeField(null=True, blank=True)
    declined_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    declined_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["contract", "number"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "number"], name="contractversion_number_unique"),
            # One change at a time: a draft or proposal still open blocks another.
            models.UniqueConstraint(
                fields=["contract"],
                condition=Q(accepted_at__isnull=True, declined_at__isnull=True),
                name="contractversion_one_open",
            ),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("proposed_by")),
                name="contractversion_four_eyes",
            ),
            models.CheckConstraint(
                condition=Q(approved_at__isnull=True) | Q(proposed_at__isnull=False),
                name="contractversion_approved_after_proposed",
            ),
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(approved_at__isnull=False),
                name="contractversion_accepted_after_approved",
            ),
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(declined_at__isnull=True),
                name="contractversion_accepted_or_declined",
            ),
            # Every change after the first has a permitted ground and a proposer.
            models.CheckConstraint(
                condition=Q(kind=VersionKind.AS_MADE, number=1)
                | (~Q(kind=VersionKind.AS_MADE) & ~Q(ground="") & Q(number__gt=1)),
                name="contractversion_ground",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract} version {self.number}"


class ContractVersionYear(models.Model):
    """Value and people in one financial year (April to March) under one version of the terms."""

    version = models.ForeignKey(ContractVersion, on_delete=models.CASCADE, related_name="years")
    financial_year = models.PositiveSmallIntegerField()
    value = models.DecimalField(**MONEY, validators=[MinValueValidator(0)])
    volume = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["version", "financial_year"]
        constraints = [
            models.UniqueConstraint(fields=["version", "financial_year"], name="contractversionyear_unique"),
            models.CheckConstraint(condition=Q(value__gte=0), name="contractversionyear_value_not_negative"),
        ]


class ContractVersionPartner(models.Model):
    """A partner's share of the work under one version of the terms."""

    version = models.ForeignKey(ContractVersion, on_delete=models.CASCADE, related_name="partners")
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=20)
    share_percent = models.DecimalField(**PERCENT)

    class Meta:
        ordering = ["version", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(share_percent__gt=0, share_percent__lte=100), name="contractversionpartner_share"
            ),
        ]


class PaymentClaim(models.Model):
    """What the provider claims for one payment period, as sent. A claim is never edited: a
    queried claim is answered by a new claim for the same period that `replaces` it, and an
    approved one is corrected by a new positive or negative claim that `corrects` it. At most one
    claim per period is standing (not queried, not a correction: a database constraint), so two
    claims cannot overlap."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="claims")
    period_start = models.DateField()
    period_end = models.DateField()
    # People started or sessions delivered, as the payment model says; none for a fixed fee.
    quantity = models.PositiveIntegerField(null=True, blank=True)
    # Negative only in a correction (a claim that `corrects` an approved one).
    amount = models.DecimalField(**MONEY)
    note = models.TextField(blank=True)
    # A correction after approval is a new claim for the same period, never an edit of the approved one.
    corrects = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections")
    # Needed when the year's claims would pass the year's contract value.
    over_value_reason = models.TextField(blank=True)
    replaces = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by")
    sent_at = models.DateTimeField()
    sent_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    queried_at = models.DateTimeField(null=True, blank=True)
    queried_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    query_reason = models.TextField(blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    paid_on = models.DateField(null=True, blank=True)
    paid_recorded_at = models.DateTimeField(null=True, blank=True)
    paid_recorded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["contract", "period_start", "sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "period_start"],
                condition=Q(queried_at__isnull=True, corrects__isnull=True),
                name="paymentclaim_one_per_period",
            ),
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="paymentclaim_period"),
            models.CheckConstraint(
                condition=Q(amount__gte=0) | Q(corrects__isnull=False), name="paymentclaim_amount_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(approved_at__isnull=True) | Q(queried_at__isnull=True),
                name="paymentclaim_approved_or_queried",
            ),
            models.CheckConstraint(
                condition=Q(queried_at__isnull=True) | ~Q(query_reason=""), name="paymentclaim_query_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(paid_on__isnull=True) | Q(approved_at__isnull=False),
                name="paymentclaim_paid_after_approved",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract}: claim for {self.period_start:%B %Y}"

    # Where a claim stands, from its timestamps: each asked once here, by the services that
    # refuse a step and by the pages that offer it.
    @property
    def is_waiting(self) -> bool:
        """Sent, neither queried nor approved yet: the commissioner decides it (`rules.CLAIM_WAITING`)."""
        return rules.CLAIM_WAITING.holds(self)

    @property
    def is_payable(self) -> bool:
        """Approved and not yet marked as paid (`rules.CLAIM_PAYABLE`)."""
        return rules.CLAIM_PAYABLE.holds(self)

    @property
    def is_correctable(self) -> bool:
        """Approved, and not itself a correction (a correction is corrected through its claim)."""
        return self.approved_at is not None and self.corrects_id is None

    def can_be_sent_again(self) -> bool:
        """Queried and not yet answered by a claim that replaces it (sent again once only)."""
        return self.queried_at is not None and not PaymentClaim.objects.filter(replaces=self).exists()


class PartnerPayment(models.Model):
    """What the prime (the contract's supplier) paid one partner for one payment period, as the
    prime recorded it. Never edited: a mistake, or a further amount for the same period, is a new
    positive or negative record that `corrects` the first. One first record per partner per period
    (a database constraint), so two people recording the same payment at once cannot count it
    twice. The partner is one of the terms in force's partners when recorded; `partner_key` names
    it across versions of the terms (its organisation on the framework, or else its name)."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="partner_payments")
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200)
    partner_key = models.CharField(max_length=220)
    period_start = models.DateField()
    period_end = models.DateField()
    # Negative only in a correction.
    amount = models.DecimalField(**MONEY)
    paid_on = models.DateField()
    note = models.TextField(blank=True)
    corrects = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections")
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["contract", "period_start", "name", "recorded_at"]
        indexes = [models.Index(fields=["contract", "partner_key"], name="partnerpayment_partner_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "partner_key", "period_start"],
                condition=Q(corrects__isnull=True),
                name="partnerpayment_one_per_partner_period",
            ),
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="partnerpayment_period"),
            models.CheckConstraint(
                condition=Q(amount__gt=0) | (Q(corrects__isnull=False) & ~Q(amount=0)),
                name="partnerpayment_amount",
            ),
            models.CheckConstraint(condition=Q(paid_on__gte=F("period_start")), name="partnerpayment_paid_in_period"),
        ]

    def __str__(self) -> str:
        return f"{self.contract}: {self.name}, {self.period_start:%B %Y}"

    @staticmethod
    def key_for(partner) -> str:
        """Who a partner is across versions of the terms: its organisation, or else its name."""
        if partner.organisation_id is not None:
            return f"organisation:{partner.organisation_id}"
        return f"name:{partner.name.strip().casefold()}"


class DocumentKind(models.TextChoices):
    SIGNED_CONTRACT = "signed_contract", "Signed contract"
    VARIATION_LETTER = "variation_letter", "Variation letter"
    SCHEDULE = "schedule", "Schedule"
    REPORT = "report", "Report"
    OTHER = "other", "Other"


class ContractDocument(models.Model):
    """A document either side added to a contract: the signed contract, a variation letter, a
    report. Never deleted and never public (not on the public register, not in open data): a
    document added by mistake or replaced is withdrawn, with who, when and why, and stays listed as
    withdrawn. The file is checked by its content and stored under a random name of our own
    (`qualification.uploads`), through Django's default storage."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="documents")
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=DocumentKind.choices)
    file = models.FileField(upload_to="contracts/%Y/%m/")
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    added_at = models.DateTimeField()
    added_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    withdrawn_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["contract", "added_at", "pk"]
        constraints = [
            # Withdrawn as a whole (when, who and why) or not at all.
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True, withdrawn_by__isnull=True, withdrawn_reason="")
                | (Q(withdrawn_at__isnull=False, withdrawn_by__isnull=False) & ~Q(withdrawn_reason="")),
                name="contractdocument_withdrawn_whole",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract}: {self.title}"
