"""Call-off contracts: made for each awarded lot once its waiting period (standstill) is over."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import Organisation
from competitions.models import MONEY, PERCENT, Award, Lot, PaymentFrequency
from reference.models import Area, ServiceType

USER = settings.AUTH_USER_MODEL


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

    class Meta:
        ordering = ["-starts_on", "title"]
        indexes = [models.Index(fields=["service_type", "ends_on"], name="contract_type_end_idx")]

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
