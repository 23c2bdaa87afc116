"""A live contract with a practitioner in region K, the prime's administrator, a referral manager
and a caseworker there, and a partner organisation named in the terms; referrals at each stage."""

from __future__ import annotations

import datetime

from django.utils import timezone

from accounts.models import Membership, Role
from contracts.models import ContractVersionPartner
from contracts.selectors import terms_in_force
from contracts.tests.payments_world import live_contract_world
from referrals import services
from referrals.models import Attendance, ComplexityLevel, DesiredOutcome, Referral, SupervisionOrder
from tests.factories import OrganisationFactory, make_provider_user, make_user_with_role

CRN = "X123456"


def referral_world() -> dict:
    world = live_contract_world()
    contract = world["contract"]
    prime = contract.supplier
    practitioner = make_user_with_role(Role.PRACTITIONER, area_code="K")
    colleague = make_user_with_role(Role.PRACTITIONER, area_code="K")
    elsewhere = make_user_with_role(Role.PRACTITIONER, area_code="D")
    admin = world["provider"]
    manager = make_provider_user(is_admin=False, organisation=prime)
    caseworker = make_provider_user(is_admin=False, organisation=prime)
    services.referral_manager_grant(actor=admin, membership=Membership.objects.get(user=manager))
    partner = OrganisationFactory(legal_name="Partner Charity")
    partner_admin = make_provider_user(is_admin=True, organisation=partner)
    partner_caseworker = make_provider_user(is_admin=False, organisation=partner)
    ContractVersionPartner.objects.create(
        version=terms_in_force(contract),
        organisation=partner,
        name=partner.legal_name,
        role="partner",
        share_percent=20,
    )
    return {
        **world,
        "prime": prime,
        "practitioner": practitioner,
        "colleague": colleague,
        "elsewhere": elsewhere,
        "admin": admin,
        "manager": manager,
        "caseworker": caseworker,
        "partner": partner,
        "partner_admin": partner_admin,
        "partner_caseworker": partner_caseworker,
    }


def category_choices(contract) -> dict[int, dict]:
    """The first category of the contract's service type, with a complexity and two outcomes."""
    category = contract.service_type.categories.order_by("display_order").first()
    level = ComplexityLevel.objects.filter(category=category).first()
    outcomes = list(DesiredOutcome.objects.filter(category=category).values_list("id", flat=True)[:2])
    return {category.pk: {"complexity": level.pk, "outcomes": outcomes}}


PERSON = {
    "crn": "x123456",
    "first_name": "Alexandra",
    "last_name": "Quistwhistle",
    "date_of_birth": datetime.date(1990, 4, 1),
    "sex": "female",
    "gender": "Female",
    "email": "alexandra@example.org",
    "phone": "07700 900123",
    "address": "12 Example Road, Maidstone",
    "preferred_language": "English",
    "accessibility_needs": "Needs step-free access",
    "needs_interpreter": False,
}


def complete_draft(world, *, actor=None) -> Referral:
    actor = actor or world["practitioner"]
    referral = services.referral_create(actor=actor, contract=world["contract"])
    today = timezone.localdate()
    services.referral_update(actor=actor, referral=referral, **PERSON)
    services.referral_update(
        actor=actor,
        referral=referral,
        order_type=SupervisionOrder.COMMUNITY_ORDER,
        order_end_on=today + datetime.timedelta(days=365),
        max_rar_days=10,
        risk_summary="Low risk to staff; history of missed appointments",
        complete_by=today + datetime.timedelta(days=90),
    )
    services.referral_set_categories(actor=actor, referral=referral, choices=category_choices(world["contract"]))
    referral.refresh_from_db()
    return referral


def sent_referral(world) -> Referral:
    return services.referral_send(actor=world["practitioner"], referral=complete_draft(world))


def assigned_referral(world) -> Referral:
    referral = sent_referral(world)
    services.referral_assign(actor=world["manager"], referral=referral, caseworker=world["caseworker"])
    referral.refresh_from_db()
    return referral


def outcome_ids(referral) -> list[int]:
    from referrals.models import ReferralOutcome

    return list(ReferralOutcome.objects.filter(referral_category__referral=referral).values_list("id", flat=True))


def in_progress_referral(world) -> Referral:
    referral = assigned_referral(world)
    caseworker = world["caseworker"]
    services.action_plan_save(
        actor=caseworker,
        referral=referral,
        number_of_sessions=6,
        activities=[(outcome_id, "Weekly meeting to look at options") for outcome_id in outcome_ids(referral)],
    )
    services.action_plan_submit(actor=caseworker, referral=referral)
    services.action_plan_approve(actor=world["practitioner"], referral=referral, version=1)
    referral.refresh_from_db()
    return referral


def delivered_referral(world) -> Referral:
    referral = in_progress_referral(world)
    services.session_record(
        actor=world["caseworker"],
        referral=referral,
        happened_at=referral.sent_at,
        attendance=Attendance.ATTENDED,
        engagement="good",
        notes="Talked about housing options",
    )
    referral.refresh_from_db()
    return referral
