"""The provider journey through the Django test client: register, interest, questionnaire, submit."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import Membership, Organisation, Size, User
from audit.models import AuditEvent
from qualification.models import Application, ApplicationSection, DeclarationConfirmation, Interest, SectionKey
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db

YOU = {"full_name": "Sam Patel", "email": "Sam@Example.org", "password": DEFAULT_PASSWORD}
ORGANISATION = {
    "legal_name": "Hope Homes",
    "trading_name": "",
    "organisation_type": "registered_charity",
    "charity_number": "1123456",
    "company_number": "",
}
SIZE = {"staff_band": "under_10", "turnover_band": "up_to_2m"}
ADDRESS = {
    "address_line_1": "1 High Street",
    "address_line_2": "",
    "town": "Maidstone",
    "postcode": "me14 1aa",
    "contact_email": "office@hope.example",
    "contact_phone": "",
}


def register(client) -> User:
    for step, data in (("you", YOU), ("organisation", ORGANISATION), ("size", SIZE), ("address", ADDRESS)):
        response = client.post(reverse("qualification:register", args=[step]), data)
        assert response.status_code == 302, response.content.decode()[:2000]
    response = client.get(reverse("qualification:register-check"))
    assert response.status_code == 200
    response = client.post(reverse("qualification:register-check"))
    assert response.url == reverse("qualification:register-sent")
    assert "Check your email" in client.get(response.url).content.decode()
    user = User.objects.get(email="sam@example.org")
    # The button behind the e-mailed link confirms the address; signing in, the charity carries on.
    assert "Your email address is confirmed" in client.post(_emailed_path()).content.decode()
    response = client.post(
        reverse("accounts:sign-in"),
        {"email": "sam@example.org", "password": DEFAULT_PASSWORD, "next": reverse("qualification:application")},
    )
    assert response.url == reverse("qualification:application")
    assert client.get(response.url).url == reverse("qualification:interest")
    return user


def _emailed_path() -> str:
    assert mail.outbox, "no e-mail was sent"
    return re.search(r"https://commission-probation\.test(/\S+)", mail.outbox[-1].body).group(1)


def test_registration_asks_to_confirm_the_address_before_anything_else(client):
    for step, data in (("you", YOU), ("organisation", ORGANISATION), ("size", SIZE), ("address", ADDRESS)):
        client.post(reverse("qualification:register", args=[step]), data)
    response = client.post(reverse("qualification:register-check"))
    assert response.url == reverse("qualification:register-sent")
    user = User.objects.get(email="sam@example.org")
    assert user.email_confirmed_at is None
    assert mail.outbox[-1].to == ["sam@example.org"]
    assert AuditEvent.objects.filter(action="user.email_confirmation_sent").count() == 1
    # Signed in before confirming, the page says what to do.
    client.post(reverse("accounts:sign-in"), {"email": "sam@example.org", "password": DEFAULT_PASSWORD})
    page = client.get(reverse("accounts:confirm-email")).content.decode()
    assert "Confirm your email address" in page and "Hope Homes" in page
    # Until then the organisation's pages send them back to that page, not to "not found".
    for name in ("qualification:interest", "qualification:application", "qualification:help-request"):
        assert client.get(reverse(name)).url == reverse("accounts:confirm-email"), name


def test_registering_today_and_confirming_later_loses_nothing(client):
    for step, data in (("you", YOU), ("organisation", ORGANISATION), ("size", SIZE), ("address", ADDRESS)):
        client.post(reverse("qualification:register", args=[step]), data)
    client.post(reverse("qualification:register-check"))
    path = _emailed_path()

    # Days later, on another device: the link confirms, then signing in carries on.
    page = client.post(path).content.decode()
    assert "Your email address is confirmed" in page
    response = client.post(
        reverse("accounts:sign-in"),
        {"email": "sam@example.org", "password": DEFAULT_PASSWORD, "next": reverse("qualification:application")},
    )
    assert response.url == reverse("qualification:application")
    assert "Hope Homes" in client.get(reverse("qualification:interest")).content.decode()
    organisation = Organisation.objects.get(legal_name="Hope Homes")
    assert organisation.contact_email == "office@hope.example" and organisation.postcode == "ME14 1AA"


@pytest.mark.parametrize("capitals", ["sam@example.org", "SAM@Example.org"])
def test_registering_an_address_that_has_an_account_says_the_same_and_tells_its_owner(client, capitals):
    """Issue 9.8: the page after registering is the same whether or not the address has an
    account; only the address's owner learns, by e-mail, that someone tried."""
    new = Client()
    for step, data in (("you", YOU), ("organisation", ORGANISATION), ("size", SIZE), ("address", ADDRESS)):
        new.post(reverse("qualification:register", args=[step]), data)
    new.post(reverse("qualification:register-check"))
    new_page = new.get(reverse("qualification:register-sent")).content.decode()
    mail.outbox.clear()

    owner = User.objects.get(email="sam@example.org")
    organisations = Organisation.objects.count()
    you = {**YOU, "email": capitals, "full_name": "Somebody Else"}
    for step, data in (("you", you), ("organisation", ORGANISATION), ("size", SIZE), ("address", ADDRESS)):
        response = client.post(reverse("qualification:register", args=[step]), data)
        assert response.status_code == 302
    response = client.post(reverse("qualification:register-check"))
    assert response.url == reverse("qualification:register-sent")
    page = client.get(response.url).content.decode()
    assert _main(page).replace(capitals.lower(), "sam@example.org") == _main(new_page)
    assert "_auth_user_id" not in client.session and "_auth_user_id" not in new.session
    assert Organisation.objects.count() == organisations
    assert User.objects.filter(email__iexact="sam@example.org").count() == 1
    owner.refresh_from_db()
    assert owner.full_name != "Somebody Else"
    [notice] = mail.outbox
    assert notice.to == ["sam@example.org"]
    assert "Someone tried to register" in notice.subject
    assert "https://commission-probation.test/account/password-reset/" in notice.body
    assert AuditEvent.objects.filter(action="user.registration_attempt_notified", object_id=str(owner.pk)).exists()


def _main(html: str) -> str:
    return html[html.index("<main") : html.index("</main>")]


def test_registration_creates_person_organisation_and_admin_membership_and_signs_in(client):
    user = register(client)
    organisation = Organisation.objects.get(legal_name="Hope Homes")
    assert Membership.objects.get(user=user).organisation == organisation
    assert Membership.objects.get(user=user).is_admin
    assert organisation.size == Size.MICRO
    assert organisation.is_vcse
    assert organisation.postcode == "ME14 1AA"
    assert user.check_password(DEFAULT_PASSWORD)
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "user.created",
        "organisation.registered",
        "membership.created",
        "user.email_confirmation_sent",
        "user.email_confirmed",
    } <= actions
    # Signed in: the interest page is theirs.
    assert client.get(reverse("qualification:interest")).status_code == 200
    assert "join_registration" not in client.session


def test_check_page_shows_derived_size_and_vcse_and_never_the_password(client):
    for step, data in (("you", YOU), ("organisation", ORGANISATION), ("size", SIZE), ("address", ADDRESS)):
        client.post(reverse("qualification:register", args=[step]), data)
    page = client.get(reverse("qualification:register-check")).content.decode()
    assert "Micro" in page
    assert "Voluntary, community or social enterprise group" in page
    assert DEFAULT_PASSWORD not in page
    assert DEFAULT_PASSWORD not in str(dict(client.session))


def test_skipping_ahead_goes_back_to_the_first_unanswered_page(client):
    client.post(reverse("qualification:register", args=["you"]), YOU)
    response = client.get(reverse("qualification:register", args=["address"]))
    assert response.url == reverse("qualification:register", args=["organisation"])
    response = client.get(reverse("qualification:register-check"))
    assert response.url == reverse("qualification:register", args=["organisation"])


def test_coming_back_to_your_details_keeps_the_password_unless_a_new_one_is_typed(client):
    register_steps = (("you", YOU), ("organisation", ORGANISATION), ("size", SIZE), ("address", ADDRESS))
    for step, data in register_steps:
        client.post(reverse("qualification:register", args=[step]), data)
    response = client.post(
        reverse("qualification:register", args=["you"]), {**YOU, "password": "", "full_name": "Sam P"}
    )
    assert response.status_code == 302
    client.post(reverse("qualification:register-check"))
    user = User.objects.get(email="sam@example.org")
    assert user.full_name == "Sam P"
    assert user.check_password(DEFAULT_PASSWORD)


def fill_questionnaire(client):
    section = lambda key: reverse("qualification:section", kwargs={"key": key})  # noqa: E731
    posts = [
        (section("about"), {"what_you_do": "We help people find a home.", "probation_experience": "yes"}),
        (section("exclusion"), {"mandatory": "no", "discretionary": "no"}),
        (section("finance"), {"turnover": "45000"}),
        (
            section("insurance"),
            {
                "employers_liability": "yes",
                "employers_liability_amount": "5000000",
                "public_liability": "yes",
                "public_liability_amount": "1000000",
                "professional_indemnity": "no",
            },
        ),
        (section("safeguarding"), {"safeguarding_policy": "yes", "dbs_checks": "yes", "data_protection_policy": "yes"}),
        (section("security"), {"all_true": "yes"}),
        (reverse("qualification:services-categories"), {"needs": ["accommodation"]}),
        (reverse("qualification:services-where"), {"where": "some"}),
        (reverse("qualification:services-areas"), {"region_K": ["E23000032"]}),
        (section("declaration"), {"confirmed": "on"}),
    ]
    for url, data in posts:
        response = client.post(url, data)
        assert response.status_code == 302, (url, response.content.decode()[:3000])


def test_whole_journey_register_interest_answer_submit(client):
    user = register(client)
    client.post(reverse("qualification:interest"))
    organisation = user.memberships.get().organisation
    assert Interest.objects.filter(organisation=organisation).exists()
    application = Application.objects.get(organisation=organisation)
    page = client.get(reverse("qualification:application")).content.decode()
    assert "govuk-task-list" in page
    assert "Not yet started" in page
    fill_questionnaire(client)
    assert ApplicationSection.objects.filter(application=application, completed_at__isnull=False).count() == 8
    assert [str(r) for r in application.requested.all()] == ["Accommodation in Kent"]
    check = client.get(reverse("qualification:check")).content.decode()
    assert "Confirm and send" in check
    assert "You want to deliver Accommodation in Kent." in check
    response = client.post(reverse("qualification:check"))
    assert response.url == reverse("qualification:submitted")
    application.refresh_from_db()
    assert application.submitted_at and application.submitted_by == user
    assert DeclarationConfirmation.objects.filter(organisation=organisation).count() == 1
    sent = client.get(response.url).content.decode()
    assert "Application sent" in sent and "What happens next" in sent


def test_interest_is_one_click_and_clicking_again_changes_nothing(client):
    register(client)
    client.post(reverse("qualification:interest"))
    client.post(reverse("qualification:interest"))
    assert Interest.objects.count() == 1
    assert Application.objects.count() == 1
    assert AuditEvent.objects.filter(action="interest.registered").count() == 1
    # Once registered, the interest page goes straight to the application.
    assert client.get(reverse("qualification:interest")).url == reverse("qualification:application")


def test_services_coverage_sentence_respects_the_hierarchy(client):
    register(client)
    client.post(reverse("qualification:interest"))
    client.post(reverse("qualification:services-categories"), {"needs": ["accommodation"]})
    client.post(reverse("qualification:services-where"), {"where": "some"})
    # Whole region K and Kent inside it: Kent adds nothing.
    client.post(reverse("qualification:services-areas"), {"region_K": ["K", "E23000032"]})
    # Cardiff council, inside South Wales.
    client.post(reverse("qualification:services-councils", kwargs={"code": "W15000003"}), {"councils": ["W06000015"]})
    page = client.get(reverse("qualification:services-check")).content.decode()
    assert "You can deliver Accommodation across Kent, Surrey and Sussex and in Cardiff." in page
    application = Application.objects.get()
    assert sorted(r.area.code for r in application.requested.all()) == ["K", "W06000015"]
    section = application.sections.get(key=SectionKey.SERVICES)
    assert section.completed_at is not None


def test_all_of_england_and_wales_skips_the_areas_page(client):
    register(client)
    client.post(reverse("qualification:interest"))
    client.post(reverse("qualification:services-categories"), {"needs": ["accommodation"], "cohorts": ["women"]})
    response = client.post(reverse("qualification:services-where"), {"where": "all"})
    assert response.url == reverse("qualification:services-check")
    application = Application.objects.get()
    assert {r.area.level for r in application.requested.all()} == {"country"}
    assert application.requested.count() == 2


def test_council_area_picker_goes_to_that_areas_councils(client):
    register(client)
    client.post(reverse("qualification:interest"))
    response = client.get(reverse("qualification:services-council-area"), {"area": "E23000032"})
    assert response.url == reverse("qualification:services-councils", kwargs={"code": "E23000032"})
    page = client.get(response.url).content.decode()
    assert "Medway" in page
    # A region code is not a police area: no council page for it.
    assert client.get(reverse("qualification:services-councils", kwargs={"code": "K"})).status_code == 404
