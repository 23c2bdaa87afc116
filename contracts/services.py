"""Making a contract for an awarded lot once its waiting period is over."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from audit.services import audit_record, snapshot
from competitions.models import Award, BidPrice
from competitions.selectors.award import contract_refusal
from competitions.services.bids import BidIntegrityError, bids_require_integrity
from contracts.models import Contract, ContractFunding, ContractYear, Subcontract
from core.clock import LONDON


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


CONTRACT_INTEGRITY_MESSAGE = (
    "The contract cannot be made: what is stored for the winning bid does not match what was sent. "
    "The service team has been told and will check it."
)


def contract_create_for_award(*, award: Award, actor=None) -> Contract:
    """Make the contract for an awarded lot: supplier, partners, areas, values and volumes per
    financial year, term, payment terms and funding partners' shares. Idempotent: a second call
    returns the contract already made. `actor` is None when the periodic task makes it.

    The prices and partners come from the winning bid, so it must pass the integrity check first
    (ADR 7): a ValidationError otherwise, and the failure is logged and audited (outside the
    contract's transaction, so the refusal cannot roll the audit event back)."""
    award = Award.objects.select_related("bid__organisation", "bid__competition").get(pk=award.pk)
    if award.bid_id and not Contract.objects.filter(award=award).exists():
        try:
            bids_require_integrity(bids=[award.bid], user=actor, purpose="contract")
        except BidIntegrityError:
            raise ValidationError(CONTRACT_INTEGRITY_MESSAGE, code="integrity") from None
    return _contract_create(award=award, actor=actor)


@transaction.atomic
def _contract_create(*, award: Award, actor) -> Contract:
    award = (
        Award.objects.select_for_update(of=("self",))
        .select_related("lot__competition", "bid__organisation")
        .get(pk=award.pk)
    )
    existing = Contract.objects.filter(award=award).first()
    if existing is not None:
        return existing
    refusal = contract_refusal(award)
    if refusal:
        raise ValidationError(refusal)
    lot = award.lot
    competition = lot.competition
    supplier = award.bid.organisation if award.bid_id else award.direct_organisation
    starts_on = competition.contract_start or award.standstill_ends_at.astimezone(LONDON).date()
    contract = Contract(
        lot=lot,
        award=award,
        title=f"{competition.title}: {lot.name}",
        service_type=competition.service_type,
        supplier=supplier,
        starts_on=starts_on,
        ends_on=_add_years(starts_on, competition.contract_years) - datetime.timedelta(days=1),
        extension_years=competition.extension_years,
        payment_frequency=competition.payment_frequency,
        payment_days=competition.payment_days,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    contract.full_clean()
    contract.save()
    contract.areas.set(lot.areas.all())
    prices: dict[int, Decimal] = {}
    if award.bid_id:
        prices = dict(
            BidPrice.objects.filter(bid_lot__bid=award.bid, bid_lot__lot=lot).values_list("financial_year", "amount")
        )
    for lot_year in lot.years.all():
        ContractYear.objects.create(
            contract=contract,
            financial_year=lot_year.financial_year,
            # A direct award has no bid price: the lot's estimated value stands until agreed otherwise.
            value=prices.get(lot_year.financial_year, lot_year.value),
            volume=lot_year.volume,
        )
    if award.bid_id:
        for partner in award.bid.partners.prefetch_related("lots"):
            partner_lots = list(partner.lots.all())
            if partner_lots and lot not in partner_lots:
                continue
            Subcontract.objects.create(
                contract=contract,
                organisation=partner.organisation,
                name=partner.name,
                role=partner.role,
                share_percent=partner.share_percent,
            )
    for share in lot.funding.select_related("co_commissioner"):
        ContractFunding.objects.create(
            contract=contract,
            name=share.co_commissioner.name,
            party_type=share.co_commissioner.party_type,
            share_percent=share.share_percent,
        )
    after = snapshot(contract) | {
        "years": list(contract.years.values("financial_year", "value", "volume")),
        "subcontracts": list(contract.subcontracts.values("name", "share_percent")),
        "funding": list(contract.funding.values("name", "share_percent")),
    }
    audit_record(
        actor=actor if contract.created_by_id else "system", action="contract.created", obj=contract, after=after
    )
    return contract
