"""Making a contract for an awarded lot once its waiting period is over, and everything that
happens to it after: contract managers, variations and extensions (each a new version of the
terms, ADR 9), and termination."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum

from audit.services import audit_record, snapshot
from competitions.models import Award, BidPrice
from competitions.selectors.award import contract_refusal
from competitions.services.bids import BidIntegrityError, bids_require_integrity
from contracts import rules, tasks_mail
from contracts.models import (
    Contract,
    ContractFunding,
    ContractVersion,
    ContractVersionPartner,
    ContractVersionYear,
    ContractYear,
    PaymentClaim,
    PaymentModel,
    Subcontract,
    TerminationReason,
    VariationGround,
    VersionKind,
)
from contracts.selectors import (
    claimable_periods,
    extension_years_used,
    manager_candidates,
    payment_periods,
    term_financial_years,
    terms_in_force,
    year_claimed,
)
from core.clock import LONDON, db_now, financial_year_label, financial_year_of
from reference.models import Area


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
    _version_as_made(contract)
    after = snapshot(contract) | {
        "years": list(contract.years.values("financial_year", "value", "volume")),
        "subcontracts": list(contract.subcontracts.values("name", "share_percent")),
        "funding": list(contract.funding.values("name", "share_percent")),
    }
    audit_record(
        actor=actor if contract.created_by_id else "system", action="contract.created", obj=contract, after=after
    )
    return contract


# --- Versions of the terms (ADR 9) -------------------------------------------------------------

MAX_VOLUME = 1_000_000
MAX_VALUE = Decimal("999999999999.99")
MAX_PAYMENT_DAYS = 90


def _version_as_made(contract: Contract) -> ContractVersion:
    """Version 1: the contract's terms as made, in force from the start."""
    version = ContractVersion(
        contract=contract,
        number=1,
        kind=VersionKind.AS_MADE,
        ends_on=contract.ends_on,
        payment_frequency=contract.payment_frequency,
        payment_days=contract.payment_days,
        created_at=contract.created_at,
        created_by=contract.created_by,
        proposed_at=contract.created_at,
        approved_at=contract.created_at,
        accepted_at=contract.created_at,
    )
    version.full_clean()
    version.save()
    version.areas.set(contract.areas.all())
    ContractVersionYear.objects.bulk_create(
        ContractVersionYear(version=version, financial_year=y.financial_year, value=y.value, volume=y.volume)
        for y in contract.years.all()
    )
    ContractVersionPartner.objects.bulk_create(
        ContractVersionPartner(
            version=version, organisation=p.organisation, name=p.name, role=p.role, share_percent=p.share_percent
        )
        for p in contract.subcontracts.all()
        if p.share_percent > 0
    )
    return version


def version_terms(version: ContractVersion) -> dict:
    """A version's terms as plain data: what a change is compared with, and what the audit keeps."""
    return {
        "ends_on": version.ends_on.isoformat(),
        "payment_frequency": version.payment_frequency,
        "payment_days": version.payment_days,
        "payment_working_days": version.payment_working_days,
        "payment_model": version.payment_model,
        "areas": sorted(area.pk for area in version.areas.all()),
        "years": [
            {"financial_year": y.financial_year, "value": str(y.value), "volume": y.volume}
            for y in version.years.order_by("financial_year")
        ],
        "partners": [
            {"name": p.name, "share_percent": str(p.share_percent)} for p in version.partners.order_by("name", "pk")
        ],
    }


def _audit_version(*, actor, action: str, version: ContractVersion, before: dict | None = None, at=None) -> None:
    after = {
        "version": version.number,
        "kind": version.kind,
        "ground": version.ground,
        "explanation": version.explanation,
        "terms": version_terms(version),
    }
    audit_record(actor=actor, action=action, obj=version.contract, before=before, after=after, at=at)


def _today(now: datetime.datetime) -> datetime.date:
    return now.astimezone(LONDON).date()


def _lock_contract(contract: Contract) -> Contract:
    return Contract.objects.select_for_update().get(pk=contract.pk)


def _refuse_if_over(contract: Contract, now: datetime.datetime) -> None:
    terms = terms_in_force(contract)
    if contract.terminates_on is not None:
        raise ValidationError("This contract has been terminated, so it can no longer be changed")
    if terms.ends_on < _today(now):
        raise ValidationError("This contract has ended, so it can no longer be changed")


def _copy_terms(source: ContractVersion, target: ContractVersion) -> None:
    target.areas.set(source.areas.all())
    ContractVersionYear.objects.bulk_create(
        ContractVersionYear(version=target, financial_year=y.financial_year, value=y.value, volume=y.volume)
        for y in source.years.all()
    )
    ContractVersionPartner.objects.bulk_create(
        ContractVersionPartner(
            version=target, organisation=p.organisation, name=p.name, role=p.role, share_percent=p.share_percent
        )
        for p in source.partners.all()
    )


def _new_version(
    *, contract: Contract, kind: str, ground: str, explanation: str, actor, now: datetime.datetime
) -> ContractVersion:
    if ContractVersion.objects.filter(rules.VERSION_OPEN.q(), contract=contract).exists():
        raise ValidationError("Another change to this contract is still open: finish or withdraw it first")
    explanation = explanation.strip()
    if ground not in VariationGround.values:
        raise ValidationError({"ground": "Select the reason for the change"})
    if not explanation:
        raise ValidationError({"explanation": "Explain the change in plain words"})
    current = terms_in_force(contract)
    last = contract.versions.order_by("-number").values_list("number", flat=True).first()
    version = ContractVersion(
        contract=contract,
        number=last + 1,
        kind=kind,
        ground=ground,
        explanation=explanation,
        ends_on=current.ends_on,
        payment_frequency=current.payment_frequency,
        payment_days=current.payment_days,
        payment_working_days=current.payment_working_days,
        payment_model=current.payment_model,
        created_at=now,
        created_by=actor,
    )
    version.full_clean()
    version.save()
    _copy_terms(current, version)
    return version


@transaction.atomic
def contract_set_manager(*, contract: Contract, side: str, manager, actor) -> Contract:
    """Name the contract manager on one side: one of the opportunity's commissioners, or a member
    of the provider."""
    contract = _lock_contract(contract)
    before = {
        "commissioner_manager": contract.commissioner_manager_id,
        "provider_manager": contract.provider_manager_id,
    }
    if side not in ("commissioner", "provider"):
        raise ValidationError("Unknown side")
    if not manager_candidates(contract, side).filter(pk=manager.pk).exists():
        raise ValidationError(
            {
                "manager": "Select one of this opportunity's commissioners"
                if side == "commissioner"
                else "Select someone in your organisation"
            }
        )
    if side == "commissioner":
        contract.commissioner_manager = manager
    else:
        contract.provider_manager = manager
    contract.full_clean()
    contract.save(update_fields=["commissioner_manager", "provider_manager"])
    after = {"commissioner_manager": contract.commissioner_manager_id, "provider_manager": contract.provider_manager_id}
    audit_record(actor=actor, action="contract.manager_named", obj=contract, before=before, after=after)
    return contract


@transaction.atomic
def variation_start(*, contract: Contract, ground: str, explanation: str, actor) -> ContractVersion:
    """A commissioner starts a change: a draft copy of the terms in force, with the permitted
    ground and a plain explanation. Nobody else sees it until it is proposed."""
    contract = _lock_contract(contract)
    now = db_now()
    _refuse_if_over(contract, now)
    version = _new_version(
        contract=contract, kind=VersionKind.VARIATION, ground=ground, explanation=explanation, actor=actor, now=now
    )
    _audit_version(actor=actor, action="contract.variation_started", version=version, at=now)
    return version


def _lock_version(version: ContractVersion) -> ContractVersion:
    return ContractVersion.objects.select_for_update().select_related("contract").get(pk=version.pk)


def _set_end_date(version: ContractVersion, ends_on: datetime.date, today: datetime.date) -> None:
    contract = version.contract
    if ends_on < today:
        raise ValidationError({"ends_on": "The new end date must be today or in the future"})
    if ends_on < contract.starts_on:
        raise ValidationError({"ends_on": "The new end date must be on or after the day the contract starts"})
    version.ends_on = ends_on
    _fit_years(version)


def _fit_years(version: ContractVersion) -> None:
    """Keep a year for each financial year the term touches: drop years past the end, and start
    each new year with the last year's value and people (changed on the years page)."""
    wanted = term_financial_years(version.contract.starts_on, version.ends_on)
    version.years.exclude(financial_year__in=wanted).delete()
    existing = {y.financial_year: y for y in version.years.all()}
    last = max(existing.values(), key=lambda y: y.financial_year, default=None)
    ContractVersionYear.objects.bulk_create(
        ContractVersionYear(
            version=version,
            financial_year=year,
            value=last.value if last else Decimal(0),
            volume=last.volume if last else 0,
        )
        for year in wanted
        if year not in existing
    )


def _set_years(version: ContractVersion, years: dict[int, tuple[Decimal, int]]) -> None:
    wanted = term_financial_years(version.contract.starts_on, version.ends_on)
    if sorted(years) != wanted:
        raise ValidationError("Give a value and a number of people for every year of the contract")
    for year, (value, volume) in years.items():
        if not (Decimal(0) <= value <= MAX_VALUE) or not value.is_finite():
            raise ValidationError({f"value_{year}": "The value must be between £0 and £999,999,999,999.99"})
        if not (0 <= volume <= MAX_VOLUME):
            raise ValidationError({f"volume_{year}": f"The number of people must be between 0 and {MAX_VOLUME:,}"})
        version.years.filter(financial_year=year).update(value=value, volume=volume)


def _set_areas(version: ContractVersion, area_ids: list[int]) -> None:
    areas = list(Area.objects.filter(pk__in=area_ids))
    if not areas or len(areas) != len(set(area_ids)):
        raise ValidationError({"areas": "Select at least one area"})
    version.areas.set(areas)


def _set_partner_shares(version: ContractVersion, shares: dict[int, Decimal]) -> None:
    partners = {p.pk: p for p in version.partners.all()}
    if set(shares) - set(partners):
        raise ValidationError("Change only the partners of this contract")
    for pk, share in shares.items():
        if not share.is_finite() or not (Decimal(0) <= share <= 100) or share != share.quantize(Decimal("0.01")):
            raise ValidationError({f"share_{pk}": "A share must be from 0 to 100, with at most 2 decimal places"})
    total = sum((shares.get(pk, p.share_percent) for pk, p in partners.items()), Decimal(0))
    if total > 100:
        raise ValidationError("Partners' shares must add up to 100% or less")
    for pk, share in shares.items():
        if share == 0:
            # A partner whose share falls to nothing leaves the contract under this version.
            partners[pk].delete()
        else:
            ContractVersionPartner.objects.filter(pk=pk).update(share_percent=share)


def _set_payment_terms(version: ContractVersion, terms: dict) -> None:
    from competitions.models import PaymentFrequency

    if terms.get("payment_frequency") not in PaymentFrequency.values:
        raise ValidationError({"payment_frequency": "Select how often the provider is paid"})
    if terms.get("payment_model") not in PaymentModel.values:
        raise ValidationError({"payment_model": "Select what the provider is paid for"})
    days = terms.get("payment_days")
    if not isinstance(days, int) or not (1 <= days <= MAX_PAYMENT_DAYS):
        raise ValidationError({"payment_days": f"The days to pay must be between 1 and {MAX_PAYMENT_DAYS}"})
    version.payment_frequency = terms["payment_frequency"]
    version.payment_model = terms["payment_model"]
    version.payment_days = days
    version.payment_working_days = bool(terms.get("payment_working_days"))


@transaction.atomic
def variation_change(
    *,
    version: ContractVersion,
    actor,
    ends_on: datetime.date | None = None,
    years: dict[int, tuple[Decimal, int]] | None = None,
    area_ids: list[int] | None = None,
    partner_shares: dict[int, Decimal] | None = None,
    payment_terms: dict | None = None,
) -> ContractVersion:
    """Change one part of a draft variation. Only a draft changes; once proposed it is kept as sent."""
    version = _lock_version(version)
    if version.proposed_at is not None or version.declined_at is not None or version.kind != VersionKind.VARIATION:
        raise ValidationError("This change has been sent or withdrawn, so it can no longer be edited")
    now = db_now()
    before = version_terms(version)
    if ends_on is not None:
        _set_end_date(version, ends_on, _today(now))
    if years is not None:
        _set_years(version, years)
    if area_ids is not None:
        _set_areas(version, area_ids)
    if partner_shares is not None:
        _set_partner_shares(version, partner_shares)
    if payment_terms is not None:
        _set_payment_terms(version, payment_terms)
    version.full_clean()
    version.save()
    _audit_version(actor=actor, action="contract.variation_changed", version=version, before=before, at=now)
    return version


@transaction.atomic
def variation_propose(*, version: ContractVersion, actor) -> ContractVersion:
    """Send a draft for a second commissioner's approval. It must change something."""
    version = _lock_version(version)
    if version.proposed_at is not None or version.declined_at is not None:
        raise ValidationError("This change has already been sent or withdrawn")
    now = db_now()
    _refuse_if_over(version.contract, now)
    if version_terms(version) == version_terms(terms_in_force(version.contract)):
        raise ValidationError("This change does not change anything yet: change at least one of the terms")
    version.proposed_at, version.proposed_by = now, actor
    version.full_clean()
    version.save(update_fields=["proposed_at", "proposed_by"])
    _audit_version(actor=actor, action="contract.variation_proposed", version=version, at=now)
    tasks_mail.send_variation_proposed_emails.enqueue(version_id=version.pk)
    return version


def _check_still_valid(version: ContractVersion, now: datetime.datetime) -> None:
    _refuse_if_over(version.contract, now)
    if version.ends_on < _today(now):
        raise ValidationError("This change would end the contract before today, so it cannot go ahead")
    if version.kind == VersionKind.EXTENSION:
        offered = version.contract.extension_years
        if extension_years_used(version.contract) + version.extension_years > offered:
            raise ValidationError("This extension goes beyond the extension the opportunity offered")


@transaction.atomic
def variation_approve(*, version: ContractVersion, actor) -> ContractVersion:
    """A second commissioner approves a proposed change (four eyes, also a database constraint)."""
    version = _lock_version(version)
    if version.proposed_at is None or version.approved_at is not None or version.declined_at is not None:
        raise ValidationError("This change is not waiting for approval")
    if version.proposed_by_id == actor.pk:
        raise ValidationError("You proposed this change, so another commissioner must approve it")
    now = db_now()
    _check_still_valid(version, now)
    version.approved_at, version.approved_by = now, actor
    version.full_clean()
    version.save(update_fields=["approved_at", "approved_by"])
    _audit_version(actor=actor, action="contract.variation_approved", version=version, at=now)
    tasks_mail.send_variation_approved_emails.enqueue(version_id=version.pk)
    return version


@transaction.atomic
def variation_accept(*, version: ContractVersion, actor) -> ContractVersion:
    """The provider accepts an approved change: from now on these are the terms in force."""
    version = _lock_version(version)
    if version.approved_at is None or version.accepted_at is not None or version.declined_at is not None:
        raise ValidationError("This change is not waiting for you to accept it")
    now = db_now()
    _check_still_valid(version, now)
    version.accepted_at, version.accepted_by = now, actor
    version.full_clean()
    version.save(update_fields=["accepted_at", "accepted_by"])
    _audit_version(actor=actor, action="contract.variation_accepted", version=version, at=now)
    return version


@transaction.atomic
def variation_decline(*, version: ContractVersion, actor, reason: str) -> ContractVersion:
    """Withdraw a draft, refuse to approve a proposal, or (the provider) refuse to accept it. The
    version is kept, with who declined it and why."""
    version = _lock_version(version)
    if version.accepted_at is not None or version.declined_at is not None:
        raise ValidationError("This change has already been accepted or declined")
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why"})
    now = db_now()
    version.declined_at, version.declined_by, version.declined_reason = now, actor, reason
    version.full_clean()
    version.save(update_fields=["declined_at", "declined_by", "declined_reason"])
    _audit_version(actor=actor, action="contract.variation_declined", version=version, at=now)
    return version


@transaction.atomic
def extension_propose(*, contract: Contract, years: int, explanation: str, actor) -> ContractVersion:
    """Propose using an option to extend, within the years of extension the opportunity offered.
    The added years start with the last year's value and people. A second commissioner approves
    it and the provider accepts it, as for any change."""
    contract = _lock_contract(contract)
    now = db_now()
    _refuse_if_over(contract, now)
    remaining = contract.extension_years - extension_years_used(contract)
    if remaining <= 0:
        raise ValidationError("This contract has no option to extend left")
    if not (1 <= years <= remaining):
        raise ValidationError({"years": f"Extend by 1 to {remaining} year{'s' if remaining != 1 else ''}"})
    version = _new_version(
        contract=contract,
        kind=VersionKind.EXTENSION,
        ground=VariationGround.PROVIDED_FOR,
        explanation=explanation,
        actor=actor,
        now=now,
    )
    version.ends_on = _add_years(version.ends_on + datetime.timedelta(days=1), years) - datetime.timedelta(days=1)
    version.extension_years = years
    version.proposed_at, version.proposed_by = now, actor
    version.full_clean()
    version.save()
    _fit_years(version)
    _audit_version(actor=actor, action="contract.extension_proposed", version=version, at=now)
    tasks_mail.send_variation_proposed_emails.enqueue(version_id=version.pk)
    return version


@transaction.atomic
def contract_terminate(
    *,
    contract: Contract,
    reason: str,
    explanation: str,
    notice_on: datetime.date,
    terminates_on: datetime.date,
    actor,
) -> Contract:
    """Record a termination: why, the day notice was given and the contract's last day."""
    contract = _lock_contract(contract)
    now = db_now()
    today = _today(now)
    _refuse_if_over(contract, now)
    if reason not in TerminationReason.values:
        raise ValidationError({"reason": "Select why the contract is ending"})
    if not explanation.strip():
        raise ValidationError({"explanation": "Explain why the contract is ending"})
    if notice_on > today:
        raise ValidationError({"notice_on": "The day notice was given must be today or in the past"})
    if terminates_on < today:
        raise ValidationError({"terminates_on": "The last day must be today or in the future"})
    if terminates_on < notice_on:
        raise ValidationError({"terminates_on": "The last day must be on or after the day notice was given"})
    current_end = terms_in_force(contract).ends_on
    if terminates_on > current_end:
        raise ValidationError({"terminates_on": "The last day must be on or before the contract's end date"})
    if terminates_on < contract.starts_on:
        # Ending a contract before it starts: its last day is the day before it would have started.
        raise ValidationError({"terminates_on": "The last day must be on or after the day the contract starts"})
    contract.termination_reason = reason
    contract.termination_explanation = explanation.strip()
    contract.termination_notice_on = notice_on
    contract.terminates_on = terminates_on
    contract.termination_recorded_at, contract.termination_recorded_by = now, actor
    contract.full_clean()
    contract.save()
    audit_record(
        actor=actor,
        action="contract.terminated",
        obj=contract,
        after=snapshot(
            contract,
            ["termination_reason", "termination_explanation", "termination_notice_on", "terminates_on"],
        ),
        at=now,
    )
    return contract


# --- Payments ------------------------------------------------------------------------------------


def _claim_after(claim: PaymentClaim) -> dict:
    return snapshot(
        claim,
        [
            "period_start",
            "period_end",
            "quantity",
            "amount",
            "note",
            "over_value_reason",
            "replaces",
            "corrects",
            "sent_at",
            "queried_at",
            "query_reason",
            "approved_at",
            "paid_on",
        ],
    ) | {"claim": claim.pk}


def _check_claim_figures(
    *, contract: Contract, terms: ContractVersion, period_start, quantity, amount: Decimal, over_value_reason: str
) -> None:
    if terms.payment_model == PaymentModel.FIXED_FEE:
        if quantity is not None:
            raise ValidationError({"quantity": "This contract pays a fixed fee: leave the number out"})
    elif quantity is None or not (0 <= quantity <= MAX_VOLUME):
        raise ValidationError({"quantity": f"Enter a number from 0 to {MAX_VOLUME:,}"})
    if not amount.is_finite() or not (Decimal(0) <= amount <= MAX_VALUE) or amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({"amount": "Enter an amount from £0 to £999,999,999,999.99, in pounds and pence"})
    year = financial_year_of(period_start)
    year_value = terms.years.filter(financial_year=year).values_list("value", flat=True).first() or Decimal(0)
    if year_claimed(contract, year) + amount > year_value and not over_value_reason.strip():
        raise ValidationError(
            {
                "over_value_reason": (
                    f"This claim takes the claims for {financial_year_label(year)} past the year's contract value "
                    f"of £{year_value:,.2f}: say why"
                )
            }
        )


@transaction.atomic
def claim_send(
    *,
    contract: Contract,
    period_start: datetime.date,
    quantity: int | None,
    amount: Decimal,
    note: str,
    actor,
    over_value_reason: str = "",
    replaces: PaymentClaim | None = None,
) -> PaymentClaim:
    """The provider claims for one period its payment terms set, once the period has ended (in
    arrears). Sending again after a query is a new claim that replaces the queried one."""
    contract = _lock_contract(contract)
    now = db_now()
    today = _today(now)
    terms = terms_in_force(contract)
    if replaces is not None:
        replaces = PaymentClaim.objects.select_for_update().get(pk=replaces.pk, contract=contract)
        if replaces.corrects_id is not None or not replaces.can_be_sent_again():
            raise ValidationError("Only a queried claim can be sent again, and only once")
        period_start = replaces.period_start
        periods = dict(payment_periods(contract, terms))
    else:
        periods = dict(claimable_periods(contract, terms, today=today))
    if period_start not in periods:
        raise ValidationError(
            {"period": "Select a period of the contract that has ended and has no claim waiting or approved"}
        )
    _check_claim_figures(
        contract=contract,
        terms=terms,
        period_start=period_start,
        quantity=quantity,
        amount=amount,
        over_value_reason=over_value_reason,
    )
    claim = PaymentClaim(
        contract=contract,
        period_start=period_start,
        period_end=periods[period_start],
        quantity=quantity,
        amount=amount,
        note=note.strip(),
        over_value_reason=over_value_reason.strip(),
        replaces=replaces,
        sent_at=now,
        sent_by=actor,
    )
    claim.full_clean()
    claim.save()
    audit_record(actor=actor, action="claim.sent", obj=contract, after=_claim_after(claim), at=now)
    tasks_mail.send_claim_sent_emails.enqueue(claim_id=claim.pk)
    return claim


def _lock_claim(claim: PaymentClaim) -> PaymentClaim:
    return PaymentClaim.objects.select_for_update().select_related("contract").get(pk=claim.pk)


@transaction.atomic
def claim_query(*, claim: PaymentClaim, reason: str, actor) -> PaymentClaim:
    """The commissioner sends a claim back with a reason; the provider may send it again."""
    claim = _lock_claim(claim)
    if not claim.is_waiting:
        raise ValidationError("This claim is not waiting for approval")
    if not reason.strip():
        raise ValidationError({"reason": "Say what is wrong with the claim"})
    now = db_now()
    claim.queried_at, claim.queried_by, claim.query_reason = now, actor, reason.strip()
    claim.full_clean()
    claim.save(update_fields=["queried_at", "queried_by", "query_reason"])
    audit_record(actor=actor, action="claim.queried", obj=claim.contract, after=_claim_after(claim), at=now)
    tasks_mail.send_claim_queried_emails.enqueue(claim_id=claim.pk)
    return claim


@transaction.atomic
def claim_approve(*, claim: PaymentClaim, actor) -> PaymentClaim:
    """The commissioner agrees the claim is valid: the payment terms' days run from when it was sent."""
    claim = _lock_claim(claim)
    if not claim.is_waiting:
        raise ValidationError("This claim is not waiting for approval")
    now = db_now()
    claim.approved_at, claim.approved_by = now, actor
    claim.full_clean()
    claim.save(update_fields=["approved_at", "approved_by"])
    audit_record(actor=actor, action="claim.approved", obj=claim.contract, after=_claim_after(claim), at=now)
    tasks_mail.send_claim_approved_emails.enqueue(claim_id=claim.pk)
    return claim


@transaction.atomic
def claim_record_payment(*, claim: PaymentClaim, paid_on: datetime.date, actor) -> PaymentClaim:
    """Record the day an approved claim was paid."""
    claim = _lock_claim(claim)
    if not claim.is_payable:
        raise ValidationError("Only an approved claim not yet paid can be marked as paid")
    now = db_now()
    if paid_on > _today(now):
        raise ValidationError({"paid_on": "The day it was paid must be today or in the past"})
    if paid_on < claim.sent_at.astimezone(LONDON).date():
        raise ValidationError({"paid_on": "The day it was paid must be on or after the day the claim was sent"})
    claim.paid_on, claim.paid_recorded_at, claim.paid_recorded_by = paid_on, now, actor
    claim.full_clean()
    claim.save(update_fields=["paid_on", "paid_recorded_at", "paid_recorded_by"])
    audit_record(actor=actor, action="claim.paid", obj=claim.contract, after=_claim_after(claim), at=now)
    tasks_mail.send_claim_paid_emails.enqueue(claim_id=claim.pk)
    return claim


@transaction.atomic
def claim_correct(
    *, claim: PaymentClaim, amount: Decimal, note: str, actor, replaces: PaymentClaim | None = None
) -> PaymentClaim:
    """Correct an approved claim with a new claim for the same period: positive (more is due) or
    negative (less). The approved claim is never edited. `replaces`: a queried correction sent again."""
    # The contract first, then the claim: the order every claim service locks in.
    contract = Contract.objects.select_for_update().get(pk=claim.contract_id)
    claim = _lock_claim(claim)
    if not claim.is_correctable:
        raise ValidationError("Only an approved claim can be corrected")
    if replaces is not None:
        replaces = PaymentClaim.objects.select_for_update().get(pk=replaces.pk, corrects=claim)
        if not replaces.can_be_sent_again():
            raise ValidationError("Only a queried correction can be sent again, and only once")
    if not amount.is_finite() or amount == 0 or abs(amount) > MAX_VALUE or amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({"amount": "Enter an amount other than £0, in pounds and pence, like -250 or 250"})
    standing = claim.corrections.filter(queried_at__isnull=True).aggregate(total=Sum("amount"))["total"] or 0
    if claim.amount + standing + amount < 0:
        raise ValidationError({"amount": "A correction cannot take what is claimed for the period below £0"})
    if not note.strip():
        raise ValidationError({"note": "Say what the correction is for"})
    now = db_now()
    correction = PaymentClaim(
        contract=contract,
        period_start=claim.period_start,
        period_end=claim.period_end,
        amount=amount,
        note=note.strip(),
        corrects=claim,
        replaces=replaces,
        sent_at=now,
        sent_by=actor,
    )
    correction.full_clean()
    correction.save()
    audit_record(actor=actor, action="claim.correction_sent", obj=contract, after=_claim_after(correction), at=now)
    tasks_mail.send_claim_sent_emails.enqueue(claim_id=correction.pk)
    return correction
