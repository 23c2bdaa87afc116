"""The password rules (issue 9.10): bounded length, no repeated patterns, not like the person's
name, e-mail address or organisation, in GOV.UK words, wherever a password is chosen."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.forms import AcceptInvitationForm, NewPasswordForm
from accounts.models import User
from accounts.passwords import password_errors
from qualification.forms import YouForm
from tests.factories import make_provider_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("a" * 1_000_000, "Password must be 256 characters or fewer"),
        ("aaaaaaaaaaaa", "Password must not be one character or a short pattern repeated, like aaaa or abcabc"),
        ("passwordpassword", "Password must not be one character or a short pattern repeated, like aaaa or abcabc"),
        ("abcabcabcabc", "Password must not be one character or a short pattern repeated, like aaaa or abcabc"),
        ("Ab Ab Ab Ab Ab Ab", "Password must not be one character or a short pattern repeated, like aaaa or abcabc"),
        ("short", "Password must be 12 characters or more"),
        ("123456789012345", "Password must include letters or symbols, not only numbers"),
        ("Harriet Ogunleye", "Password must not be like your name, email address or organisation's name"),
        ("Bright Futures Trust", "Password must not be like your name, email address or organisation's name"),
    ],
)
def test_weak_passwords_are_refused_in_plain_words(password, message):
    user = make_provider_user(full_name="Harriet Ogunleye", email="h.o@example.org")
    organisation = user.memberships.get().organisation
    organisation.legal_name = "Bright Futures Trust"
    organisation.save()
    assert message in password_errors(password, User.objects.get(pk=user.pk))


def test_too_short_is_said_first_when_a_short_password_is_also_like_the_name():
    # A page shows the first message for a field; "short" typed by Sharon Thomas is both too
    # short and like her name, and the length is the thing to fix first.
    user = make_provider_user(full_name="Sharon Thomas")
    assert password_errors("short", user)[0] == "Password must be 12 characters or more"


def test_a_good_password_and_one_of_256_characters_are_accepted():
    user = make_provider_user(full_name="Harriet Ogunleye")
    assert password_errors("copper kettle on a windy hill", user) == []
    assert password_errors(("copper kettle on a windy hill " * 10)[:255] + "!", user) == []


def test_every_form_that_sets_a_password_uses_the_rules():
    user = make_provider_user(full_name="Harriet Ogunleye")
    reset = NewPasswordForm({"password": "passwordpassword", "password_confirm": "passwordpassword"}, user=user)
    assert not reset.is_valid() and "short pattern repeated" in str(reset.errors)
    invited = AcceptInvitationForm(
        {"full_name": "Sunita Rao", "password": "Sunita Rao!!", "password_confirm": "Sunita Rao!!"},
        email="sunita@example.org",
    )
    assert not invited.is_valid() and "like your name" in str(invited.errors)
    registering = YouForm({"full_name": "Tom Lee", "email": "tom@example.org", "password": "x" * 300})
    assert not registering.is_valid()
    assert registering.errors["password"] == ["Password must be 256 characters or fewer"]


def test_the_reset_page_refuses_a_huge_password_with_one_clear_message(client):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    user = make_provider_user()
    url = reverse(
        "accounts:password-reset-confirm",
        args=[urlsafe_base64_encode(force_bytes(user.pk)), default_token_generator.make_token(user)],
    )
    response = client.post(url, {"password": "a" * 1_000_000, "password_confirm": "a" * 1_000_000})
    assert response.status_code == 200
    assert response.content.decode().count("Password must be 256 characters or fewer") >= 1
