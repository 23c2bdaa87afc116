"""Two-factor sign-in for staff (issue 9.6): an authenticator app (TOTP) and one-time recovery
codes, asked for after the password before any staff page; set up, verified and reset through
audited services."""

from __future__ import annotations

import base64
import datetime

import pytest
from django.test import RequestFactory
from django.urls import resolve, reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from accounts.models import Role
from audit.models import AuditEvent
from tests.factories import DEFAULT_PASSWORD, make_provider_user, make_user_with_role
from tests.fixtures import ALL_ROLES, force_login_password_only

pytestmark = pytest.mark.django_db

CODE_PAGE = reverse("accounts:second-factor")
SET_UP_PAGE = reverse("accounts:second-factor-set-up")
STAFF_ROLES = [role for role in ALL_ROLES if role not in ("anonymous", "provider", "provider_admin")]


def _code(device: TOTPDevice) -> str:
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token():06d}"


def _actions(user) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_id=str(user.pk), action__startswith="second_factor.").values_list(
            "action", flat=True
        )
    )


def _let_the_wait_pass(device) -> None:
    """After a wrong code django-otp makes the next try wait a second or more."""
    earlier = timezone.now() - datetime.timedelta(minutes=1)
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=earlier)
    device.refresh_from_db()


def _with_app(user) -> TOTPDevice:
    device = services.second_factor_set_up_start(user=user)
    services.second_factor_set_up(user=user, code=_code(device))
    # Setting up used this half-minute's code, which never works twice: as if the next had come.
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    device.refresh_from_db()
    return device


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_staff_signed_in_with_a_password_only_must_set_up_an_app_first(client, role):
    user = make_user_with_role(role, is_staff=role == "administrator")
    force_login_password_only(client, user)
    for page in (reverse("accounts:home"), reverse("contracts:register"), "/admin/"):
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"].startswith(SET_UP_PAGE + "?next=")


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_staff_with_an_app_are_asked_for_a_code(client, role):
    user = make_user_with_role(role)
    _with_app(user)
    force_login_password_only(client, user)
    response = client.get(reverse("accounts:home"))
    assert response["Location"] == CODE_PAGE + "?next=%2Faccount%2F"
    # Signing out still works without a code.
    assert client.post(reverse("accounts:sign-out")).status_code == 302


def test_the_sign_in_form_then_the_code_lands_staff_where_they_were_going(client):
    user = make_user_with_role(Role.ASSESSOR, email="assessor@example.org")
    device = _with_app(user)
    response = client.post(
        reverse("accounts:sign-in"),
        {"email": "assessor@example.org", "password": DEFAULT_PASSWORD, "next": "/join/assess/"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == CODE_PAGE + "?next=%2Fjoin%2Fassess%2F"
    assert 'name="next" value="/join/assess/"' in response.content.decode()
    wrong = client.post(CODE_PAGE, {"code": "000000", "next": "/join/assess/"})
    assert "The code is not right" in wrong.content.decode()
    _let_the_wait_pass(device)
    response = client.post(CODE_PAGE, {"code": _code(device), "next": "/join/assess/"})
    assert response.status_code == 302 and response["Location"] == "/join/assess/"
    assert client.get(reverse("accounts:home")).status_code == 200
    assert _actions(user)[-2:] == ["second_factor.failed", "second_factor.verified"]


def test_a_used_code_does_not_work_twice(client):
    user = make_user_with_role(Role.EVALUATOR)
    device = _with_app(user)
    code = _code(device)
    force_login_password_only(client, user)
    client.post(CODE_PAGE, {"code": code})
    other = type(client)()
    force_login_password_only(other, user)
    assert "The code is not right" in other.post(CODE_PAGE, {"code": code}).content.decode()


def test_providers_are_not_asked_for_a_code(client):
    user = make_provider_user()
    force_login_password_only(client, user)
    assert client.get(reverse("accounts:home")).status_code == 200
    assert client.get(CODE_PAGE)["Location"] == reverse("accounts:home")
    assert client.get(SET_UP_PAGE)["Location"] == reverse("accounts:home")


def test_setting_up_shows_a_qr_code_and_the_key_then_recovery_codes_once(client):
    user = make_user_with_role(Role.COMMISSIONER)
    force_login_password_only(client, user)
    page = client.get(SET_UP_PAGE + "?next=/opportunities/manage/").content.decode()
    assert 'src="data:image/svg+xml' in page
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    secret = base64.b32encode(device.bin_key).decode()
    assert " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in page
    # Reloading shows the same key (nothing new is made).
    client.get(SET_UP_PAGE)
    assert TOTPDevice.objects.filter(user=user).count() == 1

    wrong = client.post(SET_UP_PAGE, {"code": "123"})
    assert "The code is not right" in wrong.content.decode()
    response = client.post(SET_UP_PAGE, {"code": _code(device), "next": "/opportunities/manage/"})
    html = response.content.decode()
    codes = list(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert len(codes) == 10 and all(code in html for code in codes)
    assert 'href="/opportunities/manage/"' in html
    # This session is verified: staff pages open.
    assert client.get(reverse("accounts:home")).status_code == 200
    # Set up once: the page does not show the key again.
    assert client.get(SET_UP_PAGE).status_code == 302
    assert _actions(user) == ["second_factor.set_up_started", "second_factor.set_up"]
    assert "secret" not in str(list(AuditEvent.objects.values_list("after", flat=True))).lower()


def test_each_recovery_code_works_once(client):
    user = make_user_with_role(Role.ASSESSOR)
    _with_app(user)
    code = StaticToken.objects.filter(device__user=user).first().token
    force_login_password_only(client, user)
    assert client.post(CODE_PAGE, {"code": code.upper()[:4] + " " + code.upper()[4:]}).status_code == 302
    other = type(client)()
    force_login_password_only(other, user)
    assert "The code is not right" in other.post(CODE_PAGE, {"code": code}).content.decode()
    assert StaticToken.objects.filter(device__user=user).count() == 9
    verified = AuditEvent.objects.filter(action="second_factor.verified").last()
    assert verified.after == {"how": "recovery code", "recovery_codes_left": 9}


def test_wrong_codes_slow_down_further_tries(client):
    user = make_user_with_role(Role.ASSESSOR)
    device = _with_app(user)
    force_login_password_only(client, user)
    client.post(CODE_PAGE, {"code": "000000"})
    device.refresh_from_db()
    # django-otp's throttle: after a failure even the right code waits a moment.
    assert device.throttling_failure_count == 1
    assert "The code is not right" in client.post(CODE_PAGE, {"code": _code(device)}).content.decode()
    _let_the_wait_pass(device)
    assert client.post(CODE_PAGE, {"code": _code(device)}).status_code == 302


def test_an_unverified_staff_session_counts_as_signed_out_in_the_api():
    from accounts.middleware import SecondFactorMiddleware

    user = make_user_with_role(Role.ADMINISTRATOR, is_staff=True)
    request = RequestFactory().get("/api/v1/audit/checkpoints")
    user.is_verified = lambda: False
    request.user = user
    request.resolver_match = resolve("/api/v1/audit/checkpoints")
    SecondFactorMiddleware(lambda r: None).process_view(request, request.resolver_match.func, (), {})
    assert not request.user.is_authenticated


# --- Resetting someone's second factor -----------------------------------------------------------


def test_an_administrator_resets_a_colleagues_app_and_it_is_audited(client):
    admin = make_user_with_role(Role.ADMINISTRATOR, is_staff=True)
    colleague = make_user_with_role(Role.EVALUATOR, full_name="Lost Phone")
    _with_app(colleague)
    client.force_login(admin)
    url = reverse("accounts:staff-second-factor-reset", args=[colleague.pk])
    staff_page = client.get(reverse("accounts:staff")).content.decode()
    assert url in staff_page
    assert reverse("accounts:staff-second-factor-reset", args=[admin.pk]) not in staff_page
    assert "Reset sign-in codes for Lost Phone?" in client.get(url).content.decode()
    response = client.post(url)
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=colleague).exists()
    assert not StaticDevice.objects.filter(user=colleague).exists()
    event = AuditEvent.objects.get(action="second_factor.reset")
    assert event.actor_id == admin.pk and event.object_id == str(colleague.pk)
    # Their next sign-in asks them to set up an app again.
    force_login_password_only(client, colleague)
    assert client.get(reverse("accounts:home"))["Location"].startswith(SET_UP_PAGE)


def test_an_administrator_cannot_reset_their_own_or_a_providers(client):
    admin = make_user_with_role(Role.ADMINISTRATOR, is_staff=True)
    client.force_login(admin)
    assert client.get(reverse("accounts:staff-second-factor-reset", args=[admin.pk])).status_code == 404
    provider = make_provider_user()
    assert client.post(reverse("accounts:staff-second-factor-reset", args=[provider.pk])).status_code == 404
    with pytest.raises(Exception, match="cannot reset"):
        services.second_factor_reset(user=admin, actor=admin)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_only_administrators_may_reset_anyones_second_factor(client_for_role, role):
    target = make_user_with_role(Role.ASSESSOR)
    _with_app(target)
    client, _user = client_for_role(role, is_staff=role == "administrator")
    url = reverse("accounts:staff-second-factor-reset", args=[target.pk])
    expected = {"anonymous": 302, "administrator": 200}.get(role, 403)
    assert client.get(url).status_code == expected
    response = client.post(url)
    assert response.status_code == (302 if role in ("anonymous", "administrator") else 403)
    assert TOTPDevice.objects.filter(user=target).exists() == (role != "administrator")


@pytest.mark.parametrize("role", ALL_ROLES)
def test_the_code_pages_for_each_role(client_for_role, role):
    """Signed in fully (the fixture gives staff a verified session), the code pages send everyone
    on; signed out, to sign in."""
    client, _user = client_for_role(role)
    for page in (CODE_PAGE, SET_UP_PAGE):
        response = client.get(page)
        assert response.status_code == 302
        if role == "anonymous":
            assert response["Location"].startswith(reverse("accounts:sign-in"))
        else:
            assert response["Location"] == reverse("accounts:home")
