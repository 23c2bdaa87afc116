"""The Django admin: administrators with is_staff only; people, roles, passwords and access flags
read-only (issue 9.1); every change it can still make audited; no bidder named before the
deadline (issue 9.3)."""

from __future__ import annotations

import datetime

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, Organisation, Role, StaffRole, User
from accounts.tests.factories import make_invitation
from audit.admin import AuditedAdminMixin
from audit.models import AuditEvent
from tests.factories import DEFAULT_PASSWORD, make_provider_user, make_user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator(client):
    user = make_user_with_role(Role.ADMINISTRATOR, is_staff=True)
    client.force_login(user)
    return user


@pytest.fixture
def superuser(client):
    user = make_user_with_role(Role.ADMINISTRATOR, is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


@pytest.mark.parametrize(
    "name", ["user", "organisation", "membership", "staffrole", "invitation", "accessattempt", "accessfailurelog"]
)
def test_administrator_with_is_staff_sees_each_model(client, administrator, name):
    app = "axes" if name.startswith("access") else "accounts"
    assert client.get(reverse(f"admin:{app}_{name}_changelist")).status_code == 200


@pytest.mark.parametrize(
    "make",
    [
        lambda: make_provider_user(is_admin=True, is_staff=True),
        lambda: make_user_with_role(Role.ASSESSOR, is_staff=True),
        lambda: make_user_with_role(Role.ADMINISTRATOR),  # no is_staff
    ],
)
def test_others_cannot_use_the_admin(client, make):
    client.force_login(make())
    response = client.get(reverse("admin:accounts_user_changelist"))
    assert response.status_code in (302, 403)


def test_the_admin_sign_in_form_sends_people_to_the_service_sign_in(client):
    response = client.get(reverse("admin:login") + "?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign-in"))


def test_invitation_token_hash_is_not_shown(client, administrator):
    invitation, _ = make_invitation()
    page = client.get(reverse("admin:accounts_invitation_change", args=[invitation.pk])).content.decode()
    assert invitation.email in page
    assert invitation.token_hash not in page


# --- 9.1: an administrator cannot make themselves a bidder, an assessor or someone else ---------


@pytest.mark.parametrize("as_superuser", [False, True], ids=["administrator", "superuser"])
def test_administrator_cannot_add_themselves_to_an_organisation(client, as_superuser):
    me = make_user_with_role(Role.ADMINISTRATOR, is_staff=True, is_superuser=as_superuser)
    client.force_login(me)
    bidder = make_provider_user(is_admin=True)
    organisation = bidder.memberships.get().organisation
    assert client.get(reverse("admin:accounts_membership_add")).status_code == 403
    response = client.post(
        reverse("admin:accounts_membership_add"), {"user": me.pk, "organisation": organisation.pk, "is_admin": "on"}
    )
    assert response.status_code == 403
    # Nor through the inline on their own user page.
    client.post(
        reverse("admin:accounts_user_change", args=[me.pk]),
        {
            "full_name": me.full_name,
            "phone": "",
            "is_active": "on",
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-0-organisation": organisation.pk,
            "memberships-0-is_admin": "on",
            "memberships-0-user": me.pk,
        },
    )
    # Nor by changing a colleague's membership of that organisation into their own.
    membership = bidder.memberships.get()
    assert client.get(reverse("admin:accounts_membership_change", args=[membership.pk])).status_code == 200
    client.post(
        reverse("admin:accounts_membership_change", args=[membership.pk]),
        {"user": me.pk, "organisation": organisation.pk, "is_admin": "on"},
    )
    assert not Membership.objects.filter(user=me).exists()
    assert Membership.objects.get(pk=membership.pk).user_id == bidder.pk


@pytest.mark.parametrize("as_superuser", [False, True], ids=["administrator", "superuser"])
def test_administrator_cannot_grant_themselves_a_role(client, as_superuser):
    me = make_user_with_role(Role.ADMINISTRATOR, is_staff=True, is_superuser=as_superuser)
    client.force_login(me)
    assert client.get(reverse("admin:accounts_staffrole_add")).status_code == 403
    client.post(reverse("admin:accounts_staffrole_add"), {"user": me.pk, "role": Role.ASSESSOR})
    client.post(
        reverse("admin:accounts_user_change", args=[me.pk]),
        {
            "full_name": me.full_name,
            "phone": "",
            "is_active": "on",
            "staff_roles-TOTAL_FORMS": "1",
            "staff_roles-INITIAL_FORMS": "0",
            "staff_roles-0-role": Role.ASSESSOR,
            "staff_roles-0-user": me.pk,
        },
    )
    role = StaffRole.objects.get(user=me)
    client.post(reverse("admin:accounts_staffrole_change", args=[role.pk]), {"user": me.pk, "role": Role.ASSESSOR})
    assert set(StaffRole.objects.filter(user=me).values_list("role", flat=True)) == {Role.ADMINISTRATOR}


@pytest.mark.parametrize("as_superuser", [False, True], ids=["administrator", "superuser"])
def test_administrator_cannot_set_a_password_email_or_access_flags(client, as_superuser):
    me = make_user_with_role(Role.ADMINISTRATOR, is_staff=True, is_superuser=as_superuser)
    client.force_login(me)
    provider = make_provider_user(is_admin=True, email="provider@example.org")
    assessor = make_user_with_role(Role.ASSESSOR)
    password_page = reverse("admin:accounts_user_change", args=[provider.pk]) + "password/"
    assert client.get(password_page).status_code in (302, 404)
    client.post(password_page, {"password1": "a new long passphrase", "password2": "a new long passphrase"})
    for user in (provider, assessor):
        client.post(
            reverse("admin:accounts_user_change", args=[user.pk]),
            {
                "email": "me@example.org",
                "full_name": "Changed Name",
                "phone": "",
                "is_active": "on",
                "is_staff": "on",
                "is_superuser": "on",
                "password": "md5$x$y",
                "memberships-TOTAL_FORMS": "0",
                "memberships-INITIAL_FORMS": "0",
                "staff_roles-TOTAL_FORMS": "0",
                "staff_roles-INITIAL_FORMS": "0",
            },
        )
        user.refresh_from_db()
        assert user.check_password(DEFAULT_PASSWORD)
        assert not user.is_staff and not user.is_superuser
        assert user.email != "me@example.org"
    # A new account cannot be made here either (with a password the administrator knows).
    assert client.get(reverse("admin:accounts_user_add")).status_code == 403
    client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "new@example.org",
            "full_name": "New",
            "password1": "a long passphrase",
            "password2": "a long passphrase",
        },
    )
    assert not User.objects.filter(email="new@example.org").exists()


def test_what_may_change_on_a_user_is_audited_in_the_admin(client, administrator):
    provider = make_provider_user(is_admin=True, full_name="Old Name")
    response = client.post(
        reverse("admin:accounts_user_change", args=[provider.pk]),
        {
            "full_name": "New Name",
            "phone": "",
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "1",
            "memberships-0-id": provider.memberships.get().pk,
            "memberships-0-user": provider.pk,
            "staff_roles-TOTAL_FORMS": "0",
            "staff_roles-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    provider.refresh_from_db()
    assert provider.full_name == "New Name" and not provider.is_active
    event = AuditEvent.objects.get(action="admin.changed", object_id=str(provider.pk))
    assert event.actor_id == administrator.pk
    assert event.before["full_name"] == "Old Name" and event.after["full_name"] == "New Name"
    assert event.after["is_active"] is False
    assert "password" not in event.after


def test_an_organisation_change_in_the_admin_is_audited(client, administrator):
    organisation = make_provider_user(is_admin=True).memberships.get().organisation
    data = {
        field.name: getattr(organisation, field.attname)
        for field in Organisation._meta.concrete_fields
        if field.name not in ("id", "size", "created_at", "created_by") and getattr(organisation, field.attname)
    }
    data["trading_name"] = "New Trading Name"
    response = client.post(reverse("admin:accounts_organisation_change", args=[organisation.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    event = AuditEvent.objects.get(action="admin.changed", object_id=str(organisation.pk))
    assert event.object_type == "accounts.organisation"
    assert event.after["trading_name"] == "New Trading Name" and event.before["trading_name"] == ""


def test_every_admin_that_can_change_anything_is_audited(rf):
    """Ask every registered ModelAdmin (and inline) what an all-powerful administrator may do:
    any that may add, change or delete must audit it (audit.admin.AuditedAdminMixin)."""
    request = rf.get("/admin/")
    request.user = make_user_with_role(Role.ADMINISTRATOR, is_staff=True, is_superuser=True)
    unaudited = []
    for model, model_admin in admin.site._registry.items():
        admins = [model_admin, *model_admin.get_inline_instances(request, None)]
        for each in admins:
            changes = (
                each.has_add_permission(request, None)
                if isinstance(each, admin.options.InlineModelAdmin)
                else each.has_add_permission(request)
            )
            changes = changes or each.has_change_permission(request) or each.has_delete_permission(request)
            if changes and not isinstance(each, AuditedAdminMixin):
                unaudited.append(f"{model._meta.label}: {type(each).__name__}")
    assert not unaudited, unaudited


@pytest.mark.parametrize(
    "model",
    ["otp_totp.totpdevice", "otp_static.staticdevice", "auth.group"],
)
def test_second_factor_devices_and_groups_are_not_in_the_admin(model):
    from django.apps import apps

    assert apps.get_model(model) not in admin.site._registry


# --- 9.3: no bidder named before the deadline ---------------------------------------------------


@pytest.mark.parametrize("as_superuser", [False, True], ids=["administrator", "superuser"])
def test_the_admin_names_no_bidder_before_the_deadline(client, as_superuser):
    from competitions.models import BidReceipt
    from competitions.tests.factories import make_bid, make_competition

    client.force_login(make_user_with_role(Role.ADMINISTRATOR, is_staff=True, is_superuser=as_superuser))
    competition = make_competition()
    bid = make_bid(competition)
    BidReceipt.objects.create(bid=bid, kind="submitted", at=timezone.now(), by=bid.submitted_by, digest="0" * 64)
    name = bid.organisation.legal_name
    pages = [
        reverse("admin:competitions_bid_changelist"),
        reverse("admin:competitions_bid_changelist") + "?q=" + name.split()[0],
        reverse("admin:competitions_bidreceipt_changelist"),
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200 and name not in response.content.decode(), page
    change = client.get(reverse("admin:competitions_bid_change", args=[bid.pk]), follow=True)
    assert name not in change.content.decode()

    # From the closing date's instant, the admin may say who bid.
    competition.closes_at = timezone.now() - datetime.timedelta(seconds=1)
    competition.save(update_fields=["closes_at"])
    for page in (pages[0], pages[2]):
        assert name in client.get(page).content.decode()
