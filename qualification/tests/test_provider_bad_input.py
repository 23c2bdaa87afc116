"""Bad input on provider pages: a clear GOV.UK error, nothing typed lost, HTML shown escaped,
submitting twice and editing after submitting refused with a clear page."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organisation
from qualification.models import Application, ApplicationSection, DeclarationConfirmation, SectionKey
from qualification.tests.factories import (
    ApplicationFactory,
    DeclarationConfirmationFactory,
    InterestFactory,
    make_complete_application,
)
from tests.factories import DEFAULT_PASSWORD, UserFactory, make_provider_user

pytestmark = pytest.mark.django_db

ORG = {
    "legal_name": "Hope <b>Homes</b>",
    "trading_name": "Hope",
    "organisation_type": "registered_charity",
    "charity_number": "",
    "company_number": "",
}


@pytest.fixture
def registering(client):
    client.post(
        reverse("qualification:register", args=["you"]),
        {"full_name": "Sam", "email": "sam@example.org", "password": DEFAULT_PASSWORD},
    )
    return client


def post_org(client, **changes):
    return client.post(reverse("qualification:register", args=["organisation"]), {**ORG, **changes})


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"charity_number": ""}, "Enter your charity number"),
        ({"charity_number": "12345"}, "Enter a charity number in the correct format, like 1123456"),
        ({"charity_number": "12345678"}, "Enter a charity number in the correct format, like 1123456"),
        ({"charity_number": "1123456-123"}, "Enter a charity number in the correct format, like 1123456"),
        ({"organisation_type": "cic", "charity_number": ""}, "Enter your company number"),
        (
            {"organisation_type": "company_by_guarantee", "company_number": "AB12"},
            "Enter a company number in the correct format, like 01234567 or SC123456",
        ),
        (
            {"organisation_type": "company_by_shares", "company_number": "XX123456"},
            "Enter a company number in the correct format, like 01234567 or SC123456",
        ),
        ({"organisation_type": "cio", "charity_number": "abc"}, "Enter a charity number in the correct format"),
        ({"organisation_type": ""}, "Select the type of organisation"),
        ({"legal_name": ""}, "Enter the legal name of your organisation"),
    ],
)
def test_invalid_organisation_numbers_get_a_clear_error_and_keep_what_was_typed(registering, changes, message):
    response = post_org(registering, **changes)
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert "There is a problem" in page
    assert "<title>Error:" in page
    # Nothing typed is lost; what was typed is escaped.
    if changes.get("legal_name", None) != "":
        assert 'value="Hope &lt;b&gt;Homes&lt;/b&gt;"' in page
    assert 'value="Hope"' in page


@pytest.mark.parametrize(
    ("changes", "stored"),
    [
        ({"charity_number": "1123456"}, ("1123456", "")),
        ({"charity_number": "212345-1"}, ("212345-1", "")),
        ({"charity_number": "1123456", "company_number": "sc 123456"}, ("1123456", "SC123456")),
        ({"organisation_type": "cic", "company_number": "1234567"}, ("", "01234567")),
        ({"organisation_type": "company_by_shares", "company_number": "OC123456"}, ("", "OC123456")),
        ({"organisation_type": "public_body"}, ("", "")),
    ],
)
def test_valid_numbers_are_accepted_and_tidied(registering, changes, stored):
    response = post_org(registering, **changes)
    assert response.status_code == 302
    saved = registering.session["join_registration"]["organisation"]
    assert (saved["charity_number"], saved["company_number"]) == stored


def test_a_weak_password_is_refused_but_an_address_in_use_is_not_said(client):
    UserFactory(email="taken@example.org")
    response = client.post(
        reverse("qualification:register", args=["you"]),
        {"full_name": "Sam Patel", "email": "TAKEN@example.org", "password": "short"},
    )
    page = response.content.decode()
    assert "already an account" not in page
    assert "Password must be 12 characters or more" in page
    assert 'value="Sam Patel"' in page
    assert "short" not in page  # passwords are never sent back


def test_bad_postcode_and_missing_address(registering):
    post_org(registering, charity_number="1123456")
    registering.post(
        reverse("qualification:register", args=["size"]), {"staff_band": "under_10", "turnover_band": "up_to_2m"}
    )
    response = registering.post(
        reverse("qualification:register", args=["address"]),
        {"address_line_1": "", "town": "Dover", "postcode": "NOPE", "contact_email": "x"},
    )
    page = response.content.decode()
    assert "Enter address line 1, typically the building and street" in page
    assert "Enter a real postcode, like SW1A 1AA" in page
    assert "Enter an email address in the correct format" in page
    assert 'value="Dover"' in page


@pytest.fixture
def member_client(client):
    user = make_provider_user()
    organisation = user.memberships.get().organisation
    InterestFactory(organisation=organisation, registered_by=user)
    application = ApplicationFactory(organisation=organisation, started_by=user)
    client.force_login(user)
    client.user = user
    client.application = application
    return client


def section_url(key):
    return reverse("qualification:section", kwargs={"key": key})


def test_missing_answers_get_govuk_messages(member_client):
    page = member_client.post(section_url("about"), {}).content.decode()
    assert "Tell us what your organisation does" in page
    assert "Select yes if you have helped people on probation or leaving prison" in page
    assert not ApplicationSection.objects.exists()


def test_yes_needs_an_explanation_and_other_answers_are_kept(member_client):
    response = member_client.post(section_url("exclusion"), {"mandatory": "no", "discretionary": "yes"})
    page = response.content.decode()
    assert "Tell us what happened" in page
    # The radio chosen is still chosen, and the explanation box is shown open.
    # Both answers are still chosen, and the error points at the explanation box.
    assert page.count("checked") == 2
    assert '<a href="#discretionary_details">Tell us what happened</a>' in page


def test_insurance_amount_must_be_a_number(member_client):
    response = member_client.post(
        section_url("insurance"),
        {
            "employers_liability": "yes",
            "employers_liability_amount": "lots",
            "public_liability": "yes",
            "public_liability_amount": "",
            "professional_indemnity": "no",
        },
    )
    page = response.content.decode()
    assert "must be a number, like 250000" in page
    assert "Enter how much public liability cover you have" in page
    assert 'value="lots"' in page


def test_html_and_script_in_answers_are_shown_escaped(member_client):
    evil = '<script>alert("x")</script><b>bold</b>'
    member_client.post(section_url("about"), {"what_you_do": evil, "probation_experience": "no"})
    section = ApplicationSection.objects.get(key="about")
    assert section.answers["what_you_do"] == evil  # stored as typed
    for url in (reverse("qualification:check"), section_url("about")):
        page = member_client.get(url).content.decode()
        assert "<script>alert" not in page
        assert "&lt;script&gt;alert(" in page


def test_wrong_file_type_by_content_is_refused_and_turnover_kept(member_client):
    fake = SimpleUploadedFile("accounts.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = member_client.post(section_url("finance"), {"turnover": "45000", "accounts": fake})
    page = response.content.decode()
    assert "The selected file must be a PDF, Word, Excel, OpenDocument, PNG or JPG" in page
    assert 'value="45000"' in page
    assert not ApplicationSection.objects.exists()


def test_file_over_10mb_is_refused(member_client, settings):
    big = SimpleUploadedFile("accounts.pdf", b"%PDF-1.4\n" + b"0" * (settings.MAX_UPLOAD_BYTES - 8))
    page = member_client.post(section_url("finance"), {"turnover": "45000", "accounts": big}).content.decode()
    assert "The selected file must be smaller than 10MB" in page


def test_good_upload_is_listed_with_a_link(member_client):
    good = SimpleUploadedFile("our accounts.pdf", b"%PDF-1.4 accounts")
    assert member_client.post(section_url("finance"), {"turnover": "45000", "accounts": good}).status_code == 302
    page = member_client.get(section_url("finance")).content.decode()
    assert "our accounts.pdf" in page


def test_no_types_of_support_or_places_chosen(member_client):
    page = member_client.post(reverse("qualification:services-categories"), {}).content.decode()
    assert "Select at least one type of support" in page
    page = member_client.post(reverse("qualification:services-where"), {}).content.decode()
    assert "Select where you can give this help" in page
    page = member_client.post(reverse("qualification:services-areas"), {}).content.decode()
    assert "Select at least one region or area" in page


def test_check_page_lists_what_is_missing_and_has_no_send_button(member_client):
    page = member_client.get(reverse("qualification:check")).content.decode()
    assert "Complete ‘Insurance’" in page
    assert "Confirm and send" not in page
    response = member_client.post(reverse("qualification:check"))
    assert "Complete ‘Insurance’" in response.content.decode()
    assert "<title>Error:" in response.content.decode()
    assert Application.objects.get().submitted_at is None


@pytest.fixture
def submitted_client(client):
    user = make_provider_user()
    organisation = user.memberships.get().organisation
    InterestFactory(organisation=organisation, registered_by=user)
    application = make_complete_application(organisation=organisation, user=user)
    client.force_login(user)
    assert client.post(reverse("qualification:check")).status_code == 302
    client.application = application
    return client


def test_second_submission_is_refused_clearly(submitted_client):
    response = submitted_client.post(reverse("qualification:check"))
    assert response.status_code == 200
    assert "You have already sent this application" in response.content.decode()
    assert DeclarationConfirmation.objects.count() == 1


@pytest.mark.parametrize(
    "url",
    [
        section_url("about"),
        section_url("declaration"),
        reverse("qualification:services-categories"),
        reverse("qualification:services-areas"),
        reverse("qualification:services-councils", kwargs={"code": "E23000032"}),
    ],
)
def test_edits_after_submitting_get_a_clear_page_not_an_error(submitted_client, url):
    for response in (submitted_client.get(url), submitted_client.post(url, {"what_you_do": "Changed"})):
        assert response.status_code == 403
        assert "You cannot change your application now" in response.content.decode()
    assert (
        ApplicationSection.objects.get(application=submitted_client.application, key="about").answers["what_you_do"]
        == "We help people find a home."
    )


def test_task_list_after_submitting_says_so(submitted_client):
    page = submitted_client.get(reverse("qualification:application")).content.decode()
    assert "You sent this on" in page
    assert "govuk-task-list" not in page


def test_question_from_assessor_is_shown_escaped_and_answering_reopens_sending(submitted_client):
    application = submitted_client.application
    ApplicationSection.objects.filter(application=application, key=SectionKey.INSURANCE).update(
        clarification_requested_at=timezone.now(), clarification_question="<i>How much</i> cover?"
    )
    Application.objects.filter(pk=application.pk).update(submitted_at=None)
    task_list = submitted_client.get(reverse("qualification:application")).content.decode()
    assert "Question for you" in task_list
    page = submitted_client.get(section_url("insurance")).content.decode()
    assert "&lt;i&gt;How much&lt;/i&gt; cover?" in page
    check = submitted_client.get(reverse("qualification:check")).content.decode()
    assert "Answer the assessor&#39;s question in ‘Insurance’" in check
    response = submitted_client.post(
        section_url("insurance"),
        {
            "employers_liability": "yes",
            "employers_liability_amount": "5000000",
            "public_liability": "yes",
            "public_liability_amount": "2000000",
            "professional_indemnity": "no",
        },
    )
    assert response.status_code == 302
    assert submitted_client.post(reverse("qualification:check")).url == reverse("qualification:submitted")


def test_help_request_needs_a_message_then_confirms(member_client):
    page = member_client.post(reverse("qualification:help-request"), {"message": "  "}).content.decode()
    assert "Tell us what you need help with" in page
    response = member_client.post(reverse("qualification:help-request"), {"message": "<b>Stuck</b> on money"})
    assert response.url == reverse("qualification:help-sent")
    assert "We have your request" in member_client.get(response.url).content.decode()


def test_declaration_banner_and_one_click_reconfirm(client):
    user = make_provider_user()
    organisation = user.memberships.get().organisation
    InterestFactory(organisation=organisation, registered_by=user)
    ApplicationFactory(organisation=organisation, started_by=user, decided=True)
    DeclarationConfirmationFactory(
        organisation=organisation, confirmed_at=timezone.now() - datetime.timedelta(days=350)
    )
    client.force_login(user)
    page = client.get(reverse("qualification:qualifications")).content.decode()
    assert "Confirm your declaration" in page
    page = client.post(reverse("qualification:declaration"), {}).content.decode()
    assert "Confirm the declaration to continue" in page
    response = client.post(reverse("qualification:declaration"), {"confirmed": "on"})
    assert response.url == reverse("qualification:qualifications")
    assert DeclarationConfirmation.objects.filter(organisation=organisation).count() == 2
    page = client.get(reverse("qualification:qualifications")).content.decode()
    assert "Please confirm your declaration" not in page
    assert "for another year" in page


def test_add_services_flow_shows_accepted_sections(client):
    user = make_provider_user()
    organisation = user.memberships.get().organisation
    InterestFactory(organisation=organisation, registered_by=user)
    application = make_complete_application(organisation=organisation, user=user)
    now = timezone.now()
    ApplicationSection.objects.filter(application=application).update(accepted_at=now, accepted_by=user)
    Application.objects.filter(pk=application.pk).update(submitted_at=now, decided_at=now, decided_by=user)
    client.force_login(user)
    assert client.get(reverse("qualification:application")).url == reverse("qualification:qualifications")
    client.post(reverse("qualification:add-services"))
    page = client.get(reverse("qualification:application")).content.decode()
    assert "Application to add types of support or areas" in page
    assert page.count("Already accepted") == 6
    assert page.count("Not yet started") == 2


def test_update_organisation_details_keeps_typed_values_on_error(client):
    user = make_provider_user()
    organisation = user.memberships.get().organisation
    client.force_login(user)
    data = {
        "legal_name": "New Name",
        "organisation_type": "cic",
        "company_number": "",
        "staff_band": "10_49",
        "turnover_band": "up_to_2m",
        "address_line_1": "2 Low Street",
        "town": "Dover",
        "postcode": "CT16 1AA",
        "contact_email": "new@example.org",
    }
    page = client.post(reverse("qualification:organisation"), data).content.decode()
    assert "Enter your company number" in page
    assert 'value="New Name"' in page
    response = client.post(reverse("qualification:organisation"), {**data, "company_number": "12345678"})
    assert response.status_code == 302
    organisation = Organisation.objects.get(pk=organisation.pk)
    assert (organisation.legal_name, organisation.size, organisation.is_vcse) == ("New Name", "small", True)
