"""A small, realistic demo world so a first-time visitor sees the framework in use.

Idempotent: running it again finds what exists and adds only what is missing. Everyone
signs in with DEMO_PASSWORD. Never run against production data (the command refuses
when DEBUG is off unless --force is given).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.db import transaction
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import confirmation
from accounts.models import (
    Membership,
    Organisation,
    OrganisationType,
    Role,
    StaffBand,
    TurnoverBand,
    User,
    size_from_bands,
)
from accounts.services import (
    email_confirm,
    second_factor_set_up,
    second_factor_set_up_start,
    staff_role_grant,
)
from audit.services import audit_record, snapshot
from demo.national import GENERATED_DOMAIN, generate_national_data
from demo.story import build_referral_story, build_story
from reference.models import Area

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - published on purpose: demo accounts only


@dataclass(frozen=True)
class DemoPerson:
    email: str
    full_name: str
    what: str


@dataclass(frozen=True)
class DemoOrganisation:
    legal_name: str
    trading_name: str
    organisation_type: str
    charity_number: str
    company_number: str
    staff_band: str
    turnover_band: str
    town: str
    postcode: str
    people: tuple[DemoPerson, ...]


STAFF: list[tuple[DemoPerson, str, str | None]] = [
    (DemoPerson("assessor@demo.example", "Asha Patel", "Framework assessor"), Role.ASSESSOR, None),
    (
        DemoPerson("commissioner.kss@demo.example", "Daniel Okafor", "Commissioner for Kent, Surrey and Sussex"),
        Role.COMMISSIONER,
        "K",
    ),
    (
        DemoPerson("commissioner2.kss@demo.example", "Helen Marsh", "Second commissioner for Kent, Surrey and Sussex"),
        Role.COMMISSIONER,
        "K",
    ),
    (DemoPerson("commissioner.wales@demo.example", "Rhian Evans", "Commissioner for Wales"), Role.COMMISSIONER, "D"),
    (DemoPerson("evaluator@demo.example", "Tom Hughes", "Evaluator"), Role.EVALUATOR, None),
    (DemoPerson("evaluator2@demo.example", "Grace Lee", "Second evaluator"), Role.EVALUATOR, None),
    (
        DemoPerson("practitioner@demo.example", "Sam Wood", "Probation practitioner in Kent, Surrey and Sussex"),
        Role.PRACTITIONER,
        "K",
    ),
    (DemoPerson("admin@demo.example", "Priya Shah", "Administrator"), Role.ADMINISTRATOR, None),
]

ORGANISATIONS: list[DemoOrganisation] = [
    DemoOrganisation(
        "Medway Women's Support",
        "",
        OrganisationType.CIO,
        "1187654",
        "",
        StaffBand.UNDER_10,
        TurnoverBand.UP_TO_2M,
        "Chatham",
        "ME4 4TZ",
        (
            DemoPerson("jo@medway-womens.example", "Jo Brennan", "Two-person charity: administrator"),
            DemoPerson("kim@medway-womens.example", "Kim Adeyemi", "Two-person charity: colleague"),
        ),
    ),
    DemoOrganisation(
        "Second Chances Community Interest Company",
        "Second Chances",
        OrganisationType.CIC,
        "",
        "12345678",
        StaffBand.FROM_10_TO_49,
        TurnoverBand.UP_TO_2M,
        "Cardiff",
        "CF10 1EP",
        (DemoPerson("alex@second-chances.example", "Alex Morgan", "Social enterprise: administrator"),),
    ),
    DemoOrganisation(
        "Pathway Services Limited",
        "Pathway",
        OrganisationType.COMPANY_BY_SHARES,
        "",
        "01234567",
        StaffBand.OVER_250,
        TurnoverBand.OVER_50M,
        "Birmingham",
        "B1 1AA",
        (DemoPerson("bids@pathway.example", "Chris Taylor", "National company: administrator"),),
    ),
    DemoOrganisation(
        "Brighton Recovery Network",
        "",
        OrganisationType.CIO,
        "1198765",
        "",
        StaffBand.UNDER_10,
        TurnoverBand.UP_TO_2M,
        "Brighton",
        "BN1 1AA",
        (DemoPerson("morgan@brighton-recovery.example", "Morgan Ellis", "Small charity: administrator"),),
    ),
]


def _person(person: DemoPerson) -> tuple[User, bool]:
    user = User.objects.filter(email__iexact=person.email).first()
    created = user is None
    if created:
        user = User.objects.create_user(person.email, DEMO_PASSWORD, full_name=person.full_name)
        audit_record(actor="demo world", action="user.created", obj=user, after=snapshot(user))
    if user.email_confirmed_at is None:
        # As the person would: by the link the confirmation e-mail carries.
        user = email_confirm(token=confirmation.make_token(user))
    return user, created


def demo_code(user: User) -> str:
    """The code the person's authenticator app would show now (demo staff have no phone: `manage.py
    demo_code EMAIL` prints it). A code already used this half-minute never works twice, so then
    the next half-minute's code, which the service also accepts."""
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if totp.t() <= device.last_t:
        totp.time = device.t0 + (device.last_t + 1) * device.step
    return f"{totp.token():0{device.digits}d}"


def _demo_authenticator_app(user: User) -> None:
    """Staff sign in with a code as well as a password: set up their app as they would, through
    the accounts services (the demo keeps the secret, so `demo_code` can make the codes)."""
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return
    device = second_factor_set_up_start(user=user)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    second_factor_set_up(user=user, code=f"{totp.token():0{device.digits}d}")


NATIONAL_SCALE = 0.25
NATIONAL_SEED = 2026


def build_demo_world(*, national_scale: float | None = NATIONAL_SCALE) -> list[tuple[str, str]]:
    """Create the demo accounts, the story in Kent, Surrey and Sussex (demo/story.py) and, unless
    `national_scale` is None or generated data exists already, a national backdrop for the public
    pages (demo/national.py). Returns (e-mail, what they are) for printing."""
    with transaction.atomic():
        logins = _build_people()
        build_story()
        build_referral_story()
    if national_scale and not Organisation.objects.filter(contact_email__endswith=f"@{GENERATED_DOMAIN}").exists():
        generate_national_data(scale=national_scale, seed=NATIONAL_SEED)
    return logins


def _build_people() -> list[tuple[str, str]]:
    logins: list[tuple[str, str]] = []
    for person, role, area_code in STAFF:
        user, _ = _person(person)
        area = Area.objects.get(code=area_code) if area_code else None
        # Through the accounts service, as an invitation would: an administrator also gets the admin.
        staff_role_grant(user=user, role=role, area=area, actor="demo world")
        _demo_authenticator_app(user)
        logins.append((person.email, person.what))
    for spec in ORGANISATIONS:
        organisation = Organisation.objects.filter(legal_name=spec.legal_name).first()
        if organisation is None:
            organisation = Organisation(
                legal_name=spec.legal_name,
                trading_name=spec.trading_name,
                organisation_type=spec.organisation_type,
                charity_number=spec.charity_number,
                company_number=spec.company_number,
                staff_band=spec.staff_band,
                turnover_band=spec.turnover_band,
                size=size_from_bands(spec.staff_band, spec.turnover_band),
                address_line_1="1 Demo Street",
                town=spec.town,
                postcode=spec.postcode,
                contact_email=spec.people[0].email,
            )
            organisation.full_clean()
            organisation.save()
            audit_record(
                actor="demo world", action="organisation.registered", obj=organisation, after=snapshot(organisation)
            )
        for index, person in enumerate(spec.people):
            user, _ = _person(person)
            if not Membership.objects.filter(user=user).exists():
                membership = Membership.objects.create(user=user, organisation=organisation, is_admin=index == 0)
                audit_record(
                    actor="demo world", action="membership.created", obj=membership, after=snapshot(membership)
                )
            logins.append((person.email, person.what))
    return logins
