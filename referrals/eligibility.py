"""What the referral asks of the contract's eligibility (issue 12: age range, sex, order type).

The contract records who it is for (`Contract.min_age`/`max_age`, set by its commissioners; the
rule finding services asks is `contracts.rules.person_admitted`). A referral knows a date of birth,
not an age, so it reads the range itself to say which end the person is outside of.
"""

from __future__ import annotations

import datetime

from contracts.models import Contract, PersonSex
from contracts.models import OrderType as ContractOrderType
from contracts.rules import order_taken, sex_admitted
from referrals.models import ORDER_KIND, SupervisionOrder


def contract_age_range(contract: Contract) -> tuple[int | None, int | None]:
    """(youngest, oldest) age in whole years the contract serves, both ends included."""
    return (contract.min_age, contract.max_age)


def age_on(date_of_birth: datetime.date, day: datetime.date) -> int:
    """Age in whole years on `day` (someone born on 29 February turns a year older on 1 March)."""
    return day.year - date_of_birth.year - ((day.month, day.day) < (date_of_birth.month, date_of_birth.day))


def age_refusal(contract: Contract, date_of_birth: datetime.date, today: datetime.date) -> str | None:
    """Why this person is outside the contract's age range today, in plain words, or None."""
    youngest, oldest = contract_age_range(contract)
    age = age_on(date_of_birth, today)
    if youngest is not None and age < youngest:
        return f"This service is for people aged {youngest} or over. Check the date of birth or choose another service"
    if oldest is not None and age > oldest:
        return f"This service is for people aged {oldest} or under. Check the date of birth or choose another service"
    return None


def order_refusal(contract: Contract, order_type: str) -> str | None:
    """Why the contract does not take a person supervised under this order, in plain words, or
    None. The order's kind comes from `ORDER_KIND`; whether the contract takes it from
    `contracts.rules.order_taken` (the part of `person_admitted` about orders)."""
    kind = ORDER_KIND[SupervisionOrder(order_type)]
    if order_taken(kind).holds(contract):
        return None
    if kind == ContractOrderType.LICENCE:
        return "This service is only for people on a community order. Check the order or choose another service"
    return "This service is only for people on licence after prison. Check the order or choose another service"


def sex_refusal(contract: Contract, sex: str) -> str | None:
    """Why the contract is not for a person of this sex (`PersonSex`, as probation records it), in
    plain words, or None. Whether it is comes from `contracts.rules.sex_admitted` (the part of
    `person_admitted` about sex)."""
    if sex_admitted(sex).holds(contract):
        return None
    if sex == PersonSex.FEMALE:
        return "This service is only for men. Check their sex or choose another service"
    return "This service is only for women. Check their sex or choose another service"
