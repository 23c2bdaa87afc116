"""Who may see contracts: any framework staff member sees the register; an organisation's members
see only the contracts their organisation holds."""

from __future__ import annotations

from accounts.permissions import is_member_of, is_staff_member, membership_of
from contracts.models import Contract


def can_view_contract_register(user) -> bool:
    return is_staff_member(user) or membership_of(user) is not None


def can_view_contract(user, contract: Contract) -> bool:
    return is_staff_member(user) or is_member_of(user, contract.supplier)
