"""Who a contract is for: the ages, sex and orders it takes, and whether it works with people
before they leave prison (issue 12). The opportunity's commissioners change it; practitioners find
services by it (`contracts.selectors_find`)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from audit.services import audit_record
from contracts.models import OLDEST, YOUNGEST, Contract, EligibleSex
from contracts.permissions import can_manage_contract
from contracts.services import _refuse_if_over
from core.clock import db_now

# Nothing public shows a contract's eligibility, so a change leaves every kept public answer as it was (ADR 10).
PRIVATE_AUDIT_ACTIONS = ("contract.eligibility_changed",)

ELIGIBILITY_FIELDS = ("min_age", "max_age", "eligible_sex", "for_community_orders", "for_licences", "pre_release")


def eligibility_checked(
    *, min_age: int, max_age: int, sex: str, community_orders: bool, licences: bool, pre_release: bool
) -> dict:
    """The eligibility as the contract's fields, or a ValidationError naming what is wrong. The
    service and the national generator both set eligibility through this; the database
    constraints hold the same rules against anything else."""
    errors = {}
    for name, age in (("min_age", min_age), ("max_age", max_age)):
        if not isinstance(age, int) or isinstance(age, bool) or not (YOUNGEST <= age <= OLDEST):
            errors[name] = f"Enter an age from {YOUNGEST} to {OLDEST}"
    if not errors and min_age > max_age:
        errors["max_age"] = "The oldest age must be the same as or more than the youngest age"
    if sex not in EligibleSex.values:
        errors["eligible_sex"] = "Select who the service is for"
    if not (community_orders or licences):
        errors["orders"] = "Select at least one: community orders or licences"
    if errors:
        raise ValidationError(errors)
    return {
        "min_age": min_age,
        "max_age": max_age,
        "eligible_sex": sex,
        "for_community_orders": bool(community_orders),
        "for_licences": bool(licences),
        "pre_release": bool(pre_release),
    }


def eligibility_of(contract: Contract) -> dict:
    return {name: getattr(contract, name) for name in ELIGIBILITY_FIELDS}


@transaction.atomic
def contract_set_eligibility(
    *,
    contract: Contract,
    actor,
    min_age: int,
    max_age: int,
    sex: str,
    community_orders: bool,
    licences: bool,
    pre_release: bool,
) -> Contract:
    """One of the opportunity's commissioners says who the contract is for. Refused once the
    contract has ended or been terminated: nobody can be referred to it then."""
    contract = Contract.objects.select_for_update().select_related("lot__competition").get(pk=contract.pk)
    if not can_manage_contract(actor, contract):
        raise ValidationError("Only this contract's commissioners can change who it is for")
    now = db_now()
    _refuse_if_over(contract, now)
    values = eligibility_checked(
        min_age=min_age,
        max_age=max_age,
        sex=sex,
        community_orders=community_orders,
        licences=licences,
        pre_release=pre_release,
    )
    before = eligibility_of(contract)
    for name, value in values.items():
        setattr(contract, name, value)
    contract.full_clean()
    contract.save(update_fields=list(ELIGIBILITY_FIELDS))
    audit_record(actor=actor, action="contract.eligibility_changed", obj=contract, before=before, after=values, at=now)
    return contract
