"""The history page at /audit/<object_type>/<object_id>/: framework staff only."""

import pytest

from audit.services import audit_record, snapshot
from reference.models import ServiceCategory
from reference.services import service_category_save
from tests.fixtures import ALL_ROLES

pytestmark = pytest.mark.django_db

STAFF_ROLES = {"assessor", "commissioner", "evaluator", "practitioner", "administrator"}


@pytest.fixture
def renamed_category(user_for_role):
    editor = user_for_role("administrator", email="editor@example.org")
    category = ServiceCategory.objects.get(code="women")
    category.name = "Women and girls"
    service_category_save(actor=editor, category=category)
    return category


def history_url(category) -> str:
    return f"/audit/reference.servicecategory/{category.pk}/"


@pytest.mark.parametrize("role", ALL_ROLES)
def test_only_framework_staff_may_read_a_history(client_for_role, role, renamed_category):
    client, _ = client_for_role(role)
    response = client.get(history_url(renamed_category))
    if role in STAFF_ROLES:
        assert response.status_code == 200
        assert "editor@example.org" in response.content.decode()
    elif role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith("/account/sign-in/")
    else:
        # Provider users never read a history: it names other people.
        assert response.status_code == 403
        assert "editor@example.org" not in response.content.decode()


def test_history_shows_who_changed_what_oldest_first(client_for_role, renamed_category):
    client, _ = client_for_role("assessor")
    renamed_category.description = "Support designed for women and girls."
    service_category_save(actor=None, category=renamed_category)
    page = client.get(history_url(renamed_category)).content.decode()
    assert "<title>History of Women and girls" in page
    assert '<h1 class="govuk-heading-l">History of Women and girls</h1>' in page
    first = page.index("editor@example.org")
    second = page.index("system")
    assert first < second
    # Only the fields that changed, as "before to after".
    assert '<span class="govuk-!-font-weight-bold">name</span>: Women to Women and girls' in page
    assert "description</span>: Support designed for women. to Support designed for women and girls." in page
    assert "kind</span>" not in page
    assert "service_category.update" in page


def test_values_in_a_history_are_escaped(client_for_role):
    client, _ = client_for_role("assessor")
    category = ServiceCategory.objects.get(code="bame")
    before = snapshot(category)
    category.name = "<script>alert(1)</script>"
    category.save()
    audit_record(actor=None, action="service_category.update", obj=category, before=before, after=snapshot(category))
    page = client.get(history_url(category)).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_an_object_with_no_history_says_so(client_for_role):
    client, _ = client_for_role("assessor")
    response = client.get("/audit/reference.area/999999/")
    assert response.status_code == 200
    assert "Nothing has been recorded for this yet." in response.content.decode()
