"""Confirming an e-mail address (issue 8.13): a signed link that expires, a bounded resend, clear
pages for a used, expired or broken link, and no acting for an organisation until confirmed."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts import confirmation, permissions, services
from accounts.models import Role, User
from accounts.tests.factories import make_invitation
from audit.models import AuditEvent
from tests.factories import MembershipFactory, UserFactory, make_user_with_role

pytestmark = pytest.mark.django_db

CONFIRM_PAGE = reverse("accounts:confirm-email")


def _unconfirmed_member(**kwargs) -> User:
    user = UserFactory(email_confirmed_at=None, **kwargs)
    MembershipFactory(user=user, is_admin=True)
    return user


def _actions() -> list[str]:
    return list(AuditEvent.objects.values_list("action", flat=True))


def _link_path(index: int = -1) -> str:
    return re.search(r"https://commission-probation\.test(/\S+)", mail.outbox[index].body).group(1)


def _whole_second(moment: datetime.datetime) -> datetime.datetime:
    return moment.replace(microsecond=0)


# --- The rule, in one place ------------------------------------------------------------------


def test_an_unconfirmed_account_cannot_act_for_its_organisation():
    user = _unconfirmed_member()
    organisation = user.memberships.get().organisation
    assert permissions.awaits_email_confirmation(user)
    assert permissions.membership_of(user) is None
    assert not permissions.is_member_of(user, organisation)
    assert not permissions.is_org_admin(user, organisation)


def test_a_confirmed_account_acts_for_its_organisation():
    user = UserFactory()
    MembershipFactory(user=user)
    assert not permissions.awaits_email_confirmation(user)
    assert permissions.membership_of(user) is not None


def test_staff_without_an_organisation_never_wait_for_confirmation():
    assert not permissions.awaits_email_confirmation(make_user_with_role(Role.ASSESSOR, email_confirmed_at=None))


# --- Sending and resending -------------------------------------------------------------------


def test_the_email_has_an_absolute_link_that_confirms_and_is_audited(client):
    user = _unconfirmed_member(email="sam@example.org")
    services.email_confirmation_send(user=user)
    assert mail.outbox[-1].to == ["sam@example.org"]
    assert "Confirm your email address" in mail.outbox[-1].subject
    body = mail.outbox[-1].body
    assert "https://commission-probation.test/account/confirm-email/" in body
    assert f"{confirmation.VALID_FOR_DAYS} days" in body
    assert "user.email_confirmation_sent" in _actions()

    client.force_login(user)
    response = client.post(_link_path())
    assert response.status_code == 302
    assert response["Location"] == reverse("qualification:application")
    user.refresh_from_db()
    assert user.email_confirmed_at is not None
    assert _actions().count("user.email_confirmed") == 1


def test_resend_is_bounded_once_a_minute_and_five_an_hour():
    user = _unconfirmed_member()
    start = timezone.now()
    services.email_confirmation_send(user=user, now=start)
    with pytest.raises(ValidationError) as too_soon:
        services.email_confirmation_send(user=user, now=start + datetime.timedelta(seconds=59))
    assert "Wait a minute" in too_soon.value.messages[0]
    for minute in range(1, 5):  # exactly a minute apart is allowed
        services.email_confirmation_send(user=user, now=start + datetime.timedelta(minutes=minute))
    assert len(mail.outbox) == confirmation.SENDS_PER_HOUR == 5
    with pytest.raises(ValidationError) as too_many:
        services.email_confirmation_send(user=user, now=start + datetime.timedelta(minutes=30))
    assert "5 links in the last hour" in too_many.value.messages[0]
    # An hour after the first, one more may go.
    services.email_confirmation_send(user=user, now=start + datetime.timedelta(hours=1, seconds=1))
    assert len(mail.outbox) == 6
    assert _actions().count("user.email_confirmation_sent") == 6


def test_no_link_is_sent_to_a_confirmed_address():
    with pytest.raises(ValidationError):
        services.email_confirmation_send(user=UserFactory())
    assert not mail.outbox


# --- The link: works until it expires, once -----------------------------------------------------


def test_link_works_up_to_the_moment_it_expires_and_not_a_second_after():
    issued = _whole_second(timezone.now())
    user = _unconfirmed_member()
    token = confirmation.make_token(user, now=issued)
    late = issued + confirmation.VALID_FOR + datetime.timedelta(seconds=1)
    with pytest.raises(services.EmailConfirmationLinkError) as error:
        services.email_confirm(token=token, now=late)
    assert error.value.status == "expired"
    confirmed = services.email_confirm(token=token, now=issued + confirmation.VALID_FOR)
    assert confirmed.email_confirmed_at == issued + confirmation.VALID_FOR


def test_used_link_says_the_address_is_already_confirmed(client):
    user = _unconfirmed_member()
    token = confirmation.make_token(user)
    services.email_confirm(token=token)
    response = client.get(reverse("accounts:confirm-email-link", args=[token]))
    assert response.status_code == 200
    assert "Your email address is already confirmed" in response.content.decode()
    assert _actions().count("user.email_confirmed") == 1


def test_an_old_expired_link_after_confirming_says_already_confirmed(client):
    user = _unconfirmed_member()
    stale = confirmation.make_token(user, now=timezone.now() - confirmation.VALID_FOR - datetime.timedelta(days=1))
    services.email_confirm(token=confirmation.make_token(user))
    html = client.get(reverse("accounts:confirm-email-link", args=[stale])).content.decode()
    assert "Your email address is already confirmed" in html


def test_expired_link_page_offers_a_new_link_to_its_owner(client):
    user = _unconfirmed_member()
    token = confirmation.make_token(user, now=timezone.now() - confirmation.VALID_FOR - datetime.timedelta(minutes=1))
    client.force_login(user)
    response = client.get(reverse("accounts:confirm-email-link", args=[token]))
    assert response.status_code == 410
    html = response.content.decode()
    assert "This link has expired" in html
    assert "Send a new link" in html
    user.refresh_from_db()
    assert user.email_confirmed_at is None


def test_expired_link_page_asks_a_stranger_to_sign_in(client):
    user = _unconfirmed_member()
    token = confirmation.make_token(user, now=timezone.now() - confirmation.VALID_FOR - datetime.timedelta(minutes=1))
    html = client.get(reverse("accounts:confirm-email-link", args=[token])).content.decode()
    assert "This link has expired" in html and "Sign in" in html
    assert "Send a new link" not in html


@pytest.mark.parametrize("token", ["not-a-token", "eyJ1Ijo1fQ:1abc:forged"])
def test_broken_link_says_so(client, token):
    response = client.get(reverse("accounts:confirm-email-link", args=[token]))
    assert response.status_code == 404
    assert "This link does not work" in response.content.decode()


def test_link_for_an_old_address_does_not_confirm_a_new_one(client):
    user = _unconfirmed_member(email="old@example.org")
    token = confirmation.make_token(user)
    User.objects.filter(pk=user.pk).update(email="new@example.org")
    assert client.get(reverse("accounts:confirm-email-link", args=[token])).status_code == 404
    user.refresh_from_db()
    assert user.email_confirmed_at is None


@pytest.mark.parametrize("signed_in", [False, True], ids=["signed-out", "signed-in"])
def test_opening_the_link_confirms_nothing_until_the_button_is_pressed(client, signed_in):
    """A mail scanner that follows every link in an e-mail must not confirm the address."""
    user = _unconfirmed_member()
    if signed_in:
        client.force_login(user)
    link = reverse("accounts:confirm-email-link", args=[confirmation.make_token(user)])
    for _ in range(2):
        response = client.get(link)
        assert response.status_code == 200
        html = response.content.decode()
        assert "Confirm my email address" in html and 'method="post"' in html
    user.refresh_from_db()
    assert user.email_confirmed_at is None
    assert "user.email_confirmed" not in _actions()
    client.post(link)
    user.refresh_from_db()
    assert user.email_confirmed_at is not None


def test_link_opened_signed_out_confirms_and_asks_to_sign_in(client):
    user = _unconfirmed_member()
    response = client.post(reverse("accounts:confirm-email-link", args=[confirmation.make_token(user)]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Your email address is confirmed" in html
    assert reverse("accounts:sign-in") + "?next=" in html
    user.refresh_from_db()
    assert user.email_confirmed_at is not None


# --- The page that says what to do ---------------------------------------------------------


def test_member_pages_send_an_unconfirmed_account_to_the_confirm_page(client):
    user = _unconfirmed_member(email="sam@example.org")
    client.force_login(user)
    for path in (reverse("accounts:home"), reverse("accounts:organisation"), reverse("qualification:application")):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == CONFIRM_PAGE
    html = client.get(CONFIRM_PAGE).content.decode()
    assert "Confirm your email address" in html
    assert "sam@example.org" in html
    assert "once a minute" in html and "5 times an hour" in html
    # Public pages and signing out still work.
    assert client.get(reverse("core:start")).status_code == 200
    assert client.get(reverse("accounts:sign-out")).status_code == 200


def test_resend_button_sends_a_link_then_explains_the_wait(client):
    user = _unconfirmed_member(email="sam@example.org")
    client.force_login(user)
    response = client.post(CONFIRM_PAGE, follow=True)
    assert "We have sent a new link to sam@example.org" in response.content.decode()
    assert len(mail.outbox) == 1
    response = client.post(CONFIRM_PAGE)
    assert response.status_code == 429
    assert "Wait a minute" in response.content.decode()
    assert len(mail.outbox) == 1


def test_confirm_page_sends_a_confirmed_account_on(client):
    client.force_login(UserFactory())
    assert client.get(CONFIRM_PAGE)["Location"] == reverse("accounts:home")


# --- Other ways an address is proven ---------------------------------------------------------------


def test_accepting_an_invitation_confirms_the_new_account():
    invitation, _token = make_invitation(email="robin@example.org")
    user = services.invitation_accept(invitation=invitation, full_name="Robin", password="three good words together")
    assert user.email_confirmed_at is not None
    assert permissions.membership_of(user) is not None
    assert "user.email_confirmed" in _actions()


def test_accepting_an_invitation_confirms_an_existing_unconfirmed_account():
    user = UserFactory(email="robin@example.org", email_confirmed_at=None)
    invitation, _token = make_invitation(email="robin@example.org", role=Role.EVALUATOR)
    services.invitation_accept(invitation=invitation, user=user)
    user.refresh_from_db()
    assert user.email_confirmed_at is not None


def test_resetting_the_password_through_the_emailed_link_confirms_the_address():
    user = _unconfirmed_member()
    services.user_password_reset(user=user, password="a new long passphrase")
    user.refresh_from_db()
    assert user.email_confirmed_at is not None
    assert "user.email_confirmed" in _actions()


# --- Plain English ---------------------------------------------------------------------------------


def test_confirmation_pages_and_email_read_at_grade_8_or_below(client):
    import textstat

    from qualification.tests.test_provider_reading_age import guidance_text

    user = _unconfirmed_member(email="sam@example.org")
    client.force_login(user)
    pages = {"first visit": client.get(CONFIRM_PAGE).content.decode()}
    client.post(CONFIRM_PAGE)
    pages["link sent"] = client.get(CONFIRM_PAGE).content.decode()
    pages["too soon"] = client.post(CONFIRM_PAGE).content.decode()
    stale = timezone.now() - confirmation.VALID_FOR - datetime.timedelta(minutes=1)
    link = lambda token: reverse("accounts:confirm-email-link", args=[token])  # noqa: E731
    pages["expired"] = client.get(link(confirmation.make_token(user, now=stale))).content.decode()
    pages["broken"] = client.get(link("broken")).content.decode()
    client.logout()
    token = confirmation.make_token(user)
    pages["confirm"] = client.get(link(token)).content.decode()
    pages["confirmed"] = client.post(link(token)).content.decode()
    pages["used"] = client.get(link(token)).content.decode()
    grades = {name: textstat.flesch_kincaid_grade(guidance_text(html)) for name, html in pages.items()}
    # The link itself is not prose.
    grades["email"] = textstat.flesch_kincaid_grade(re.sub(r"https?://\S+", "", mail.outbox[-1].body))
    assert not {name: grade for name, grade in grades.items() if grade > 8}, grades
