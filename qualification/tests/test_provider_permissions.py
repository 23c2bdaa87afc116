"""Every provider page for every role: the public, providers (admin or not) and every staff role.
An organisation never sees another's application."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from qualification.models import Application, ApplicationSection, Interest, SectionKey
from qualification.services import applications as svc
from qualification.tests.factories import ApplicationFactory, InterestFactory, QualificationFactory
from tests.factories import make_provider_user
from tests.fixtures import ALL_ROLES

pytestmark = pytest.mark.django_db

PROVIDERS = {"provider", "provider_admin"}
STAFF = set(ALL_ROLES) - PROVIDERS - {"anonymous"}


def _set_up(user, state: str):
    """Give the user's organisation the state a page needs."""
    organisation = user.memberships.get().organisation
    if state == "none":
        return
    InterestFactory(organisation=organisation, registered_by=user)
    if state == "draft":
        ApplicationFactory(organisation=organisation, started_by=user)
    elif state == "submitted":
        ApplicationFactory(organisation=organisation, started_by=user, submitted=True)
    elif state == "decided":
        ApplicationFactory(organisation=organisation, started_by=user, decided=True)
        QualificationFactory(organisation=organisation)


# (url name, kwargs, state the provider's organisation needs, status for a provider)
MEMBER_PAGES = [
    ("qualification:interest", {}, "none", 200),
    ("qualification:application", {}, "draft", 200),
    *[("qualification:section", {"key": key}, "draft", 200) for key in SectionKey.values if key != "services"],
    ("qualification:services-categories", {}, "draft", 200),
    ("qualification:services-where", {}, "draft", 200),
    ("qualification:services-areas", {}, "draft", 200),
    ("qualification:services-council-area", {}, "draft", 200),
    ("qualification:services-councils", {"code": "E23000032"}, "draft", 200),
    ("qualification:services-check", {}, "draft", 200),
    ("qualification:check", {}, "draft", 200),
    ("qualification:submitted", {}, "submitted", 200),
    ("qualification:help-request", {}, "none", 200),
    ("qualification:help-sent", {}, "none", 200),
    ("qualification:help-requests", {}, "none", 200),
    ("qualification:qualifications", {}, "decided", 200),
    ("qualification:declaration", {}, "decided", 200),
]


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize(("name", "kwargs", "state", "provider_status"), MEMBER_PAGES)
def test_member_pages(client_for_role, role, name, kwargs, state, provider_status):
    client, user = client_for_role(role)
    if role in PROVIDERS:
        _set_up(user, state)
    url = reverse(name, kwargs=kwargs)
    response = client.get(url)
    if role == "anonymous":
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:sign-in"))
    elif role in PROVIDERS:
        assert response.status_code == provider_status
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("role", ALL_ROLES)
def test_start_page_is_public(client_for_role, role):
    client, _user = client_for_role(role)
    response = client.get(reverse("qualification:start"))
    assert response.status_code == 200
    assert "Apply to join the framework" in response.content.decode()


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("step", ["you", "organisation", "size", "address", "check"])
def test_registration_is_for_people_without_an_account(client_for_role, role, step):
    client, _user = client_for_role(role)
    url = reverse("qualification:register-check") if step == "check" else reverse("qualification:register", args=[step])
    response = client.get(url)
    if role == "anonymous":
        if step == "you":
            assert response.status_code == 200
        else:  # nothing answered yet: back to the first page
            assert response.url == reverse("qualification:register", args=["you"])
    elif role in PROVIDERS:
        assert response.url == reverse("qualification:application")
    else:
        assert response.url == reverse("accounts:home")


@pytest.mark.parametrize("role", ALL_ROLES)
def test_only_organisation_administrators_update_its_details(client_for_role, role):
    client, _user = client_for_role(role)
    response = client.get(reverse("qualification:organisation"))
    if role == "anonymous":
        assert response.status_code == 302
    elif role == "provider_admin":
        assert response.status_code == 200
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("role", ALL_ROLES)
def test_add_services_post(client_for_role, role):
    client, user = client_for_role(role)
    if role in PROVIDERS:
        _set_up(user, "decided")
    response = client.post(reverse("qualification:add-services"))
    if role == "anonymous":
        assert response.url.startswith(reverse("accounts:sign-in"))
    elif role in PROVIDERS:
        assert response.url == reverse("qualification:application")
        assert Application.objects.filter(
            kind="add_services", organisation=user.memberships.get().organisation
        ).exists()
    else:
        assert response.status_code == 403
        assert not Application.objects.filter(kind="add_services").exists()


@pytest.fixture
def other_organisations_document():
    owner = make_provider_user()
    application = ApplicationFactory(organisation=owner.memberships.get().organisation, started_by=owner)
    svc.section_save(application=application, key=SectionKey.ABOUT, answers={"what_you_do": "Secret plans"}, user=owner)
    return svc.application_document_add(
        application=application,
        key=SectionKey.FINANCE,
        upload=SimpleUploadedFile("accounts.pdf", b"%PDF-1.4 secret accounts"),
        user=owner,
    )


@pytest.mark.parametrize("role", ALL_ROLES)
def test_documents_open_only_for_the_organisation_and_assessors(client_for_role, role, other_organisations_document):
    client, _user = client_for_role(role)
    response = client.get(reverse("qualification:document", args=[other_organisations_document.pk]))
    if role == "anonymous":
        assert response.status_code == 302
    elif role == "assessor":
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == b"%PDF-1.4 secret accounts"
    else:
        assert response.status_code == 404


def test_member_opens_own_document(client, other_organisations_document):
    application = other_organisations_document.section.application
    colleague = make_provider_user(is_admin=False, organisation=application.organisation)
    client.force_login(colleague)
    response = client.get(reverse("qualification:document", args=[other_organisations_document.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")


def test_an_organisation_never_sees_or_changes_another_organisations_application(client, other_organisations_document):
    theirs = other_organisations_document.section.application
    me = make_provider_user()
    InterestFactory(organisation=me.memberships.get().organisation, registered_by=me)
    mine = ApplicationFactory(organisation=me.memberships.get().organisation, started_by=me)
    client.force_login(me)
    for url in (reverse("qualification:application"), reverse("qualification:check")):
        page = client.get(url).content.decode()
        assert "Secret plans" not in page
        assert "accounts.pdf" not in page
    client.post(
        reverse("qualification:section", kwargs={"key": "about"}), {"what_you_do": "Mine", "probation_experience": "no"}
    )
    assert ApplicationSection.objects.get(application=theirs, key="about").answers["what_you_do"] == "Secret plans"
    assert ApplicationSection.objects.get(application=mine, key="about").answers["what_you_do"] == "Mine"
    assert Interest.objects.filter(organisation=theirs.organisation).count() == 0


@pytest.mark.parametrize(("name", "kwargs", "state", "provider_status"), MEMBER_PAGES)
def test_member_pages_send_an_unconfirmed_account_to_confirm_its_address(client, name, kwargs, state, provider_status):
    user = make_provider_user(is_admin=True, email_confirmed_at=None)
    _set_up(user, state)
    client.force_login(user)
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 302
    assert response.url == reverse("accounts:confirm-email")
