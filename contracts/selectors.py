"""Reads for the contracts register, a contract's terms in force and its status."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import QuerySet, Sum

from accounts.permissions import is_staff_member, membership_of
from competitions.models import Award
from competitions.selectors.award import contract_refusal
from contracts import rules
from contracts.models import Contract, ContractVersion, VersionKind
from core.clock import db_now, financial_year_of


def contracts_visible_to(user) -> QuerySet[Contract]:
    """Every contract for staff; an organisation's own contracts for its members; nothing otherwise."""
    queryset = Contract.objects.select_related("supplier", "service_type", "lot__competition").prefetch_related(
        "areas", "years"
    )
    if is_staff_member(user):
        return queryset
    membership = membership_of(user)
    if membership is None:
        return queryset.none()
    return queryset.filter(supplier_id=membership.organisation_id)


def contract_detail(*, user, pk: int) -> Contract:
    """Raises Contract.DoesNotExist for a contract this person may not see."""
    return (
        contracts_visible_to(user)
        .select_related("commissioner_manager", "provider_manager", "lot__competition__owner_area")
        .prefetch_related("subcontracts", "funding")
        .get(pk=pk)
    )


def awards_due_for_contract() -> list[Award]:
    """Final awards (`rules.AWARD_FINAL`) of lots still wanted that have no contract yet."""
    now = db_now()
    candidates = (
        Award.objects.final(now=now)
        .filter(contract__isnull=True, lot__abandoned_at__isnull=True)
        .select_related("lot")
        .order_by("standstill_ends_at")
    )
    return [award for award in candidates if not contract_refusal(award, now=now)]


# --- Terms and status (ADR 9) ----------------------------------------------------------------


def terms_in_force(contract: Contract) -> ContractVersion:
    """The terms in force: the latest version the provider accepted (version 1 is the contract as
    made). Nothing is overwritten, so every earlier version is still there to read."""
    return (
        contract.versions.filter(rules.VERSION_IN_FORCE.q())
        .prefetch_related("areas", "years", "partners")
        .order_by("-number")
        .first()
    )


def open_version(contract: Contract) -> ContractVersion | None:
    """The change still open (a draft or a proposal waiting), if any: there is at most one."""
    return contract.versions.filter(rules.VERSION_OPEN.q()).first()


def extension_years_used(contract: Contract) -> int:
    """Years of extension already in force, out of the `extension_years` the opportunity offered."""
    used = contract.versions.filter(rules.VERSION_IN_FORCE.q(), kind=VersionKind.EXTENSION).aggregate(
        total=Sum("extension_years")
    )["total"]
    return used or 0


def term_financial_years(starts_on: datetime.date, ends_on: datetime.date) -> list[int]:
    """The financial years (April to March) a term from `starts_on` to `ends_on` touches."""
    return list(range(financial_year_of(starts_on), financial_year_of(ends_on) + 1))


def contract_status(contract: Contract, terms: ContractVersion, *, now: datetime.datetime | None = None) -> str:
    """Plain words for where a contract stands, from its dates and records (`contracts.rules`)."""
    now = now or db_now()
    if rules.CONTRACT_TERMINATED.holds(terms, now=now):
        return "Terminated"
    if rules.CONTRACT_NOT_STARTED.holds(terms, now=now):
        return "Not started"
    if rules.CONTRACT_LIVE.holds(terms, now=now):
        return "Live, ending early" if contract.terminates_on else "Live"
    return "Ended"


def versions_visible_to(user, contract: Contract) -> list[ContractVersion]:
    """Every version for the contract's commissioners and other staff; for the provider, the
    versions a second commissioner has approved (drafts and proposals are the commissioners' own)."""
    versions = contract.versions.select_related("proposed_by", "approved_by", "accepted_by", "declined_by").order_by(
        "number"
    )
    if is_staff_member(user):
        return list(versions)
    return [version for version in versions if version.approved_at is not None]


def version_detail(*, user, contract: Contract, number: int) -> ContractVersion:
    """Raises ContractVersion.DoesNotExist for a version this person may not see."""
    for version in versions_visible_to(user, contract):
        if version.number == number:
            return version
    raise ContractVersion.DoesNotExist


def year_shares(terms: ContractVersion, contract: Contract) -> list[dict]:
    """Each funding partner's share of each year's value under the terms in force."""
    rows = []
    for share in contract.funding.all():
        years = [
            (year.financial_year, (year.value * share.share_percent / Decimal(100)).quantize(Decimal("0.01")))
            for year in terms.years.all()
        ]
        rows.append({"name": share.name, "share_percent": share.share_percent, "years": years})
    return rows


def _percent(value: Decimal) -> str:
    return f"{value.normalize():f}%"


def terms_summary(version: ContractVersion) -> list[tuple[str, str, str]]:
    """A version's terms as (key, label, words) rows, to set one version beside another."""
    from core.formatting import london_date, money

    payment = (
        f"{version.get_payment_frequency_display()}; {version.get_payment_model_display().lower()}; paid within "
        f"{version.payment_days} {'working ' if version.payment_working_days else ''}days of a valid claim"
    )
    years = "; ".join(
        f"{y.financial_year} to {y.financial_year + 1}: {money(y.value)}, {y.volume:,} people"
        for y in version.years.all()
    )
    partners = "; ".join(f"{p.name}: {_percent(p.share_percent)} of the work" for p in version.partners.all())
    return [
        ("end-date", "End date", london_date(version.ends_on)),
        ("years", "Value and people each year", years or "None"),
        ("areas", "Areas", ", ".join(sorted(area.name for area in version.areas.all()))),
        ("partners", "Partners", partners or "No partners"),
        ("payment", "Payment terms", payment),
    ]
