"""The history page in a real browser, checked with axe."""

from reference.models import ServiceCategory
from reference.services import service_category_save
from tests.factories import make_user_with_role
from tests.fixtures import browser_sign_in


def test_assessor_reads_a_history(ui):
    # Made here: a browser test's database may have been emptied by an earlier transactional test.
    editor = make_user_with_role("administrator", email="editor@example.org")
    category = service_category_save(
        actor=editor, category=ServiceCategory(code="history-test", name="Education and skills", kind="need")
    )
    category.name = "Learning and work"
    service_category_save(actor=editor, category=category)
    browser_sign_in(ui, make_user_with_role("assessor"))

    page = ui.goto(f"/audit/reference.servicecategory/{category.pk}/")

    assert page.locator("h1").inner_text() == "History of Learning and work"
    rows = page.locator("table tbody tr")
    assert rows.count() == 2
    assert "service_category.create" in rows.nth(0).inner_text()
    assert "editor@example.org" in rows.nth(1).inner_text()
    assert "name: Education and skills to Learning and work" in rows.nth(1).inner_text()
