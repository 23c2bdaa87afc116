"""Help requests are answered (issue 8.11): the assessor writes a reply, bounded in length; the
organisation reads it in the service and is told by e-mail that it is waiting. An internal note,
if any, stays with the framework's staff."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import AuditEvent
from qualification.models import HELP_REPLY_MAX_CHARS, HelpRequest
from qualification.services import decisions
from qualification.tests.factories import HelpRequestFactory
from tests.factories import OrganisationFactory, make_provider_user, make_user_with_role
from tests.fixtures import ALL_ROLES

pytestmark = pytest.mark.django_db

REPLY = "You need public liability insurance of at least £1 million. We can talk you through it on the phone."
NOTE = "Called their treasurer on Tuesday."


@pytest.fixture
def assessor():
    return make_user_with_role("assessor")


def _organisation_with_people():
    organisation = OrganisationFactory(contact_email="office@hope.example")
    admin = make_provider_user(is_admin=True, organisation=organisation, email="jo@hope.example")
    make_provider_user(is_admin=False, organisation=organisation, email="kim@hope.example")
    return organisation, admin


# --- The service ----------------------------------------------------------------------------------


def test_reply_closes_the_request_is_audited_and_emails_each_person_separately(assessor):
    organisation, admin = _organisation_with_people()
    help_request = HelpRequestFactory(organisation=organisation, requested_by=admin)
    decisions.help_request_reply(help_request=help_request, actor=assessor, reply=REPLY, internal_note=NOTE)
    help_request.refresh_from_db()
    assert help_request.reply == REPLY and help_request.internal_note == NOTE
    assert help_request.closed_at is not None and help_request.closed_by == assessor
    event = AuditEvent.objects.get(action="help_request.replied")
    assert event.after["reply"] == REPLY

    assert sorted(address for message in mail.outbox for address in message.to) == [
        "jo@hope.example",
        "kim@hope.example",
        "office@hope.example",
    ]
    assert all(len(message.to) == 1 for message in mail.outbox)  # nobody sees who else was told
    body = mail.outbox[0].body
    assert "https://commission-probation.test" + reverse("qualification:help-requests") in body
    # The e-mail says a reply is waiting; the reply, the note and the assessor stay in the service.
    assert REPLY not in body and NOTE not in body and assessor.full_name not in body


def test_a_reply_is_needed_and_is_bounded(assessor):
    help_request = HelpRequestFactory()
    with pytest.raises(ValidationError):
        decisions.help_request_reply(help_request=help_request, actor=assessor, reply="   ")
    with pytest.raises(ValidationError):
        decisions.help_request_reply(help_request=help_request, actor=assessor, reply="x" * (HELP_REPLY_MAX_CHARS + 1))
    decisions.help_request_reply(help_request=help_request, actor=assessor, reply="x" * HELP_REPLY_MAX_CHARS)
    with pytest.raises(decisions.DecisionError):
        decisions.help_request_reply(help_request=help_request, actor=assessor, reply="Again")
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["help_request.replied"]
    assert not HelpRequest.objects.filter(closed_at__isnull=True).exists()


# --- The pages ------------------------------------------------------------------------------------


def test_assessor_replies_on_the_page_with_clear_errors(client, assessor):
    help_request = HelpRequestFactory(message="What insurance do we need?")
    client.force_login(assessor)
    path = reverse("qualification:assess-help-request-reply", args=[help_request.pk])
    page = client.get(path).content.decode()
    assert "What insurance do we need?" in page and "The organisation does not see this" in page
    assert "Enter your reply" in client.post(path, {"reply": "", "internal_note": NOTE}).content.decode()
    too_long = client.post(path, {"reply": "x" * (HELP_REPLY_MAX_CHARS + 1)}).content.decode()
    assert f"Your reply must be {HELP_REPLY_MAX_CHARS:,} characters or fewer" in too_long
    help_request.refresh_from_db()
    assert help_request.closed_at is None
    response = client.post(path, {"reply": REPLY, "internal_note": NOTE})
    assert response["Location"] == reverse("qualification:assess-help-requests")
    help_request.refresh_from_db()
    assert help_request.reply == REPLY


def test_organisation_reads_its_replies_but_never_the_internal_note(client, assessor):
    organisation, admin = _organisation_with_people()
    answered = HelpRequestFactory(organisation=organisation, requested_by=admin, message="What insurance?")
    decisions.help_request_reply(help_request=answered, actor=assessor, reply=REPLY, internal_note=NOTE)
    HelpRequestFactory(organisation=organisation, requested_by=admin, message="Which areas should we pick?")
    HelpRequestFactory(message="Another charity's private question")

    client.force_login(admin)
    html = client.get(reverse("qualification:help-requests")).content.decode()
    assert "What insurance?" in html and REPLY in html
    assert "Which areas should we pick?" in html and "Waiting for a reply" in html
    assert NOTE not in html
    assert "Another charity" not in html
    assert assessor.full_name not in html


def test_help_pages_link_to_the_replies(client):
    user = make_provider_user(is_admin=True)
    HelpRequestFactory(organisation=user.memberships.get().organisation, requested_by=user)
    client.force_login(user)
    link = f'href="{reverse("qualification:help-requests")}"'
    for name in ("qualification:help-request", "qualification:help-sent"):
        assert link in client.get(reverse(name)).content.decode(), name


@pytest.mark.parametrize("role", ALL_ROLES)
def test_only_the_organisations_people_see_its_help_requests(client_for_role, role):
    client, _user = client_for_role(role)
    response = client.get(reverse("qualification:help-requests"))
    if role == "anonymous":
        assert response.url.startswith(reverse("accounts:sign-in"))
    elif role in ("provider", "provider_admin"):
        assert response.status_code == 200
    else:
        assert response.status_code == 403


def test_reply_page_and_email_read_at_grade_8_or_below(client, assessor):
    import textstat

    from qualification.tests.test_provider_reading_age import guidance_text

    organisation, admin = _organisation_with_people()
    help_request = HelpRequestFactory(organisation=organisation, requested_by=admin, message="What insurance?")
    decisions.help_request_reply(help_request=help_request, actor=assessor, reply=REPLY)
    HelpRequestFactory(organisation=organisation, requested_by=admin, message="Which areas?")
    client.force_login(admin)
    page = guidance_text(client.get(reverse("qualification:help-requests")).content.decode())
    email = re.sub(r"https?://\S+", "", mail.outbox[0].body)
    assert textstat.flesch_kincaid_grade(page) <= 8, page
    assert textstat.flesch_kincaid_grade(email) <= 8, email
