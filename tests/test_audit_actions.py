"""Every service that changes state writes its named audit action, in its own transaction.

One row per service (and per branch that writes a different action): the row builds a minimal world
with the factories, calls the service, and the test asserts exactly which audit actions the call
wrote (each distinct action, in the order first written) and that each was written inside the
service's transaction. Two meta-tests keep the table whole: every action name the code passes to
`audit_record` has a row, and every `@transaction.atomic` service function has a row.
"""

from __future__ import annotations

import ast
import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from importlib import import_module

import pytest
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models.signals import post_save
from django.test import RequestFactory
from django.utils import timezone

from audit.models import AuditEvent
from tests.factories import (
    DEFAULT_PASSWORD,
    OrganisationFactory,
    StaffRoleFactory,
    UserFactory,
    make_provider_user,
    make_user_with_role,
)
from tests.shared import REPOSITORY

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
APPS = ["core", "audit", "reference", "accounts", "qualification", "competitions", "contracts", "opendata"]
APPS += ["referrals", "insights", "publicdata", "demo"]


@dataclass(frozen=True)
class Row:
    service: str  # "app.module.function", the function the row calls
    actions: tuple[str, ...]  # the distinct audit actions it writes, in the order first written
    world: Callable[[], Callable[[], object]]  # builds the world; returns the call
    case: str = ""  # which branch, when one service has several rows
    # False only where there is no change to share a transaction with (a read, a reminder sent).
    own_transaction: bool = True

    @property
    def id(self) -> str:
        name = self.service.rsplit(".", 1)[-1]
        return f"{name}[{self.case}]" if self.case else name


TABLE: list[Row] = []


def row(service: str, *actions: str, case: str = "", own_transaction: bool = True):
    def register(world):
        TABLE.append(Row(service, actions, world, case, own_transaction))
        return world

    return register


def pdf(name: str = "plan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


# --- accounts ------------------------------------------------------------------------------------


@row("accounts.services.user_sign_in", "user.signed_in")
def _():
    from accounts.services import user_sign_in

    user = UserFactory()
    request = RequestFactory().post("/account/sign-in/")
    SessionMiddleware(lambda request: None).process_request(request)
    return lambda: user_sign_in(request=request, email=user.email, password=DEFAULT_PASSWORD)


@row("accounts.services.password_reset_request", "user.password_reset_sent")
def _():
    from accounts.services import password_reset_request

    user = UserFactory()
    return lambda: password_reset_request(email=user.email)


@row("accounts.services.registration_attempt_notice_send", "user.registration_attempt_notified")
def _():
    from accounts.services import registration_attempt_notice_send

    user = UserFactory()
    return lambda: registration_attempt_notice_send(user=user)


@row("accounts.services.second_factor_set_up_start", "second_factor.set_up_started")
def _():
    from accounts.services import second_factor_set_up_start

    user = make_user_with_role("assessor")
    return lambda: second_factor_set_up_start(user=user)


@row("accounts.services.second_factor_set_up", "second_factor.set_up")
def _():
    from django_otp.oath import TOTP

    from accounts.services import second_factor_set_up, second_factor_set_up_start

    user = make_user_with_role("assessor")
    device = second_factor_set_up_start(user=user)
    code = f"{TOTP(device.bin_key).token():06d}"
    return lambda: second_factor_set_up(user=user, code=code)


def _verify_world(code_of):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.services import second_factor_set_up, second_factor_set_up_start, second_factor_verify

    user = make_user_with_role("assessor")
    device = second_factor_set_up_start(user=user)
    from django_otp.oath import TOTP

    codes = second_factor_set_up(user=user, code=f"{TOTP(device.bin_key).token():06d}")
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    request = RequestFactory().post("/account/sign-in/code/")
    SessionMiddleware(lambda request: None).process_request(request)
    request.user = user
    return lambda: second_factor_verify(request=request, code=code_of(device, codes))


@row("accounts.services.second_factor_verify", "second_factor.verified", case="right code")
def _():
    return _verify_world(lambda device, codes: codes[0])


@row("accounts.services.second_factor_verify", "second_factor.failed", case="wrong code")
def _():
    return _verify_world(lambda device, codes: "000000")


@row("accounts.services.second_factor_reset", "second_factor.reset")
def _():
    from accounts.services import second_factor_reset

    admin = make_user_with_role("administrator", is_staff=True)
    user = make_user_with_role("assessor")
    return lambda: second_factor_reset(user=user, actor=admin)


@row("audit.services.admin_change_record", "admin.added", case="added")
def _():
    from audit.services import admin_change_record

    admin = make_user_with_role("administrator", is_staff=True)
    organisation = OrganisationFactory()
    return lambda: admin_change_record(actor=admin, obj=organisation, before=None, kind="added")


@row("audit.services.admin_change_record", "admin.changed", case="changed")
def _():
    from audit.services import admin_change_record

    admin = make_user_with_role("administrator", is_staff=True)
    organisation = OrganisationFactory()
    return lambda: admin_change_record(actor=admin, obj=organisation, before=organisation, kind="changed")


@row("audit.services.admin_change_record", "admin.deleted", case="deleted")
def _():
    from audit.services import admin_change_record

    admin = make_user_with_role("administrator", is_staff=True)
    organisation = OrganisationFactory()
    return lambda: admin_change_record(actor=admin, obj=organisation, before=organisation, kind="deleted")


@row("accounts.services.user_password_reset", "user.password_reset")
def _():
    from accounts.services import user_password_reset

    user = UserFactory()
    return lambda: user_password_reset(user=user, password="a new long passphrase 42")


@row("accounts.services.invitation_create_for_organisation", "invitation.created")
def _():
    from accounts.services import invitation_create_for_organisation

    admin = make_provider_user(is_admin=True)
    organisation = admin.memberships.get().organisation
    return lambda: invitation_create_for_organisation(
        invited_by=admin, organisation=organisation, email="new.colleague@example.org", as_org_admin=False
    )


@row("accounts.services.invitation_create_for_staff", "invitation.created")
def _():
    from accounts.services import invitation_create_for_staff

    administrator = make_user_with_role("administrator")
    return lambda: invitation_create_for_staff(
        invited_by=administrator, email="new.assessor@example.org", role="assessor", area=None
    )


@row("accounts.services.invitation_revoke", "invitation.revoked")
def _():
    from accounts.services import invitation_revoke
    from accounts.tests.factories import make_invitation

    invitation, _token = make_invitation()
    return lambda: invitation_revoke(invitation=invitation, actor=invitation.invited_by)


@row(
    "accounts.services.invitation_accept",
    "user.created",
    "user.email_confirmed",
    "membership.added",
    "invitation.accepted",
    case="org",
)
def _():
    from accounts.services import invitation_accept
    from accounts.tests.factories import make_invitation

    invitation, _token = make_invitation()
    return lambda: invitation_accept(invitation=invitation, full_name="Ada Lovelace", password="a long passphrase 42")


@row(
    "accounts.services.invitation_accept",
    "user.created",
    "user.email_confirmed",
    "staff_role.granted",
    "invitation.accepted",
    case="staff",
)
def _():
    from accounts.services import invitation_accept
    from accounts.tests.factories import make_invitation

    invitation, _token = make_invitation(role="assessor")
    return lambda: invitation_accept(invitation=invitation, full_name="Ada Lovelace", password="a long passphrase 42")


@row("accounts.services.membership_remove", "membership.removed")
def _():
    from accounts.services import membership_remove

    admin = make_provider_user(is_admin=True)
    colleague = make_provider_user(is_admin=False, organisation=admin.memberships.get().organisation)
    return lambda: membership_remove(membership=colleague.memberships.get(), actor=admin)


@row("accounts.services.email_confirmation_send", "user.email_confirmation_sent")
def _():
    from accounts.services import email_confirmation_send

    user = UserFactory(email_confirmed_at=None)
    return lambda: email_confirmation_send(user=user)


@row("accounts.services.email_confirm", "user.email_confirmed")
def _():
    from accounts import confirmation
    from accounts.services import email_confirm

    user = UserFactory(email_confirmed_at=None)
    token = confirmation.make_token(user)
    return lambda: email_confirm(token=token)


@row("accounts.services.staff_role_grant", "staff_role.granted", "user.staff_access_granted")
def _():
    from accounts.services import staff_role_grant

    user = UserFactory()
    return lambda: staff_role_grant(user=user, role="administrator", actor=make_user_with_role("administrator"))


@row("accounts.services.staff_role_remove", "staff_role.removed", "user.staff_access_removed", case="administrator")
def _():
    from accounts.services import staff_role_grant, staff_role_remove

    administrator = make_user_with_role("administrator")
    user = UserFactory()
    staff_role = staff_role_grant(user=user, role="administrator", actor=administrator)
    return lambda: staff_role_remove(staff_role=staff_role, actor=administrator)


@row("accounts.services.staff_role_remove", "staff_role.removed")
def _():
    from accounts.services import staff_role_remove

    administrator = make_user_with_role("administrator")
    staff_role = StaffRoleFactory(role="assessor")
    return lambda: staff_role_remove(staff_role=staff_role, actor=administrator)


# --- reference -----------------------------------------------------------------------------------


def _new_area(code: str = "E99000001", parent_code: str = "K"):
    from reference.models import Area
    from reference.services import area_save

    parent = Area.objects.get(code=parent_code)
    return area_save(actor="admin", area=Area(code=code, name="Test Area", level="pcc_area", parent=parent))


@row("reference.services.area_save", "area.create", case="create")
def _():
    from reference.models import Area
    from reference.services import area_save

    parent = Area.objects.get(code="K")
    return lambda: area_save(
        actor="admin", area=Area(code="E99000001", name="New Area", level="pcc_area", parent=parent)
    )


@row("reference.services.area_save", "area.update", case="update")
def _():
    from reference.services import area_save

    area = _new_area()
    area.name = "Renamed Area"
    return lambda: area_save(actor="admin", area=area)


@row("reference.services.area_save", "area.move", "area.update", case="move")
def _():
    from reference.models import Area
    from reference.services import area_save

    area = _new_area()
    area_save(actor="admin", area=Area(code="E99000002", name="Inner Area", level="local_authority", parent=area))
    other_region = Area.objects.filter(level="region").exclude(code="K").first()
    area.parent = other_region
    return lambda: area_save(actor="admin", area=area)


@row("reference.services.area_delete", "area.delete")
def _():
    from reference.services import area_delete

    area = _new_area()
    return lambda: area_delete(actor="admin", area=area)


@row("reference.services.service_category_save", "service_category.create", case="create")
def _():
    from reference.models import CategoryKind, ServiceCategory
    from reference.services import service_category_save

    return lambda: service_category_save(
        actor="admin", category=ServiceCategory(code="test-category", name="Test", kind=CategoryKind.values[0])
    )


@row("reference.services.service_category_save", "service_category.update", case="update")
def _():
    from reference.models import CategoryKind, ServiceCategory
    from reference.services import service_category_save

    category = service_category_save(
        actor="admin", category=ServiceCategory(code="test-category", name="Test", kind=CategoryKind.values[0])
    )
    category.name = "Renamed"
    return lambda: service_category_save(actor="admin", category=category)


@row("reference.services.service_category_delete", "service_category.delete")
def _():
    from reference.models import CategoryKind, ServiceCategory
    from reference.services import service_category_delete, service_category_save

    category = service_category_save(
        actor="admin", category=ServiceCategory(code="test-category", name="Test", kind=CategoryKind.values[0])
    )
    return lambda: service_category_delete(actor="admin", category=category)


@row("reference.services.service_type_save", "service_type.create", case="create")
def _():
    from reference.models import ServiceType
    from reference.services import service_type_save

    return lambda: service_type_save(actor="admin", service_type=ServiceType(code="test-type", name="Test"))


@row("reference.services.service_type_save", "service_type.update", case="update")
def _():
    from reference.models import ServiceType
    from reference.services import service_type_save

    service_type = service_type_save(actor="admin", service_type=ServiceType(code="test-type", name="Test"))
    service_type.name = "Renamed"
    return lambda: service_type_save(actor="admin", service_type=service_type)


@row("reference.services.service_type_delete", "service_type.delete")
def _():
    from reference.models import ServiceType
    from reference.services import service_type_delete, service_type_save

    service_type = service_type_save(actor="admin", service_type=ServiceType(code="test-type", name="Test"))
    return lambda: service_type_delete(actor="admin", service_type=service_type)


# --- qualification: joining ----------------------------------------------------------------------


def _member(**kwargs):
    user = make_provider_user(is_admin=True, **kwargs)
    return user, user.memberships.get().organisation


@row(
    "qualification.services.applications.organisation_register",
    "user.created",
    "organisation.registered",
    "membership.created",
    "user.email_confirmation_sent",
)
def _():
    from django.contrib.auth.hashers import make_password

    from qualification.services.applications import organisation_register

    organisation = {
        "legal_name": "Hope Housing Trust",
        "organisation_type": "registered_charity",
        "charity_number": "1234567",
        "staff_band": "under_10",
        "turnover_band": "up_to_2m",
        "address_line_1": "1 High Street",
        "town": "Maidstone",
        "postcode": "ME14 1AA",
        "contact_email": "office@hope.example.org",
    }
    return lambda: organisation_register(
        full_name="Sam Jones",
        email="sam@hope.example.org",
        password_hash=make_password(DEFAULT_PASSWORD),
        organisation=organisation,
    )


@row(
    "qualification.services.applications.organisation_register",
    "user.registration_attempt_notified",
    case="address has an account",
)
def _():
    from django.contrib.auth.hashers import make_password

    from qualification.services.applications import organisation_register

    UserFactory(email="sam@hope.example.org")
    return lambda: organisation_register(
        full_name="Sam Jones",
        email="Sam@hope.example.org",
        password_hash=make_password(DEFAULT_PASSWORD),
        organisation={},
    )


@row("qualification.services.applications.organisation_update", "organisation.updated")
def _():
    from qualification.services.applications import organisation_update

    user, organisation = _member()
    return lambda: organisation_update(organisation=organisation, user=user, data={"town": "Canterbury"})


@row("qualification.services.applications.interest_register", "interest.registered", "application.started")
def _():
    from qualification.services.applications import interest_register

    user, organisation = _member()
    return lambda: interest_register(organisation=organisation, user=user)


@row("qualification.services.applications.application_start", "application.started")
def _():
    from qualification.services.applications import application_start

    user, organisation = _member()
    return lambda: application_start(organisation=organisation, user=user)


@row(
    "qualification.services.applications.application_start_add_services",
    "application.started",
    "application.section_carried_over",
)
def _():
    from qualification.models import ApplicationSection, SectionKey
    from qualification.sections import CARRY_OVER_KEYS
    from qualification.services.applications import application_start_add_services
    from qualification.tests.factories import ApplicationFactory

    user, organisation = _member()
    decided = ApplicationFactory(organisation=organisation, started_by=user, decided=True)
    key = next(key for key in SectionKey.values if key in CARRY_OVER_KEYS)
    ApplicationSection.objects.create(
        application=decided,
        key=key,
        answers={},
        updated_by=user,
        completed_at=timezone.now(),
        accepted_at=timezone.now(),
        accepted_by=UserFactory(),
    )
    return lambda: application_start_add_services(organisation=organisation, user=user)


def _draft_application():
    from qualification.tests.factories import ApplicationFactory

    user, organisation = _member()
    return user, ApplicationFactory(organisation=organisation, started_by=user)


@row("qualification.services.applications.section_save", "application.section_saved")
def _():
    from qualification.models import SectionKey
    from qualification.services.applications import section_save

    user, application = _draft_application()
    return lambda: section_save(
        application=application, key=SectionKey.FINANCE, answers={"turnover": "45000.00"}, user=user
    )


@row("qualification.services.applications.application_document_add", "application.document_added")
def _():
    from qualification.models import SectionKey
    from qualification.services.applications import application_document_add

    user, application = _draft_application()
    return lambda: application_document_add(application=application, key=SectionKey.INSURANCE, upload=pdf(), user=user)


@row("qualification.services.applications.application_submit", "declaration.confirmed", "application.submitted")
def _():
    from qualification.services.applications import application_submit
    from qualification.tests.factories import make_complete_application

    user, organisation = _member()
    application = make_complete_application(organisation=organisation, user=user)
    return lambda: application_submit(application=application, user=user)


@row("qualification.services.applications.help_request_create", "help_request.created")
def _():
    from qualification.services.applications import help_request_create

    user, organisation = _member()
    return lambda: help_request_create(organisation=organisation, user=user, message="Help with the money section.")


@row("qualification.services.applications.declaration_confirm", "declaration.confirmed")
def _():
    from qualification.services.applications import declaration_confirm

    user, organisation = _member()
    return lambda: declaration_confirm(organisation=organisation, user=user)


@row("qualification.tasks.send_declaration_reminders", "declaration.reminder_sent")
def _():
    from qualification.models import DECLARATION_VALID_FOR
    from qualification.tasks import send_declaration_reminders
    from qualification.tests.factories import DeclarationConfirmationFactory

    _user, organisation = _member()
    DeclarationConfirmationFactory(organisation=organisation, confirmed_at=timezone.now() - DECLARATION_VALID_FOR)
    return send_declaration_reminders.call


# --- qualification: assessing --------------------------------------------------------------------


@row("qualification.services.decisions.section_accept", "application_section.accept")
def _():
    from qualification.services.decisions import section_accept
    from qualification.tests.assessor_factories import submitted_application

    section = submitted_application().sections.first()
    return lambda: section_accept(section=section, actor=make_user_with_role("assessor"))


@row(
    "qualification.services.decisions.section_request_clarification",
    "application_section.request_clarification",
    "application.return_to_provider",
)
def _():
    from qualification.services.decisions import section_request_clarification
    from qualification.tests.assessor_factories import submitted_application

    section = submitted_application().sections.first()
    return lambda: section_request_clarification(
        section=section, actor=make_user_with_role("assessor"), question="Tell us your turnover."
    )


@row("qualification.services.decisions.application_decide", "qualification.grant", "application.decide")
def _():
    from qualification.services.decisions import Grant, application_decide, section_accept
    from qualification.tests.assessor_factories import submitted_application

    assessor = make_user_with_role("assessor")
    application = submitted_application()
    for section in application.sections.all():
        section_accept(section=section, actor=assessor)
    requested = application.requested.get()
    return lambda: application_decide(
        application=application, actor=assessor, grants=[Grant(requested=requested, area=requested.area)]
    )


def _qualification(**kwargs):
    from qualification.tests.assessor_factories import qualify

    _user, organisation = _member()
    return qualify(organisation, "accommodation", "K", **kwargs)


@row("qualification.services.decisions.qualification_suspend", "qualification.suspend")
def _():
    from qualification.services.decisions import qualification_suspend

    qualification = _qualification()
    return lambda: qualification_suspend(
        qualification=qualification, actor=make_user_with_role("assessor"), reason="Insurance lapsed."
    )


@row("qualification.services.decisions.qualification_reinstate", "qualification.reinstate")
def _():
    from qualification.services.decisions import qualification_reinstate

    qualification = _qualification(suspended_at=timezone.now(), suspended_reason="Insurance lapsed.")
    return lambda: qualification_reinstate(qualification=qualification, actor=make_user_with_role("assessor"))


@row("qualification.services.decisions.qualification_remove", "qualification.remove")
def _():
    from qualification.services.decisions import qualification_remove

    qualification = _qualification()
    return lambda: qualification_remove(
        qualification=qualification, actor=make_user_with_role("assessor"), reason="Closed down."
    )


@row("qualification.services.decisions.help_request_reply", "help_request.replied")
def _():
    from qualification.services.decisions import help_request_reply
    from qualification.tests.factories import HelpRequestFactory

    help_request = HelpRequestFactory()
    return lambda: help_request_reply(
        help_request=help_request, actor=make_user_with_role("assessor"), reply="We have called you back."
    )


# --- competitions: set-up ------------------------------------------------------------------------


def _draft(**kwargs):
    """A planned, not launched competition in region K run by a commissioner, and that commissioner."""
    from competitions.tests.factories import make_competition

    competition = make_competition(launched=False, **kwargs)
    return competition, competition.created_by


def _ready_to_launch():
    """A draft competition whose set-up is complete (made through the services), with an
    organisation qualified to bid, and its commissioner."""
    from competitions.models import QuestionKind
    from competitions.selectors import competitions as sel
    from competitions.services import setup
    from qualification.tests.assessor_factories import qualify
    from reference.models import Area, ServiceType

    commissioner = make_user_with_role("commissioner", area_code="K")
    competition = setup.competition_create(
        actor=commissioner,
        title="Accommodation support in Kent",
        service_type=ServiceType.objects.get(code="accommodation"),
        owner_area=Area.objects.get(code="K"),
        summary="Help people on probation find a home.",
        specification="Find homes.",
    )
    now = timezone.now()
    closes = now + datetime.timedelta(days=40)
    setup.competition_set_contract_terms(
        competition=competition,
        actor=commissioner,
        contract_start=(closes + datetime.timedelta(days=120)).date(),
        contract_years=1,
        extension_years=0,
        payment_frequency="monthly_arrears",
        payment_days=30,
        max_lots_per_provider=None,
    )
    kent = Area.objects.get(level="pcc_area", name="Kent")
    lot = setup.lot_create(competition=competition, actor=commissioner, name="Kent", areas=[kent])
    years = sel.contract_financial_years(competition)
    setup.lot_years_set(lot=lot, actor=commissioner, years={year: (Decimal("300000"), 100) for year in years})
    setup.question_add(
        competition=competition, actor=commissioner, kind=QuestionKind.QUALITY, text="How?", weight=Decimal("60")
    )
    setup.question_add(
        competition=competition,
        actor=commissioner,
        kind=QuestionKind.SOCIAL_VALUE,
        text="What social value will you add?",
        weight=Decimal("10"),
    )
    setup.competition_set_timetable(
        competition=competition,
        actor=commissioner,
        clarification_deadline=closes - datetime.timedelta(days=7),
        closes_at=closes,
        evaluation_ends_at=closes + datetime.timedelta(days=20),
        intended_award_at=closes + datetime.timedelta(days=30),
        standstill_days=8,
    )
    _user, organisation = _member()
    qualify(organisation, "accommodation", "K")
    return competition, commissioner


@row("competitions.services.setup.competition_create", "competition.created")
def _():
    from competitions.services.setup import competition_create
    from reference.models import Area, ServiceType

    commissioner = make_user_with_role("commissioner", area_code="K")
    return lambda: competition_create(
        actor=commissioner,
        title="Accommodation in Kent",
        service_type=ServiceType.objects.get(code="accommodation"),
        owner_area=Area.objects.get(code="K"),
    )


@row("competitions.services.setup.competition_update_details", "competition.details_changed")
def _():
    from competitions.services.setup import competition_update_details

    competition, commissioner = _draft()
    return lambda: competition_update_details(competition=competition, actor=commissioner, title="A better title")


@row("competitions.services.setup.competition_document_add", "competition.document_added")
def _():
    from competitions.services.setup import competition_document_add

    competition, commissioner = _draft()
    return lambda: competition_document_add(
        competition=competition, actor=commissioner, title="Specification", upload=pdf()
    )


@row("competitions.services.setup.competition_document_remove", "competition.document_removed")
def _():
    from competitions.services.setup import competition_document_add, competition_document_remove

    competition, commissioner = _draft()
    document = competition_document_add(competition=competition, actor=commissioner, title="Spec", upload=pdf())
    return lambda: competition_document_remove(document=document, actor=commissioner)


@row("competitions.services.setup.competition_document_set_public", "competition.document_public_changed")
def _():
    from competitions.services.setup import competition_document_add, competition_document_set_public

    competition, commissioner = _draft()
    document = competition_document_add(competition=competition, actor=commissioner, title="Spec", upload=pdf())
    return lambda: competition_document_set_public(document=document, actor=commissioner, public=True)


@row("competitions.services.setup.competition_invite_newly_qualified", "competition.invited_after_launch")
def _():
    from competitions.services.setup import competition_invite_newly_qualified
    from competitions.tests.factories import make_competition
    from qualification.tests.assessor_factories import qualify
    from tests.factories import OrganisationFactory

    competition = make_competition()
    late = OrganisationFactory(legal_name="Kent Late")
    qualify(late, "accommodation", "E23000032")
    return lambda: competition_invite_newly_qualified(
        competition=competition, actor=competition.created_by, organisation_ids=[late.pk]
    )


@row("competitions.services.setup.lot_create", "competition.lot_added")
def _():
    from competitions.services.setup import lot_create
    from reference.models import Area

    competition, commissioner = _draft(lots=())
    kent = Area.objects.get(level="pcc_area", name="Kent")
    return lambda: lot_create(competition=competition, actor=commissioner, name="Kent", areas=[kent])


@row("competitions.services.setup.lot_update", "competition.lot_changed")
def _():
    from competitions.services.setup import lot_update
    from reference.models import Area

    competition, commissioner = _draft(lots=("Kent",))
    surrey = Area.objects.get(level="pcc_area", name="Surrey")
    return lambda: lot_update(lot=competition.lots.get(), actor=commissioner, name="Surrey", areas=[surrey])


@row("competitions.services.setup.lot_remove", "competition.lot_removed")
def _():
    from competitions.services.setup import lot_remove

    competition, commissioner = _draft(lots=("Kent",))
    return lambda: lot_remove(lot=competition.lots.get(), actor=commissioner)


@row("competitions.services.setup.lot_years_set", "competition.lot_year_set", "competition.lot_year_removed")
def _():
    from competitions.selectors import competitions as sel
    from competitions.services.setup import lot_years_set

    # The lot has a year the contract no longer covers: it is removed.
    competition, commissioner = _draft(lots=("Kent",), years=(2040,))
    years = {year: (Decimal("350000"), 120) for year in sel.contract_financial_years(competition)}
    return lambda: lot_years_set(lot=competition.lots.get(), actor=commissioner, years=years)


@row("competitions.services.setup.competition_set_contract_terms", "competition.contract_terms_set")
def _():
    from competitions.services.setup import competition_set_contract_terms

    competition, commissioner = _draft()
    return lambda: competition_set_contract_terms(competition=competition, actor=commissioner, payment_days=20)


@row("competitions.services.setup.co_commissioner_add", "competition.funding_partner_added")
def _():
    from competitions.services.setup import co_commissioner_add

    competition, commissioner = _draft(lots=("Kent",))
    lot = competition.lots.get()
    return lambda: co_commissioner_add(
        competition=competition,
        actor=commissioner,
        name="Kent County Council",
        party_type="local_authority",
        shares={lot.pk: Decimal("25")},
    )


@row("competitions.services.setup.co_commissioner_remove", "competition.funding_partner_removed")
def _():
    from competitions.services.setup import co_commissioner_add, co_commissioner_remove

    competition, commissioner = _draft(lots=("Kent",))
    partner = co_commissioner_add(
        competition=competition,
        actor=commissioner,
        name="Kent County Council",
        party_type="local_authority",
        shares={competition.lots.get().pk: Decimal("25")},
    )
    return lambda: co_commissioner_remove(partner=partner, actor=commissioner)


@row("competitions.services.setup.question_add", "competition.question_added")
def _():
    from competitions.services.setup import question_add

    competition, commissioner = _draft()
    return lambda: question_add(
        competition=competition, actor=commissioner, kind="quality", text="How will you help?", weight=Decimal("5")
    )


@row("competitions.services.setup.question_remove", "competition.question_removed")
def _():
    from competitions.services.setup import question_remove

    competition, commissioner = _draft()
    return lambda: question_remove(question=competition.questions.first(), actor=commissioner)


@row("competitions.services.setup.competition_set_evaluation_model", "competition.model_set")
def _():
    from competitions.services.setup import competition_set_evaluation_model

    competition, commissioner = _draft()
    return lambda: competition_set_evaluation_model(
        competition=competition, actor=commissioner, price_weight=Decimal("30"), social_value_weight=Decimal("10")
    )


@row("competitions.services.setup.competition_set_timetable", "competition.timetable_set")
def _():
    from competitions.services.setup import competition_set_timetable

    competition, commissioner = _draft()
    return lambda: competition_set_timetable(
        competition=competition,
        actor=commissioner,
        closes_at=competition.closes_at + datetime.timedelta(days=1),
    )


@row("competitions.services.setup.competition_plan", "competition.planned")
def _():
    from competitions.services.setup import competition_plan

    competition, commissioner = _ready_to_launch()
    return lambda: competition_plan(competition=competition, actor=commissioner)


@row("competitions.services.setup.competition_launch", "competition.launched", "competition.invited")
def _():
    from competitions.services.setup import competition_launch

    competition, commissioner = _ready_to_launch()
    return lambda: competition_launch(competition=competition, actor=commissioner)


@row("competitions.services.setup.competition_abandon", "competition.abandoned")
def _():
    from competitions.services.setup import competition_abandon

    competition, commissioner = _draft()
    return lambda: competition_abandon(competition=competition, actor=commissioner, reason="No longer needed.")


@row("competitions.services.setup.lot_abandon", "competition.lot_abandoned")
def _():
    from competitions.services.setup import lot_abandon

    competition, commissioner = _draft()
    return lambda: lot_abandon(lot=competition.lots.first(), actor=commissioner, reason="No longer needed.")


@row("competitions.services.setup.competition_commissioner_add", "competition.commissioner_added")
def _():
    from competitions.services.setup import competition_commissioner_add

    competition, commissioner = _draft()
    colleague = make_user_with_role("commissioner", area_code="K")
    return lambda: competition_commissioner_add(competition=competition, user=colleague, actor=commissioner)


@row("competitions.tasks.send_deadline_reminders", "competition.deadline_reminder_sent")
def _():
    from competitions.tasks import send_deadline_reminders
    from competitions.tests.factories import invite, make_competition

    competition = make_competition(closes_in=datetime.timedelta(hours=2))
    invite(competition, _member()[1])
    return send_deadline_reminders.call


# --- competitions: bids --------------------------------------------------------------------------


def _bidder():
    """An open competition and a member of an organisation invited to bid for all its lots."""
    from competitions.tests.factories import invite, make_competition

    competition = make_competition()
    user, organisation = _member()
    invite(competition, organisation)
    return competition, user


def _started_bid():
    from competitions.services.bids import bid_start

    competition, user = _bidder()
    return bid_start(competition=competition, user=user), user


def _chosen_lots_bid():
    from competitions.services.bids import bid_lots_set

    bid, user = _started_bid()
    bid_lots_set(bid=bid, user=user, lot_ids=list(bid.competition.lots.values_list("pk", flat=True)))
    return bid, user


@row("competitions.services.bids.bid_start", "bid.started")
def _():
    from competitions.services.bids import bid_start

    competition, user = _bidder()
    return lambda: bid_start(competition=competition, user=user)


@row("competitions.services.bids.bid_lots_set", "bid.lots_chosen")
def _():
    from competitions.services.bids import bid_lots_set

    bid, user = _started_bid()
    return lambda: bid_lots_set(bid=bid, user=user, lot_ids=[bid.competition.lots.first().pk])


@row("competitions.services.bids.bid_answer_save", "bid.answer_saved")
def _():
    from competitions.services.bids import bid_answer_save

    bid, user = _chosen_lots_bid()
    question = bid.competition.questions.get(number=1)
    return lambda: bid_answer_save(bid=bid, user=user, question=question, text="We will help people quickly.")


@row("competitions.services.bids.bid_prices_save", "bid.prices_saved")
def _():
    from competitions.services.bids import bid_prices_save

    bid, user = _chosen_lots_bid()
    lot = bid.competition.lots.first()
    prices = {year.financial_year: Decimal("100000") for year in lot.years.all()}
    return lambda: bid_prices_save(bid=bid, user=user, lot=lot, prices=prices)


def _partner_add(bid, user):
    from competitions.services.bids import bid_partner_add

    return bid_partner_add(
        bid=bid,
        user=user,
        organisation=None,
        name="Local Homes CIC",
        role="subcontractor",
        share_percent=Decimal("20"),
        lot_ids=[bid.competition.lots.first().pk],
    )


@row("competitions.services.bids.bid_partner_add", "bid.partner_added")
def _():
    bid, user = _chosen_lots_bid()
    return lambda: _partner_add(bid, user)


@row("competitions.services.bids.bid_partner_remove", "bid.partner_removed")
def _():
    from competitions.services.bids import bid_partner_remove

    bid, user = _chosen_lots_bid()
    partner = _partner_add(bid, user)
    return lambda: bid_partner_remove(bid=bid, user=user, partner_id=partner.pk)


@row("competitions.services.bids.bid_document_add", "bid.document_added")
def _():
    from competitions.services.bids import bid_document_add

    bid, user = _started_bid()
    return lambda: bid_document_add(bid=bid, user=user, title="Our plan", upload=pdf())


@row("competitions.services.bids.bid_document_remove", "bid.document_removed")
def _():
    from competitions.services.bids import bid_document_add, bid_document_remove

    bid, user = _started_bid()
    document = bid_document_add(bid=bid, user=user, title="Our plan", upload=pdf())
    return lambda: bid_document_remove(bid=bid, user=user, document_id=document.pk)


@row("competitions.services.bids.bid_declarations_confirm", "bid.declarations_confirmed")
def _():
    from competitions.services.bids import bid_declarations_confirm

    bid, user = _started_bid()
    return lambda: bid_declarations_confirm(bid=bid, user=user)


def _complete_bid(*, document: bool = False):
    """A complete bid, not yet sent, and its bidder."""
    from competitions.services.bids import bid_declarations_confirm, bid_document_add
    from competitions.tests.factories import make_bid

    competition, user = _bidder()
    bid = make_bid(competition, user.memberships.get().organisation, user=user, submitted=False)
    if document:
        bid_document_add(bid=bid, user=user, title="Our plan", upload=pdf())
    bid_declarations_confirm(bid=bid, user=user)
    return bid, user


@row("competitions.services.bids.bid_submit", "bid.submitted")
def _():
    from competitions.services.bids import bid_submit

    bid, user = _complete_bid()
    return lambda: bid_submit(bid=bid, user=user)


@row("competitions.services.bids.bid_withdraw", "bid.withdrawn")
def _():
    from competitions.services.bids import bid_submit, bid_withdraw

    bid, user = _complete_bid()
    bid_submit(bid=bid, user=user)
    return lambda: bid_withdraw(bid=bid, user=user)


def _sent_and_closed(*, document: bool = False):
    """A sent bid after the closing date (two evaluators, so evaluation has started), and an evaluator
    who has declared no conflict with it."""
    from competitions.services.bids import bid_submit
    from competitions.services.evaluation import conflict_declare
    from competitions.tests.evaluation_factories import close_bidding, evaluators

    bid, user = _complete_bid(document=document)
    bid_submit(bid=bid, user=user)
    competition = bid.competition
    for _ in range(2):
        evaluator = make_user_with_role("evaluator")
        competition.members.create(user=evaluator, role="evaluator", added_by=competition.created_by)
    close_bidding(competition)
    bid.refresh_from_db()
    conflict_declare(bid=bid, evaluator=evaluator, has_conflict=False)
    assert evaluator in evaluators(competition)
    return bid, evaluator


@row("competitions.services.bids.bid_open_for_reading", "bid.read")
def _():
    from competitions.services.bids import bid_open_for_reading

    bid, evaluator = _sent_and_closed()
    return lambda: bid_open_for_reading(bid=bid, user=evaluator)


@row("competitions.services.bids.bid_document_open", "bid.read")
def _():
    from competitions.services.bids import bid_document_open

    bid, evaluator = _sent_and_closed(document=True)
    document = bid.documents.get()
    return lambda: bid_document_open(bid=bid, user=evaluator, document_id=document.pk)


def _refused(call):
    """Call a service that records a failure and then refuses (the record must outlive the refusal)."""

    def refused():
        from competitions.services.bids import BidIntegrityError

        with pytest.raises(BidIntegrityError):
            call()

    return refused


@row("competitions.services.bids.bid_verify_integrity", "bid.integrity_failed")
def _():
    from competitions.models import BidPrice
    from competitions.services.bids import bid_verify_integrity

    bid, evaluator = _sent_and_closed()
    BidPrice.objects.filter(bid_lot__bid=bid).update(amount=Decimal("1.00"))
    return _refused(lambda: bid_verify_integrity(bid=bid, user=evaluator, purpose="scoring"))


@row("competitions.services.bids.bids_verify_integrity", "bid.integrity_failed")
def _():
    from competitions.models import BidPrice
    from competitions.services.bids import bids_verify_integrity

    bid, evaluator = _sent_and_closed()
    BidPrice.objects.filter(bid_lot__bid=bid).update(amount=Decimal("1.00"))
    return lambda: bids_verify_integrity(bids=[bid], user=evaluator, purpose="results")


@row("competitions.services.bids.bid_unreadable_record", "bid.integrity_failed")
def _():
    from competitions.services.bids import bid_unreadable_record

    bid, _evaluator = _sent_and_closed()
    user = bid.organisation.memberships.first().user
    return lambda: bid_unreadable_record(bid_id=bid.pk, user=user, purpose="own_bid:bid_task_list")


@row("competitions.services.sealing.bids_reencrypt", "bids.reencrypted")
def _():
    from django.test import override_settings

    from competitions.sealing import new_key
    from competitions.services.sealing import bids_reencrypt

    _sent_and_closed(document=True)
    from django.conf import settings

    keys = [new_key(), *settings.BID_ENCRYPTION_KEYS]

    def call():
        with override_settings(BID_ENCRYPTION_KEYS=keys):
            bids_reencrypt()

    return call


# A read changes nothing: the audit event is the whole of what happens.
@row("competitions.services.evaluation.bid_read_record", "bid.read", own_transaction=False)
def _():
    from competitions.services.evaluation import bid_read_record

    bid, evaluator = _sent_and_closed()
    return lambda: bid_read_record(user=evaluator, bid=bid, purpose="scoring")


# --- competitions: clarifications ----------------------------------------------------------------


@row("competitions.services.clarifications.clarification_ask", "clarification.asked")
def _():
    from competitions.services.clarifications import clarification_ask

    competition, user = _bidder()
    return lambda: clarification_ask(competition=competition, user=user, question="Can we bid with a partner?")


@row("competitions.services.clarifications.clarification_answer", "clarification.answered")
def _():
    from competitions.services.clarifications import clarification_answer, clarification_ask

    competition, user = _bidder()
    clarification = clarification_ask(competition=competition, user=user, question="Can we bid with a partner?")
    return lambda: clarification_answer(clarification=clarification, actor=competition.created_by, answer="Yes.")


# --- competitions: evaluation --------------------------------------------------------------------


def _closed_with_bid(evaluator_count: int = 2):
    """A competition after its closing date with evaluators (two: evaluation needs them) and one sent bid."""
    from competitions.tests.evaluation_factories import closed_competition, commissioner_of, evaluators
    from competitions.tests.factories import make_bid

    competition = closed_competition(evaluators=evaluator_count, lots=("Kent",))
    bid = make_bid(competition)
    return competition, bid, commissioner_of(competition), evaluators(competition)


@row("competitions.services.evaluation.evaluator_assign", "competition.evaluator_assigned")
def _():
    from competitions.services.evaluation import evaluator_assign

    competition, _bid, commissioner, _evaluators = _closed_with_bid()
    evaluator = make_user_with_role("evaluator")
    return lambda: evaluator_assign(competition=competition, user=evaluator, actor=commissioner)


@row("competitions.services.evaluation.evaluator_remove", "competition.evaluator_removed")
def _():
    from competitions.services.evaluation import evaluator_remove

    competition, _bid, commissioner, [evaluator, _other] = _closed_with_bid()
    return lambda: evaluator_remove(competition=competition, user=evaluator, actor=commissioner)


@row("competitions.services.evaluation.conflict_declare", "evaluation.conflict_declared", case="first")
def _():
    from competitions.services.evaluation import conflict_declare

    _competition, bid, _commissioner, [evaluator, _other] = _closed_with_bid()
    return lambda: conflict_declare(bid=bid, evaluator=evaluator, has_conflict=False)


@row("competitions.services.evaluation.conflict_declare", "evaluation.conflict_declared", case="no becomes yes")
def _():
    from competitions.services.evaluation import conflict_declare

    _competition, bid, _commissioner, [evaluator, _other] = _closed_with_bid()
    conflict_declare(bid=bid, evaluator=evaluator, has_conflict=False)
    return lambda: conflict_declare(bid=bid, evaluator=evaluator, has_conflict=True, details="My sister works there")


def _declared(evaluator_count: int = 2):
    from competitions.tests.evaluation_factories import declare

    competition, bid, commissioner, evaluator_list = _closed_with_bid(evaluator_count)
    for evaluator in evaluator_list:
        declare(evaluator, competition)
    return bid, commissioner, evaluator_list


def _score_entries(bid):
    from competitions.selectors.evaluation import scored_answers

    return [(answer, 3, "Clear and well evidenced.") for answer in scored_answers(bid)]


@row("competitions.services.evaluation.score_save_draft", "evaluation.score_saved")
def _():
    from competitions.services.evaluation import score_save_draft

    bid, _commissioner, [evaluator, _other] = _declared()
    answer, score, justification = _score_entries(bid)[0]
    return lambda: score_save_draft(evaluator=evaluator, answer=answer, score=score, justification=justification)


@row("competitions.services.evaluation.scores_submit", "evaluation.scores_submitted")
def _():
    from competitions.services.evaluation import scores_save, scores_submit

    bid, _commissioner, [evaluator, _other] = _declared()
    scores_save(evaluator=evaluator, bid=bid, entries=_score_entries(bid))
    return lambda: scores_submit(evaluator=evaluator, bid=bid)


@row("competitions.services.evaluation.scores_save", "evaluation.score_saved", "evaluation.scores_submitted")
def _():
    from competitions.services.evaluation import scores_save

    bid, _commissioner, [evaluator, _other] = _declared()
    return lambda: scores_save(evaluator=evaluator, bid=bid, entries=_score_entries(bid), submit=True)


@row("competitions.services.evaluation.pass_fail_record", "evaluation.pass_fail_recorded")
def _():
    from competitions.selectors.evaluation import pass_fail_answers
    from competitions.services.evaluation import pass_fail_record

    bid, commissioner, _evaluators = _declared()
    answer = pass_fail_answers(bid)[0]
    return lambda: pass_fail_record(answer=answer, passed=True, note="", actor=commissioner)


def _scored():
    from competitions.tests.evaluation_factories import score_and_submit

    bid, commissioner, evaluator_list = _declared()
    for evaluator in evaluator_list:
        score_and_submit(evaluator, bid)
    return bid, commissioner


@row("competitions.services.evaluation.moderation_record", "evaluation.score_moderated")
def _():
    from competitions.services.evaluation import moderation_record

    bid, commissioner = _scored()
    answer, score, rationale = _score_entries(bid)[0]
    return lambda: moderation_record(answer=answer, score=score, rationale=rationale, actor=commissioner)


@row("competitions.services.evaluation.moderation_record_many", "evaluation.score_moderated")
def _():
    from competitions.services.evaluation import moderation_record_many

    bid, commissioner = _scored()
    return lambda: moderation_record_many(bid=bid, entries=_score_entries(bid), actor=commissioner)


# --- competitions: award -------------------------------------------------------------------------


def _evaluated():
    """One lot, one sent bid, scored, checked and moderated; two commissioners who did not moderate."""
    from competitions.tests.evaluation_factories import add_commissioner, closed_competition, evaluate, priced_bid

    competition = closed_competition(lots=("Kent",))
    bid = priced_bid(competition, "400000")
    evaluate(competition, [(bid, 3)])
    return competition.lots.get(), add_commissioner(competition), add_commissioner(competition)


def _approved():
    from competitions.services.award import award_approve, award_recommend

    lot, recommender, approver = _evaluated()
    award = award_approve(award=award_recommend(lot=lot, actor=recommender), actor=approver)
    return award, recommender


@row("competitions.services.award.award_recommend", "award.recommended")
def _():
    from competitions.services.award import award_recommend

    lot, recommender, _approver = _evaluated()
    return lambda: award_recommend(lot=lot, actor=recommender)


@row("competitions.services.award.award_approve", "award.approved", "award.letters_sent")
def _():
    from competitions.services.award import award_approve, award_recommend

    lot, recommender, approver = _evaluated()
    award = award_recommend(lot=lot, actor=recommender)
    return lambda: award_approve(award=award, actor=approver)


@row("competitions.services.award.award_challenge_record", "award.challenged")
def _():
    from competitions.services.award import award_challenge_record

    award, recommender = _approved()
    return lambda: award_challenge_record(award=award, details="A bidder asked for a review.", actor=recommender)


@row("competitions.services.award.award_challenge_resolve", "award.challenge_resolved")
def _():
    from competitions.services.award import award_challenge_record, award_challenge_resolve

    award, recommender = _approved()
    award = award_challenge_record(award=award, details="A bidder asked for a review.", actor=recommender)
    return lambda: award_challenge_resolve(award=award, upheld=False, resolution="Scores checked.", actor=recommender)


@row("competitions.services.award.award_direct", "award.direct")
def _():
    from competitions.services.award import award_direct
    from competitions.tests.evaluation_factories import closed_competition, commissioner_of
    from qualification.tests.assessor_factories import qualify

    competition = closed_competition(lots=("Kent",))
    _user, organisation = _member()
    qualify(organisation, "accommodation", "K")
    return lambda: award_direct(
        lot=competition.lots.get(),
        organisation=organisation,
        justification="No compliant bid; the only qualified provider.",
        actor=commissioner_of(competition),
    )


# Records that the reminder e-mail went (so it goes once); it changes nothing else.
@row(
    "competitions.tasks_award.send_standstill_ending_reminders", "award.standstill_reminder_sent", own_transaction=False
)
def _():
    from competitions.models import Award
    from competitions.tasks_award import send_standstill_ending_reminders

    award, _recommender = _approved()
    Award.objects.filter(pk=award.pk).update(standstill_ends_at=timezone.now() + datetime.timedelta(hours=1))
    return send_standstill_ending_reminders.call


# --- contracts -----------------------------------------------------------------------------------


@row("contracts.services.contract_create_for_award", "contract.created")
def _():
    from competitions.models import Award
    from contracts.services import contract_create_for_award

    award, recommender = _approved()
    Award.objects.filter(pk=award.pk).update(standstill_ends_at=timezone.now() - datetime.timedelta(minutes=1))
    award.refresh_from_db()
    return lambda: contract_create_for_award(award=award, actor=recommender)


def _contract():
    """A contract made from an approved award: its two commissioners and a provider administrator."""
    from accounts.models import Membership
    from competitions.models import Award, CompetitionMember
    from contracts.services import contract_create_for_award

    award, recommender = _approved()
    Award.objects.filter(pk=award.pk).update(standstill_ends_at=timezone.now() - datetime.timedelta(minutes=1))
    award.refresh_from_db()
    contract = contract_create_for_award(award=award, actor=recommender)
    second = (
        CompetitionMember.objects.filter(competition=contract.lot.competition, role="commissioner")
        .exclude(user=recommender)[0]
        .user
    )
    membership = Membership.objects.filter(organisation=contract.supplier).first()
    Membership.objects.filter(pk=membership.pk).update(is_admin=True)
    return contract, recommender, second, membership.user


def _variation(*, proposed=False, approved=False):
    from contracts import services

    contract, first, second, provider = _contract()
    version = services.variation_start(
        contract=contract, ground="unforeseeable", explanation="More referrals than modelled.", actor=first
    )
    if proposed:
        version = services.variation_change(
            version=version,
            actor=first,
            payment_terms={"payment_frequency": "quarterly_arrears", "payment_days": 30, "payment_model": "fixed_fee"},
        )
        version = services.variation_propose(version=version, actor=first)
    if approved:
        version = services.variation_approve(version=version, actor=second)
    return version, first, second, provider


@row("contracts.services.contract_set_manager", "contract.manager_named")
def _():
    from contracts.services import contract_set_manager

    contract, first, second, _provider = _contract()
    return lambda: contract_set_manager(contract=contract, side="commissioner", manager=second, actor=first)


@row("contracts.services_eligibility.contract_set_eligibility", "contract.eligibility_changed")
def _():
    from contracts.services_eligibility import contract_set_eligibility

    contract, first, _second, _provider = _contract()
    return lambda: contract_set_eligibility(
        contract=contract,
        actor=first,
        min_age=18,
        max_age=25,
        sex="women",
        community_orders=True,
        licences=False,
        pre_release=True,
    )


@row("contracts.services.variation_start", "contract.variation_started")
def _():
    from contracts.services import variation_start

    contract, first, _second, _provider = _contract()
    return lambda: variation_start(contract=contract, ground="de_minimis", explanation="A small change.", actor=first)


@row("contracts.services.variation_change", "contract.variation_changed")
def _():
    from contracts.services import variation_change

    version, first, _second, _provider = _variation()
    return lambda: variation_change(version=version, actor=first, ends_on=datetime.date(2031, 3, 31))


@row("contracts.services.variation_propose", "contract.variation_proposed")
def _():
    from contracts.services import variation_change, variation_propose

    version, first, _second, _provider = _variation()
    variation_change(version=version, actor=first, ends_on=datetime.date(2031, 3, 31))
    return lambda: variation_propose(version=version, actor=first)


@row("contracts.services.variation_approve", "contract.variation_approved")
def _():
    from contracts.services import variation_approve

    version, _first, second, _provider = _variation(proposed=True)
    return lambda: variation_approve(version=version, actor=second)


@row("contracts.services.variation_accept", "contract.variation_accepted")
def _():
    from contracts.services import variation_accept

    version, _first, _second, provider = _variation(proposed=True, approved=True)
    return lambda: variation_accept(version=version, actor=provider)


@row("contracts.services.variation_decline", "contract.variation_declined")
def _():
    from contracts.services import variation_decline

    version, _first, _second, provider = _variation(proposed=True, approved=True)
    return lambda: variation_decline(version=version, actor=provider, reason="We cannot deliver it.")


@row("contracts.services.extension_propose", "contract.extension_proposed")
def _():
    from contracts.models import Contract
    from contracts.services import extension_propose

    contract, first, _second, _provider = _contract()
    Contract.objects.filter(pk=contract.pk).update(extension_years=1)
    contract.refresh_from_db()
    return lambda: extension_propose(contract=contract, years=1, explanation="Good results.", actor=first)


@row("contracts.services.contract_terminate", "contract.terminated")
def _():
    from contracts.services import contract_terminate, terms_in_force

    contract, first, _second, _provider = _contract()
    today = timezone.localdate()
    return lambda: contract_terminate(
        contract=contract,
        reason="mutual",
        explanation="Both sides agreed.",
        notice_on=today,
        terminates_on=max(today, contract.starts_on, terms_in_force(contract).ends_on - datetime.timedelta(days=30)),
        actor=first,
    )


def _claim(*, queried=False, approved=False):
    from contracts.selectors import claimable_periods, terms_in_force
    from contracts.services import claim_approve, claim_query, claim_send
    from contracts.tests.payments_world import live_contract_world

    world = live_contract_world()
    contract = world["contract"]
    period = claimable_periods(contract, terms_in_force(contract), today=timezone.localdate())[0][0]
    claim = claim_send(
        contract=contract, period_start=period, quantity=None, amount=Decimal(1000), note="", actor=world["provider"]
    )
    if queried:
        claim = claim_query(claim=claim, reason="Wrong amount.", actor=world["first"])
    if approved:
        claim = claim_approve(claim=claim, actor=world["first"])
    return claim, world


@row("contracts.services.claim_send", "claim.sent")
def _():
    from contracts.selectors import claimable_periods, terms_in_force
    from contracts.services import claim_send
    from contracts.tests.payments_world import live_contract_world

    world = live_contract_world()
    contract = world["contract"]
    period = claimable_periods(contract, terms_in_force(contract), today=timezone.localdate())[0][0]
    return lambda: claim_send(
        contract=contract, period_start=period, quantity=None, amount=Decimal(1000), note="", actor=world["provider"]
    )


@row("contracts.services.claim_send", "claim.sent", case="again")
def _():
    from contracts.services import claim_send

    claim, world = _claim(queried=True)
    return lambda: claim_send(
        contract=claim.contract,
        period_start=None,
        quantity=None,
        amount=Decimal(900),
        note="",
        actor=world["provider"],
        replaces=claim,
    )


@row("contracts.services.claim_correct", "claim.correction_sent")
def _():
    from contracts.services import claim_correct

    claim, world = _claim(approved=True)
    return lambda: claim_correct(
        claim=claim, amount=Decimal(-100), note="One session cancelled.", actor=world["provider"]
    )


def _partner_payment():
    from contracts.models import ContractVersionPartner
    from contracts.selectors import payment_periods, terms_in_force
    from contracts.tests.payments_world import live_contract_world

    world = live_contract_world()
    contract = world["contract"]
    terms = terms_in_force(contract)
    partner = ContractVersionPartner.objects.create(
        version=terms, name="Medway Mentors", role="subcontractor", share_percent=Decimal(20)
    )
    start, end = payment_periods(contract, terms)[0]
    return world, partner, start, end


@row("contracts.services_supply_chain.partner_payment_record", "partner_payment.recorded")
def _():
    from contracts.services_supply_chain import partner_payment_record

    world, partner, start, end = _partner_payment()
    return lambda: partner_payment_record(
        contract=world["contract"],
        partner=partner,
        period_start=start,
        amount=Decimal(500),
        paid_on=end,
        note="",
        actor=world["provider"],
    )


@row("contracts.services_supply_chain.partner_payment_correct", "partner_payment.corrected")
def _():
    from contracts.services_supply_chain import partner_payment_correct, partner_payment_record

    world, partner, start, end = _partner_payment()
    payment = partner_payment_record(
        contract=world["contract"],
        partner=partner,
        period_start=start,
        amount=Decimal(500),
        paid_on=end,
        note="",
        actor=world["provider"],
    )
    return lambda: partner_payment_correct(
        payment=payment, amount=Decimal(-100), paid_on=end, note="Returned.", actor=world["provider"]
    )


def _contract_document_add(world, actor):
    from contracts.services_documents import contract_document_add

    return contract_document_add(
        contract=world["contract"],
        actor=actor,
        title="Signed contract",
        kind="signed_contract",
        upload=SimpleUploadedFile("signed.pdf", PDF, content_type="application/pdf"),
    )


@row("contracts.services_documents.contract_document_add", "contract_document.added")
def _():
    from contracts.tests.payments_world import live_contract_world

    world = live_contract_world()
    return lambda: _contract_document_add(world, world["first"])


@row("contracts.services_documents.contract_document_withdraw", "contract_document.withdrawn")
def _():
    from contracts.services_documents import contract_document_withdraw
    from contracts.tests.payments_world import live_contract_world

    world = live_contract_world()
    document = _contract_document_add(world, world["provider"])
    return lambda: contract_document_withdraw(document=document, actor=world["first"], reason="Replaced.")


@row("contracts.services.claim_query", "claim.queried")
def _():
    from contracts.services import claim_query

    claim, world = _claim()
    return lambda: claim_query(claim=claim, reason="Wrong amount.", actor=world["first"])


@row("contracts.services.claim_approve", "claim.approved")
def _():
    from contracts.services import claim_approve

    claim, world = _claim()
    return lambda: claim_approve(claim=claim, actor=world["first"])


@row("contracts.services.claim_record_payment", "claim.paid")
def _():
    from contracts.services import claim_record_payment

    claim, world = _claim(approved=True)
    return lambda: claim_record_payment(claim=claim, paid_on=timezone.localdate(), actor=world["first"])


# --- referrals -----------------------------------------------------------------------------------


def _referral_world():
    from referrals.tests.factories import referral_world

    return referral_world()


@row("referrals.services.referral_create", "referral.created")
def _():
    from referrals.services import referral_create

    world = _referral_world()
    return lambda: referral_create(actor=world["practitioner"], contract=world["contract"])


@row("referrals.services.referral_update", "referral.updated")
def _():
    from referrals.services import referral_create, referral_update

    world = _referral_world()
    draft = referral_create(actor=world["practitioner"], contract=world["contract"])
    return lambda: referral_update(actor=world["practitioner"], referral=draft, crn="X123456", first_name="Sam")


@row("referrals.services.referral_set_categories", "referral.categories_set")
def _():
    from referrals.services import referral_create, referral_set_categories
    from referrals.tests.factories import category_choices

    world = _referral_world()
    draft = referral_create(actor=world["practitioner"], contract=world["contract"])
    choices = category_choices(world["contract"])
    return lambda: referral_set_categories(actor=world["practitioner"], referral=draft, choices=choices)


@row("referrals.services.referral_send", "referral.sent")
def _():
    from referrals.services import referral_send
    from referrals.tests.factories import complete_draft

    world = _referral_world()
    draft = complete_draft(world)
    return lambda: referral_send(actor=world["practitioner"], referral=draft)


@row("referrals.services.referral_cancel", "referral.cancelled")
def _():
    from referrals.services import referral_cancel
    from referrals.tests.factories import sent_referral

    world = _referral_world()
    referral = sent_referral(world)
    return lambda: referral_cancel(actor=world["practitioner"], referral=referral, reason="mistake")


@row("referrals.services.referral_end_early", "referral.ended")
def _():
    from referrals.services import referral_end_early
    from referrals.tests.factories import in_progress_referral

    world = _referral_world()
    referral = in_progress_referral(world)
    return lambda: referral_end_early(actor=world["practitioner"], referral=referral, reason="moved")


@row("referrals.services.referral_assign", "referral.assigned")
def _():
    from referrals.services import referral_assign
    from referrals.tests.factories import sent_referral

    world = _referral_world()
    referral = sent_referral(world)
    return lambda: referral_assign(actor=world["manager"], referral=referral, caseworker=world["caseworker"])


@row("referrals.services.referral_take_back", "referral.taken_back")
def _():
    from referrals.services import referral_assign, referral_take_back
    from referrals.tests.factories import sent_referral

    world = _referral_world()
    referral = sent_referral(world)
    referral_assign(actor=world["manager"], referral=referral, organisation=world["partner"])
    referral.refresh_from_db()
    return lambda: referral_take_back(actor=world["manager"], referral=referral)


@row("referrals.services.appointment_book", "referral.appointment_booked")
def _():
    from referrals.services import appointment_book
    from referrals.tests.factories import assigned_referral

    world = _referral_world()
    referral = assigned_referral(world)
    starts = timezone.now() + datetime.timedelta(days=3)
    return lambda: appointment_book(
        actor=world["caseworker"], referral=referral, starts_at=starts, duration_minutes=60, method="phone"
    )


@row("referrals.services.appointment_record_attendance", "referral.appointment_attended")
def _():
    from referrals.services import appointment_book, appointment_record_attendance
    from referrals.tests.factories import assigned_referral

    world = _referral_world()
    referral = assigned_referral(world)
    appointment_book(
        actor=world["caseworker"], referral=referral, starts_at=referral.sent_at, duration_minutes=60, method="video"
    )
    return lambda: appointment_record_attendance(actor=world["caseworker"], referral=referral, attendance="attended")


@row("referrals.services.action_plan_save", "referral.plan_saved")
def _():
    from referrals.services import action_plan_save
    from referrals.tests.factories import assigned_referral, outcome_ids

    world = _referral_world()
    referral = assigned_referral(world)
    activities = [(outcome_ids(referral)[0], "Meet weekly")]
    return lambda: action_plan_save(
        actor=world["caseworker"], referral=referral, number_of_sessions=4, activities=activities
    )


@row("referrals.services.action_plan_submit", "referral.plan_submitted")
def _():
    from referrals.services import action_plan_save, action_plan_submit
    from referrals.tests.factories import assigned_referral, outcome_ids

    world = _referral_world()
    referral = assigned_referral(world)
    action_plan_save(
        actor=world["caseworker"], referral=referral, number_of_sessions=4,
        activities=[(outcome_ids(referral)[0], "Meet weekly")],
    )  # fmt: skip
    return lambda: action_plan_submit(actor=world["caseworker"], referral=referral)


@row("referrals.services.action_plan_approve", "referral.plan_approved")
def _():
    from referrals.services import action_plan_approve, action_plan_save, action_plan_submit
    from referrals.tests.factories import assigned_referral, outcome_ids

    world = _referral_world()
    referral = assigned_referral(world)
    action_plan_save(
        actor=world["caseworker"], referral=referral, number_of_sessions=4,
        activities=[(outcome_ids(referral)[0], "Meet weekly")],
    )  # fmt: skip
    action_plan_submit(actor=world["caseworker"], referral=referral)
    return lambda: action_plan_approve(actor=world["practitioner"], referral=referral, version=1)


@row("referrals.services.session_record", "referral.session_recorded")
def _():
    from referrals.services import session_record
    from referrals.tests.factories import in_progress_referral

    world = _referral_world()
    referral = in_progress_referral(world)
    return lambda: session_record(
        actor=world["caseworker"], referral=referral, happened_at=referral.sent_at, attendance="late", engagement="some"
    )


@row("referrals.services.report_save", "referral.report_saved")
def _():
    from referrals.services import report_save
    from referrals.tests.factories import delivered_referral, outcome_ids

    world = _referral_world()
    referral = delivered_referral(world)
    outcomes = dict.fromkeys(outcome_ids(referral), ("achieved", ""))
    return lambda: report_save(actor=world["caseworker"], referral=referral, outcomes=outcomes)


@row("referrals.services.report_answer", "referral.report_saved")
def _():
    from referrals.services import report_answer
    from referrals.tests.factories import delivered_referral, outcome_ids

    world = _referral_world()
    referral = delivered_referral(world)
    first = outcome_ids(referral)[0]
    return lambda: report_answer(actor=world["caseworker"], referral=referral, outcome_id=first, answer=("partly", ""))


@row("referrals.services.report_send", "referral.report_sent")
def _():
    from referrals.services import report_save, report_send
    from referrals.tests.factories import delivered_referral, outcome_ids

    world = _referral_world()
    referral = delivered_referral(world)
    outcomes = dict.fromkeys(outcome_ids(referral), ("achieved", ""))
    report_save(actor=world["caseworker"], referral=referral, outcomes=outcomes)
    return lambda: report_send(actor=world["caseworker"], referral=referral)


@row("referrals.services.referral_manager_grant", "referral_manager.granted")
def _():
    from accounts.models import Membership
    from referrals.services import referral_manager_grant

    world = _referral_world()
    membership = Membership.objects.get(user=world["caseworker"])
    return lambda: referral_manager_grant(actor=world["admin"], membership=membership)


@row("referrals.services.referral_manager_revoke", "referral_manager.revoked")
def _():
    from accounts.models import Membership
    from referrals.services import referral_manager_revoke

    world = _referral_world()
    membership = Membership.objects.get(user=world["manager"])
    return lambda: referral_manager_revoke(actor=world["admin"], membership=membership)


@row("referrals.services.referral_read_record", "referral.personal_data_read")
def _():
    from referrals.services import referral_read_record
    from referrals.tests.factories import sent_referral

    world = _referral_world()
    referral = sent_referral(world)
    return lambda: referral_read_record(actor=world["manager"], referral=referral, purpose="page:referrals:detail")


@row("referrals.services.referral_erase_personal_data", "referral.personal_data_erased")
def _():
    from referrals.services import referral_erase_personal_data
    from referrals.tests.factories import delivered_referral

    world = _referral_world()
    referral = delivered_referral(world)
    return lambda: referral_erase_personal_data(referral=referral)


@row("referrals.services.referral_subject_access_export", "referral.subject_access_export")
def _():
    from referrals.services import referral_subject_access_export
    from referrals.tests.factories import CRN, delivered_referral

    delivered_referral(_referral_world())
    return lambda: referral_subject_access_export(crn=CRN)


@row("referrals.services.personal_data_reencrypt", "referrals.reencrypted")
def _():
    from django.conf import settings
    from django.test import override_settings

    from core.sealing import new_key
    from referrals.services import personal_data_reencrypt
    from referrals.tests.factories import delivered_referral

    delivered_referral(_referral_world())
    keys = [new_key(), *settings.PERSONAL_DATA_KEYS]

    def call():
        with override_settings(PERSONAL_DATA_KEYS=keys):
            personal_data_reencrypt()

    return call


# --- the table test ------------------------------------------------------------------------------


@pytest.mark.parametrize("row", TABLE, ids=[r.id for r in TABLE])
def test_the_service_writes_its_audit_action_in_its_own_transaction(row):
    call = row.world()
    last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    outer = len(connection.atomic_blocks)
    depths: list[tuple[str, int]] = []

    def seen(sender, instance, **kwargs):
        depths.append((instance.action, len(connection.atomic_blocks)))

    post_save.connect(seen, sender=AuditEvent, weak=False)
    try:
        call()
    finally:
        post_save.disconnect(seen, sender=AuditEvent)
    written = AuditEvent.objects.filter(id__gt=last).order_by("id").values_list("action", flat=True)
    assert tuple(dict.fromkeys(written)) == row.actions
    if row.own_transaction:
        # audit_record's own atomic block sits inside the service's: at least two above the test's.
        outside = [action for action, depth in depths if depth < outer + 2]
        assert not outside, f"{row.service} wrote {outside} outside a transaction of its own"


# --- the table is whole --------------------------------------------------------------------------

ACTION_NAME = re.compile(r"^[a-z_]+\.[a-z_]+$")
# Atomic service functions that write no audit event of their own, each with the reason.
NO_ROW = {
    "audit.services.audit_record": "the writer of the trail itself",
    "audit.services.audit_checkpoint_create": "signs the trail; a checkpoint is its own append-only record",
}


def _production_modules():
    for app in APPS:
        for path in sorted((REPOSITORY / app).rglob("*.py")):
            parts = path.relative_to(REPOSITORY).parts
            if "tests" in parts or "migrations" in parts:
                continue
            yield path, ".".join(parts).removesuffix(".py").removesuffix(".__init__")


def actions_in_source(source: str, where: str) -> dict[str, list[str]]:
    """The action names one module can pass as `action=`: literals, either branch of a conditional,
    module-level constants. Raises on a name it cannot read (an f-string)."""
    found: dict[str, list[str]] = {}
    tree = ast.parse(source)
    constants = {
        node.targets[0].id: node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        and len(node.targets) == 1
        and isinstance(node.targets[0], ast.Name)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    }
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        for keyword in node.keywords:
            if keyword.arg != "action":
                continue
            for part in ast.walk(keyword.value):
                if isinstance(part, ast.JoinedStr):
                    raise AssertionError(f"{where}:{node.lineno}: write audit action names in full, not as an f-string")
                name = None
                if isinstance(part, ast.Constant) and isinstance(part.value, str):
                    name = part.value
                elif isinstance(part, ast.Name) and part.id in constants:
                    name = constants[part.id]
                if name and ACTION_NAME.match(name):
                    found.setdefault(name, []).append(f"{where}:{node.lineno}")
    return found


def audit_action_names() -> dict[str, list[str]]:
    """Every action name the production code writes, with where."""
    found: dict[str, list[str]] = {}
    for path, _module in _production_modules():
        for name, where in actions_in_source(
            path.read_text(encoding="utf-8"), str(path.relative_to(REPOSITORY))
        ).items():
            found.setdefault(name, []).extend(where)
    return found


def atomic_service_functions() -> set[str]:
    """Every public module-level function decorated with @transaction.atomic in a services module."""
    found = set()
    for path, module in _production_modules():
        if ".services" not in f".{module}" and not module.endswith("services"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if (
                isinstance(node, ast.FunctionDef)
                and not node.name.startswith("_")
                and any(ast.unparse(decorator) == "transaction.atomic" for decorator in node.decorator_list)
            ):
                found.add(f"{module}.{node.name}")
    return found


def test_every_audit_action_in_the_code_has_a_row():
    in_code = audit_action_names()
    in_table = {action for r in TABLE for action in r.actions}
    missing = {name: where for name, where in in_code.items() if name not in in_table}
    assert not missing, "Audit actions without a row in tests/test_audit_actions.py TABLE:\n" + "\n".join(
        f"  {name} ({', '.join(where)})" for name, where in sorted(missing.items())
    )
    stale = in_table - set(in_code)
    assert not stale, f"Rows for actions no code writes: {sorted(stale)}"


def test_every_atomic_service_has_a_row():
    services = atomic_service_functions()
    assert "competitions.services.award.award_challenge_record" in services  # the scan itself works
    rows = {r.service for r in TABLE}
    missing = services - rows - set(NO_ROW)
    assert not missing, "Services that change state without a row in TABLE: " + ", ".join(sorted(missing))


def test_every_row_names_a_real_function():
    for r in TABLE:
        module, name = r.service.rsplit(".", 1)
        function = getattr(import_module(module), name)
        assert callable(function) or callable(getattr(function, "call", None)), r.service  # a task has .call


def test_the_scan_reads_conditional_and_constant_action_names():
    source = (
        'REMINDER_ACTION = "thing.reminded"\n'
        "def f(before, action):\n"
        '    audit_record(action="thing.update" if before else "thing.create")\n'
        "    audit_record(action=REMINDER_ACTION)\n"
        '    parser.add_argument("--all", action="store_true")\n'
        "    audit_record(action=action)\n"
        '    _update(action="thing.tidied")\n'
    )
    assert set(actions_in_source(source, "example.py")) == {
        "thing.update",
        "thing.create",
        "thing.reminded",
        "thing.tidied",
    }
    with pytest.raises(AssertionError, match="not as an f-string"):
        actions_in_source('audit_record(action=f"thing.{kind}")\n', "example.py")
