"""Who may see and do what with contracts. Any framework staff member sees the register; an
organisation's members see only the contracts their organisation holds. The opportunity's own
commissioners manage a contract (name its manager, change, extend or end it); the provider's
administrators and its named contract manager answer for the provider."""

from __future__ import annotations

from accounts.models import Role
from accounts.permissions import has_role, is_commissioner, is_member_of, is_org_admin, is_staff_member, membership_of
from competitions.permissions import is_competition_commissioner
from contracts.models import Contract


def can_view_contract_register(user) -> bool:
    return is_staff_member(user) or membership_of(user) is not None


def can_view_contract(user, contract: Contract) -> bool:
    return is_staff_member(user) or is_member_of(user, contract.supplier)


def can_manage_contract(user, contract: Contract) -> bool:
    """The opportunity's commissioners: they propose, approve, extend and terminate."""
    return is_competition_commissioner(user, contract.lot.competition)


def can_answer_for_provider(user, contract: Contract) -> bool:
    """The provider's administrators, and its named contract manager while still a member."""
    if not getattr(user, "is_authenticated", False):
        return False
    if is_org_admin(user, contract.supplier):
        return True
    return contract.provider_manager_id == user.pk and is_member_of(user, contract.supplier)


def can_add_contract_document(user, contract: Contract) -> bool:
    """Either side adds (and withdraws) documents: the opportunity's commissioners, and whoever
    answers for the provider."""
    return can_manage_contract(user, contract) or can_answer_for_provider(user, contract)


def can_download_contract_document(user, document) -> bool:
    """A contract's documents, withdrawn ones too, are for whoever may see the contract; never public."""
    return can_view_contract(user, document.contract)


def can_see_contract_history(user, object_id: str) -> bool:
    """A contract's history is for whoever may see the contract."""
    contract = Contract.objects.select_related("supplier").filter(pk=object_id).first() if object_id.isdigit() else None
    return contract is not None and can_view_contract(user, contract)


def can_see_claims_to_decide(user) -> bool:
    """A commissioner's list of claims waiting and late, across their organisation's contracts."""
    return is_commissioner(user)


def can_see_what_is_owed(user) -> bool:
    """A provider's list of what it is owed and when: any member of an organisation."""
    return membership_of(user) is not None


def can_find_services(user) -> bool:
    """Probation practitioners find services to refer people to; nobody else (issue 12)."""
    return has_role(user, Role.PRACTITIONER)
