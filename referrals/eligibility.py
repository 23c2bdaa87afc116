"""What the referral asks of the contract's eligibility (issue 12: age range, sex, order type).

HOOK: when this was written the contracts app recorded no eligibility (another change adds it). Until
then `contract_age_range` says "no limit" and the checks below pass; once contracts has its
eligibility rule, this function should return the contract's range from it (one definition, in
contracts), and nothing else here changes.
"""

from __future__ import annotations

import datetime

from contracts.models import Contract


def contract_age_range(contract: Contract) -> tuple[int | None, int | None]:
    """(youngest, oldest) age in whole years the contract serves; None for no limit."""
    return (None, None)


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
