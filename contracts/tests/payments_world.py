"""A contract that started five months ago, for payment tests: its commissioners and a provider
administrator."""

import datetime
from decimal import Decimal

from accounts.models import Membership
from competitions.tests.evaluation_factories import award_world
from contracts.models import Contract, ContractVersionYear
from contracts.selectors import terms_in_force
from core.clock import financial_year_of


def first_of_month_months_ago(months: int) -> datetime.date:
    today = datetime.date.today()
    month = today.month - 1 - months
    return datetime.date(today.year + month // 12, month % 12 + 1, 1)


def live_contract_world() -> dict:
    world = award_world()
    contract = world["contract"]
    starts_on = first_of_month_months_ago(5)
    Contract.objects.filter(pk=contract.pk).update(starts_on=starts_on)
    contract.refresh_from_db()
    terms = terms_in_force(contract)
    for year in range(financial_year_of(starts_on), 2027):
        ContractVersionYear.objects.get_or_create(
            version=terms, financial_year=year, defaults={"value": Decimal("120000"), "volume": 40}
        )
    commissioners = [m.user for m in contract.lot.competition.members.filter(role="commissioner").order_by("pk")]
    membership = Membership.objects.filter(organisation=contract.supplier).first()
    Membership.objects.filter(pk=membership.pk).update(is_admin=True)
    return {
        "contract": contract,
        "first": commissioners[0],
        "second": commissioners[1],
        "provider": membership.user,
        "loser": world["loser"],
    }
