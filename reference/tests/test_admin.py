"""Administrators edit reference data in the Django admin; every change is audited; codes never change."""

import pytest

from audit.models import AuditEvent
from reference.models import Area, ServiceCategory, ServiceType
from tests.fixtures import ALL_ROLES

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, user_for_role):
    user = user_for_role("administrator", is_staff=True)
    client.force_login(user)
    return client, user


def change_url(model: str, pk: int) -> str:
    return f"/admin/reference/{model}/{pk}/change/"


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("model", ["area", "servicecategory", "servicetype"])
def test_only_administrators_may_use_the_reference_data_admin(client, user_for_role, role, model):
    # Everyone else is refused even when they may sign in to the admin site at all.
    user = user_for_role(role, is_staff=True) if role != "anonymous" else None
    if user:
        client.force_login(user)
    response = client.get(f"/admin/reference/{model}/")
    if role == "administrator":
        assert response.status_code == 200
    elif role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith("/account/sign-in/")
    else:
        assert response.status_code == 403


def test_code_is_read_only_once_created(admin_client):
    client, _ = admin_client
    kent = Area.objects.get(code="E23000032")
    page = client.get(change_url("area", kent.pk)).content.decode()
    assert 'name="name"' in page
    assert 'name="code"' not in page
    assert 'name="level"' not in page
    add_page = client.get("/admin/reference/area/add/").content.decode()
    assert 'name="code"' in add_page


def test_renaming_a_category_writes_an_audit_event_with_before_and_after(admin_client):
    client, user = admin_client
    category = ServiceCategory.objects.get(code="women")
    response = client.post(
        change_url("servicecategory", category.pk),
        {
            "code": "hacked",  # ignored: read-only
            "name": "Women and girls",
            "kind": "cohort",
            "description": category.description,
            "display_order": category.display_order,
        },
        headers={"X-Request-ID": "admin-req-42"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    category.refresh_from_db()
    assert (category.code, category.name) == ("women", "Women and girls")
    event = AuditEvent.objects.get(action="service_category.update")
    assert event.actor_id == user.pk
    assert event.actor_label == user.email
    assert event.object_type == "reference.servicecategory"
    assert event.object_id == str(category.pk)
    assert event.before["name"] == "Women"
    assert event.after["name"] == "Women and girls"
    # The request id the middleware made (the client's header is not trusted) ties the event to the logs.
    assert event.request_id == response["X-Request-ID"] != "admin-req-42"


def test_changing_a_service_types_categories_is_one_audit_event(admin_client):
    client, _ = admin_client
    service_type = ServiceType.objects.get(code="personal-wellbeing")
    keep = list(service_type.categories.exclude(code="social-inclusion"))
    response = client.post(
        change_url("servicetype", service_type.pk),
        {
            "name": service_type.name,
            "description": "",
            "categories": [c.pk for c in keep],
            "required_by_court_orders": "on",
            "restricted_to": "",
            "display_order": service_type.display_order,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert set(service_type.categories.values_list("code", flat=True)) == {"family", "lifestyle", "emotional-wellbeing"}
    event = AuditEvent.objects.get(action="service_type.update")
    assert "social-inclusion" in event.before["categories"]
    assert "social-inclusion" not in event.after["categories"]


def test_adding_an_area_sets_its_path_and_is_audited(admin_client):
    client, _ = admin_client
    kent = Area.objects.get(code="E23000032")
    response = client.post(
        "/admin/reference/area/add/",
        {"code": "E07999999", "name": "New District", "level": "local_authority", "parent": kent.pk},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    area = Area.objects.get(code="E07999999")
    assert area.path == kent.path + "E07999999/"
    event = AuditEvent.objects.get(action="area.create")
    assert event.before is None
    assert event.after["code"] == "E07999999"


def test_an_area_must_sit_one_level_below_its_parent(admin_client):
    client, _ = admin_client
    region = Area.objects.get(code="K")
    response = client.post(
        "/admin/reference/area/add/",
        {"code": "E07999998", "name": "Misplaced", "level": "local_authority", "parent": region.pk},
    )
    assert response.status_code == 200
    assert "Choose an area one level up." in response.content.decode()
    assert not Area.objects.filter(code="E07999998").exists()
    assert not AuditEvent.objects.exists()


def test_deleting_in_the_admin_is_audited(admin_client):
    client, _ = admin_client
    category = ServiceCategory.objects.create(code="spare", name="Spare", kind="need")
    response = client.post(f"/admin/reference/servicecategory/{category.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not ServiceCategory.objects.filter(code="spare").exists()
    event = AuditEvent.objects.get(action="service_category.delete")
    assert event.object_id == str(category.pk)
    assert event.before["name"] == "Spare"
    assert event.after is None


def test_bulk_delete_in_the_admin_is_audited_per_item(admin_client):
    client, _ = admin_client
    spare = [ServiceCategory.objects.create(code=f"spare-{n}", name=f"Spare {n}", kind="need") for n in range(2)]
    response = client.post(
        "/admin/reference/servicecategory/",
        {"action": "delete_selected", "_selected_action": [c.pk for c in spare], "post": "yes"},
    )
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="service_category.delete").count() == 2


def test_an_area_in_use_cannot_be_deleted(admin_client):
    client, _ = admin_client
    kent = Area.objects.get(code="E23000032")
    response = client.post(f"/admin/reference/area/{kent.pk}/delete/", {"post": "yes"})
    assert response.status_code == 200  # the admin explains what protects it
    assert Area.objects.filter(code="E23000032").exists()
    assert not AuditEvent.objects.filter(action="area.delete").exists()
