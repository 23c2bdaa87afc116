"""The history page at /audit/<object_type>/<object_id>/: whoever may see the object, nothing more."""

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
        # Provider users never read a history: it names other people. Not found, as for no object.
        assert response.status_code == 404
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


# --- A history never tells anyone more than the object's own pages (issue 9, finding 2) --------------


def _status(client, object_type, object_id) -> int:
    return client.get(f"/audit/{object_type}/{object_id}/").status_code


def test_nobody_reads_the_history_of_a_bid_or_a_score(client, user_for_role):
    """Before the deadline a commissioner elsewhere read which organisation bid in Kent, its lots and
    when; an evaluator with a conflict read a colleague's draft score. Bids, scores and any type
    not registered have no history page for anyone: the same not found as a made-up id."""
    from competitions.tests.factories import make_bid, make_competition

    competition = make_competition(evaluators=2)
    bid = make_bid(competition)
    audit_record(actor=None, action="bid.submitted", obj=bid)
    audit_record(actor=None, action="evaluation.score_saved", object_type="competitions.score", object_id=1)
    for role in ("commissioner", "evaluator", "assessor", "administrator", "practitioner"):
        client.force_login(user_for_role(role))
        assert _status(client, "competitions.bid", bid.pk) == 404
        assert _status(client, "competitions.score", 1) == 404
        assert _status(client, "competitions.bid", 999_999) == 404
    client.force_login(competition.members.get(role="commissioner").user)
    assert _status(client, "competitions.bid", bid.pk) == 404


def test_an_opportunitys_history_is_for_its_own_commissioners(client, user_for_role):
    from competitions.tests.factories import make_competition

    competition = make_competition()
    audit_record(actor=None, action="competition.update", obj=competition)
    client.force_login(competition.members.get(role="commissioner").user)
    assert _status(client, "competitions.competition", competition.pk) == 200
    wales = user_for_role("commissioner", area_code="J")
    client.force_login(wales)
    assert _status(client, "competitions.competition", competition.pk) == 404
    assert _status(client, "competitions.competition", "999999") == 404
    assert _status(client, "competitions.competition", "not-a-number") == 404


def test_an_applications_history_is_for_assessors_only(client, user_for_role):
    from qualification.tests.factories import make_complete_application

    application = make_complete_application()
    audit_record(actor=None, action="application.submitted", obj=application)
    client.force_login(user_for_role("assessor"))
    assert _status(client, "qualification.application", application.pk) == 200
    for role in ("practitioner", "commissioner", "evaluator", "administrator", "provider"):
        client.force_login(user_for_role(role))
        assert _status(client, "qualification.application", application.pk) == 404
