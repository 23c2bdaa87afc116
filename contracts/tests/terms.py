"""A contract's terms as made (version 1), proposed, approved and accepted at one moment, for the
test worlds that need terms in force without going through an award (`contract_create_for_award`
makes them so in the service)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal

from contracts.models import Contract, ContractVersion, ContractVersionYear, VersionKind
from reference.models import Area


def agree_as_made(
    contract: Contract,
    *,
    at: datetime.datetime,
    areas: Iterable[Area],
    years: dict[int, tuple[Decimal | int, int]] | None = None,
    payment_days: int | None = None,
) -> ContractVersion:
    """Version 1 of `contract`, in force from `at`: its areas, and `years` {financial year: (value,
    people)} when given."""
    version = ContractVersion.objects.create(
        contract=contract,
        number=1,
        kind=VersionKind.AS_MADE,
        ends_on=contract.ends_on,
        payment_frequency=contract.payment_frequency,
        payment_days=contract.payment_days if payment_days is None else payment_days,
        created_at=at,
        proposed_at=at,
        approved_at=at,
        accepted_at=at,
    )
    version.areas.set(list(areas))
    ContractVersionYear.objects.bulk_create(
        ContractVersionYear(version=version, financial_year=year, value=Decimal(value), volume=volume)
        for year, (value, volume) in (years or {}).items()
    )
    return version
