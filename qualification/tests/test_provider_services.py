"""Service rules of the provider journey: submitting, carrying answers over, clarifications,
uploads, help requests and yearly declarations."""

from __future__ import annotations

import datetime
import io
import zipfile

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone

from accounts.models import Size, StaffBand, TurnoverBand
from audit.models import AuditEvent
from qualification.models import (
    Application,
    ApplicationDocument,
    ApplicationKind,
    ApplicationSection,
    DeclarationConfirmation,
    HelpRequest,
    SectionKey,
)
from qualification.selectors import applications as sel
from qualification.services import applications as svc
from qualification.tasks import send_declaration_reminders
from qualification.tests.factories import (
    EXAMPLE_ANSWERS,
    ApplicationFactory,
    DeclarationConfirmationFactory,
    QualificationFactory,
    area,
    make_complete_application,
)
from qualification.uploads import check_upload
from tests.factories import OrganisationFactory, make_provider_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def member():
    return make_provider_user()


@pytest.fixture
def draft(member):
    return ApplicationFactory(organisation=member.memberships.get().organisation, started_by=member)


def pdf(name="accounts.pdf", size=None) -> SimpleUploadedFile:
    content = b"%PDF-1.4\n" + b"0" * ((size or 100) - 9)
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def docx_bytes(marker="wordprocessingml.document.main+xml") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            f'<Types><Override ContentType="application/vnd.openxmlformats-officedocument.{marker}"/></Types>',
        )
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


# --- Saving sections ----------------------------------------------------------------------


def test_saving_a_page_merges_answers_and_marks_complete_only_when_enough(member, draft):
    section = svc.section_save(application=draft, key=SectionKey.EXCLUSION, answers={"mandatory": "no"}, user=member)
    assert section.completed_at is None
    section = svc.section_save(
        application=draft, key=SectionKey.EXCLUSION, answers={"discretionary": "yes"}, user=member
    )
    assert section.answers == {"mandatory": "no", "discretionary": "yes"}
    assert section.completed_at is None  # yes needs an explanation
    section = svc.section_save(
        application=draft,
        key=SectionKey.EXCLUSION,
        answers={"discretionary_details": "A contract ended early in 2023."},
        user=member,
    )
    assert section.completed_at is not None
    assert section.updated_by == member
    assert AuditEvent.objects.filter(action="application.section_saved").count() == 3


def test_any_colleague_can_continue_the_application(member, draft):
    colleague = make_provider_user(is_admin=False, organisation=draft.organisation)
    svc.section_save(application=draft, key=SectionKey.ABOUT, answers={"what_you_do": "Homes"}, user=member)
    section = svc.section_save(
        application=draft, key=SectionKey.ABOUT, answers={"probation_experience": "no"}, user=colleague
    )
    assert section.completed_at is not None and section.updated_by == colleague


def test_someone_from_another_organisation_cannot_save(draft):
    stranger = make_provider_user()
    with pytest.raises(PermissionDenied):
        svc.section_save(application=draft, key=SectionKey.ABOUT, answers={"what_you_do": "x"}, user=stranger)


def test_finance_needs_accounts_unless_micro(member, draft):
    answers = {"turnover": "3000000"}
    section = svc.section_save(application=draft, key=SectionKey.FINANCE, answers=answers, user=member)
    assert section.completed_at is not None  # micro: upload optional
    organisation = draft.organisation
    organisation.staff_band, organisation.turnover_band, organisation.size = (
        StaffBand.FROM_10_TO_49,
        TurnoverBand.UP_TO_10M,
        Size.SMALL,
    )
    organisation.save()
    section = svc.section_save(application=draft, key=SectionKey.FINANCE, answers=answers, user=member)
    assert section.completed_at is None
    section = svc.section_save(application=draft, key=SectionKey.FINANCE, answers={}, user=member, upload=pdf())
    assert section.completed_at is not None
    document = section.documents.get()
    assert document.content_type == "application/pdf"
    assert len(document.sha256) == 64


# --- Uploads --------------------------------------------------------------------------------


def test_upload_type_is_checked_by_content_not_name():
    fake = SimpleUploadedFile("accounts.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf")
    with pytest.raises(ValidationError) as error:
        check_upload(fake)
    assert error.value.messages == ["The selected file must be a PDF, Word, Excel, OpenDocument, PNG or JPG"]


def test_word_file_is_recognised_by_content_and_other_zips_are_not():
    assert check_upload(SimpleUploadedFile("x.docx", docx_bytes())).content_type.endswith("wordprocessingml.document")
    with pytest.raises(ValidationError, match="its name must end in .docx"):
        check_upload(SimpleUploadedFile("x.bin", docx_bytes()))
    assert check_upload(SimpleUploadedFile("x.xlsx", docx_bytes("spreadsheetml.sheet.main+xml"))).content_type.endswith(
        "spreadsheetml.sheet"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("evil.exe", "MZ")
    with pytest.raises(ValidationError):
        check_upload(SimpleUploadedFile("accounts.docx", buffer.getvalue()))


def test_opendocument_png_and_jpeg_are_allowed():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<x/>")
    assert check_upload(SimpleUploadedFile("a.ods", buffer.getvalue())).content_type.endswith("spreadsheet")
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 20
    assert check_upload(SimpleUploadedFile("a.png", png)).content_type == "image/png"
    assert check_upload(SimpleUploadedFile("a.jpg", b"\xff\xd8\xff\xe0" + b"\0" * 20)).content_type == "image/jpeg"


@override_settings(MAX_UPLOAD_BYTES=10 * 1024 * 1024)
def test_file_one_byte_over_10mb_is_refused_and_10mb_is_allowed():
    with pytest.raises(ValidationError) as error:
        check_upload(pdf(size=10 * 1024 * 1024 + 1))
    assert error.value.messages == ["The selected file must be smaller than 10MB"]
    assert check_upload(pdf(size=10 * 1024 * 1024)).size == 10 * 1024 * 1024


def test_empty_file_is_refused():
    with pytest.raises(ValidationError, match="empty"):
        check_upload(SimpleUploadedFile("a.pdf", b""))


# --- Submitting -----------------------------------------------------------------------------


def test_submit_refuses_incomplete_application_and_lists_what_is_missing(member, draft):
    svc.section_save(application=draft, key=SectionKey.ABOUT, answers=EXAMPLE_ANSWERS[SectionKey.ABOUT], user=member)
    with pytest.raises(ValidationError) as error:
        svc.application_submit(application=draft, user=member)
    messages = error.value.messages
    assert "Complete ‘Insurance’" in messages
    assert "Complete ‘About your organisation’" not in messages
    assert len(messages) == 7
    draft.refresh_from_db()
    assert draft.submitted_at is None
    assert not DeclarationConfirmation.objects.exists()


def test_submit_sets_submitted_creates_declaration_and_refuses_a_second_time(member):
    application = make_complete_application(organisation=member.memberships.get().organisation, user=member)
    svc.application_submit(application=application, user=member)
    application.refresh_from_db()
    assert application.submitted_at is not None and application.submitted_by == member
    assert DeclarationConfirmation.objects.get().confirmed_by == member
    assert AuditEvent.objects.filter(action="application.submitted", object_id=str(application.pk)).exists()
    with pytest.raises(ValidationError, match="already sent"):
        svc.application_submit(application=application, user=member)
    assert DeclarationConfirmation.objects.count() == 1


def test_no_edits_after_submitting(member):
    application = make_complete_application(organisation=member.memberships.get().organisation, user=member)
    svc.application_submit(application=application, user=member)
    with pytest.raises(PermissionDenied):
        svc.section_save(application=application, key=SectionKey.ABOUT, answers={"what_you_do": "x"}, user=member)
    assert application.sections.get(key=SectionKey.ABOUT).answers["what_you_do"] == "We help people find a home."


def test_only_a_member_can_submit(member):
    application = make_complete_application(organisation=member.memberships.get().organisation, user=member)
    with pytest.raises(PermissionDenied):
        svc.application_submit(application=application, user=make_provider_user())


def test_clarification_answered_then_resubmitted(member):
    assessor = make_provider_user()  # who asked does not matter to the provider side
    application = make_complete_application(organisation=member.memberships.get().organisation, user=member)
    svc.application_submit(application=application, user=member)
    # What the assessor's service does: ask a question on a section and reopen the application.
    section = application.sections.get(key=SectionKey.INSURANCE)
    section.clarification_requested_at = timezone.now()
    section.clarification_requested_by = assessor
    section.clarification_question = "How much public liability cover do you have?"
    section.save()
    Application.objects.filter(pk=application.pk).update(submitted_at=None)
    application.refresh_from_db()
    assert application.status == "needs_changes"
    saved = svc.section_save(
        application=application,
        key=SectionKey.INSURANCE,
        answers={"public_liability_amount": "2000000.00"},
        user=member,
    )
    assert saved.clarification_answered_at is not None
    svc.application_submit(application=application, user=member)
    application.refresh_from_db()
    assert application.status == "submitted"


def test_unanswered_question_stops_resubmission(member):
    application = make_complete_application(organisation=member.memberships.get().organisation, user=member)
    ApplicationSection.objects.filter(application=application, key=SectionKey.SECURITY).update(
        clarification_requested_at=timezone.now(), clarification_question="Which ones?"
    )
    with pytest.raises(ValidationError) as error:
        svc.application_submit(application=application, user=member)
    assert error.value.messages == ["Answer the assessor's question in ‘Information security’"]


# --- After a decision: adding services -------------------------------------------------------


def decided_application(member):
    application = make_complete_application(organisation=member.memberships.get().organisation, user=member)
    now = timezone.now()
    ApplicationSection.objects.filter(application=application).update(accepted_at=now, accepted_by=member)
    section = application.sections.get(key=SectionKey.FINANCE)
    svc_doc = ApplicationDocument.objects.create(
        section=section,
        file="applications/accounts.pdf",
        original_name="accounts.pdf",
        content_type="application/pdf",
        size=10,
        sha256="a" * 64,
        uploaded_by=member,
    )
    Application.objects.filter(pk=application.pk).update(submitted_at=now, decided_at=now, decided_by=member)
    application.refresh_from_db()
    return application, svc_doc


def test_add_services_carries_over_accepted_sections_but_not_services_or_declaration(member):
    old, document = decided_application(member)
    new = svc.application_start_add_services(organisation=old.organisation, user=member)
    assert new.kind == ApplicationKind.ADD_SERVICES
    keys = set(new.sections.values_list("key", flat=True))
    assert SectionKey.SERVICES not in keys and SectionKey.DECLARATION not in keys
    about = new.sections.get(key=SectionKey.ABOUT)
    old_about = old.sections.get(key=SectionKey.ABOUT)
    assert about.answers == old_about.answers
    assert about.carried_over_from == old_about
    assert about.accepted_at == old_about.accepted_at
    assert about.completed_at is not None
    assert new.sections.get(key=SectionKey.FINANCE).documents.get().sha256 == document.sha256
    # Only the new things are left to do.
    problems = [key for key, _ in svc.submission_problems(new)]
    assert problems == [SectionKey.SERVICES, SectionKey.DECLARATION]


def test_add_services_needs_a_decided_application_and_no_open_one(member, draft):
    with pytest.raises(ValidationError):
        svc.application_start_add_services(organisation=draft.organisation, user=member)


def test_changing_a_carried_over_answer_makes_it_need_checking_again(member):
    old, _ = decided_application(member)
    new = svc.application_start_add_services(organisation=old.organisation, user=member)
    section = svc.section_save(
        application=new, key=SectionKey.ABOUT, answers={"what_you_do": "We now also run a hostel."}, user=member
    )
    assert section.accepted_at is None and section.carried_over_from is None
    unchanged = svc.section_save(
        application=new, key=SectionKey.SECURITY, answers=dict(EXAMPLE_ANSWERS[SectionKey.SECURITY]), user=member
    )
    assert unchanged.accepted_at is not None


def test_what_you_can_bid_for_reads_plainly(member):
    organisation = member.memberships.get().organisation
    QualificationFactory(organisation=organisation, area=area("K"))
    QualificationFactory(organisation=organisation, area=area("W06000015"))
    QualificationFactory(organisation=organisation, area=area("J"), suspended_at=timezone.now())
    QualificationFactory(area=area("A"))  # another organisation's
    assert sel.qualification_sentences(organisation) == [
        "You can bid for Accommodation across Kent, Surrey and Sussex and in Cardiff."
    ]


# --- Help and declarations -------------------------------------------------------------------


def test_help_request_is_saved_and_audited(member):
    organisation = member.memberships.get().organisation
    svc.help_request_create(organisation=organisation, user=member, message="  Help with insurance  ")
    help_request = HelpRequest.objects.get()
    assert help_request.message == "Help with insurance"
    assert AuditEvent.objects.filter(action="help_request.created").exists()


def test_organisation_update_recomputes_size_and_is_audited(member):
    organisation = member.memberships.get().organisation
    svc.organisation_update(
        organisation=organisation,
        user=member,
        data={"staff_band": StaffBand.FROM_50_TO_249, "turnover_band": TurnoverBand.UP_TO_2M, "town": "Dover"},
    )
    organisation.refresh_from_db()
    assert organisation.size == Size.MEDIUM and organisation.town == "Dover"
    assert AuditEvent.objects.get(action="organisation.updated").before["town"] == "Maidstone"


def test_declaration_due_30_days_before_a_year_is_up():
    organisation = OrganisationFactory()
    assert not sel.declaration_due(organisation)  # never confirmed: still applying
    now = timezone.now()
    DeclarationConfirmationFactory(organisation=organisation, confirmed_at=now - datetime.timedelta(days=300))
    assert not sel.declaration_due(organisation, now=now)
    assert sel.declaration_due(organisation, now=now + datetime.timedelta(days=36))
    svc.declaration_confirm(organisation=organisation, user=make_provider_user(organisation=organisation))
    assert not sel.declaration_due(organisation, now=now + datetime.timedelta(days=36))


def test_reminder_task_emails_organisations_due_once_only():
    now = timezone.now()
    due = OrganisationFactory(contact_email="due@example.org")
    admin = make_provider_user(organisation=due, email="admin@example.org")
    DeclarationConfirmationFactory(organisation=due, confirmed_at=now - datetime.timedelta(days=340))
    fresh = OrganisationFactory(contact_email="fresh@example.org")
    DeclarationConfirmationFactory(organisation=fresh, confirmed_at=now - datetime.timedelta(days=10))
    # An older declaration does not count once a newer one exists.
    renewed = OrganisationFactory(contact_email="renewed@example.org")
    DeclarationConfirmationFactory(organisation=renewed, confirmed_at=now - datetime.timedelta(days=400))
    DeclarationConfirmationFactory(organisation=renewed, confirmed_at=now - datetime.timedelta(days=5))

    result = send_declaration_reminders.enqueue()
    assert result.return_value == 1
    assert len(mail.outbox) == 1
    assert sorted(mail.outbox[0].to) == sorted(["due@example.org", admin.email])
    assert "confirm" in mail.outbox[0].body
    assert AuditEvent.objects.filter(action="declaration.reminder_sent").count() == 1

    send_declaration_reminders.enqueue()
    assert len(mail.outbox) == 1  # idempotent

    # After confirming again, next year's reminder is a new one.
    newest = svc.declaration_confirm(organisation=due, user=admin)
    DeclarationConfirmation.objects.filter(pk=newest.pk).update(confirmed_at=now - datetime.timedelta(days=335))
    assert send_declaration_reminders.enqueue().return_value == 1
