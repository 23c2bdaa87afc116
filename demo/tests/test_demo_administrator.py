"""The demo's administrator can do everything the README says an administrator does (issue 8.8):
open the administration tool and edit reference data, and manage staff and their roles."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import StaffRole, User
from audit.models import AuditEvent
from demo.world import DEMO_PASSWORD
from reference.models import ServiceCategory

pytestmark = pytest.mark.django_db


def test_demo_administrator_signs_in_and_edits_reference_data_in_the_admin(client):
    call_command("load_demo_world", "--force", "--national-scale", "0")
    response = client.post(
        reverse("accounts:sign-in"), {"email": "admin@demo.example", "password": DEMO_PASSWORD}, follow=True
    )
    # Staff give a code from their authenticator app after the password (make demo-code prints it).
    assert response.redirect_chain[-1][0] == reverse("accounts:second-factor") + "?next=%2Faccount%2F"
    from accounts.models import User
    from demo.world import demo_code

    response = client.post(
        reverse("accounts:second-factor"),
        {"code": demo_code(User.objects.get(email="admin@demo.example")), "next": "/account/"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("accounts:home")
    assert "Open the administration tool" in response.content.decode()

    assert client.get(reverse("admin:index")).status_code == 200
    for name in ("area", "servicecategory", "servicetype"):
        assert client.get(reverse(f"admin:reference_{name}_changelist")).status_code == 200, name

    category = ServiceCategory.objects.get(code="accommodation")
    response = client.post(
        reverse("admin:reference_servicecategory_change", args=[category.pk]),
        {
            "code": category.code,
            "name": category.name,
            "kind": category.kind,
            "description": "Somewhere safe to live.",
            "display_order": category.display_order,
            "_save": "Save",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    category.refresh_from_db()
    assert category.description == "Somewhere safe to live."
    assert AuditEvent.objects.filter(action="service_category.update", actor_label="admin@demo.example").exists()

    # Look up accounts and organisations in the admin.
    for name in ("user", "organisation"):
        assert client.get(reverse(f"admin:accounts_{name}_changelist")).status_code == 200, name

    # Staff and their roles, in the service's own pages.
    assert client.get(reverse("accounts:staff")).status_code == 200
    assert client.get(reverse("accounts:staff-invite")).status_code == 200
    evaluator_role = StaffRole.objects.get(user__email="evaluator2@demo.example")
    assert client.get(reverse("accounts:staff-role-remove", args=[evaluator_role.pk])).status_code == 200


def test_demo_administrator_role_is_granted_through_the_accounts_service():
    call_command("load_demo_world", "--force", "--national-scale", "0")
    granted = AuditEvent.objects.filter(action="staff_role.granted", object_repr="Administrator")
    assert granted.count() == 1
    assert AuditEvent.objects.filter(action="user.staff_access_granted").count() == 1


def test_every_demo_account_has_a_confirmed_address_through_the_service(client):
    call_command("load_demo_world", "--force", "--national-scale", "0")
    people = User.objects.filter(email__endswith=".example")
    assert people.count() == 13
    assert not people.filter(email_confirmed_at__isnull=True).exists()
    confirmed = set(AuditEvent.objects.filter(action="user.email_confirmed").values_list("object_id", flat=True))
    assert confirmed == {str(pk) for pk in people.values_list("pk", flat=True)}
    # So a demo charity acts for its organisation straight away.
    client.post(reverse("accounts:sign-in"), {"email": "jo@medway-womens.example", "password": DEMO_PASSWORD})
    assert client.get(reverse("qualification:qualifications")).status_code == 200
