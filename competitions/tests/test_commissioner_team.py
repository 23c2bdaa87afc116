"""A second commissioner joins the team, so awards can be approved by someone else (four eyes)."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from competitions.models import CompetitionMember
from competitions.services.setup import competition_commissioner_add
from competitions.tests.factories import make_competition
from tests.factories import make_user_with_role
from tests.fixtures import ALL_ROLES, browser_sign_in

pytestmark = pytest.mark.django_db


def _lead(competition):
    return CompetitionMember.objects.get(competition=competition, role="commissioner").user


def test_only_commissioners_covering_the_area_can_join_and_only_once():
    competition = make_competition(lots=["Kent"])
    lead = _lead(competition)
    colleague = make_user_with_role("commissioner", area_code="K")
    kent_only = make_user_with_role("commissioner", area_code="E23000032")
    wales = make_user_with_role("commissioner", area_code="D")
    assessor = make_user_with_role("assessor")
    for outsider in (kent_only, wales, assessor):  # Kent-only does not cover a region-wide competition
        with pytest.raises(Exception, match="Choose a commissioner"):
            competition_commissioner_add(competition=competition, user=outsider, actor=lead)
    competition_commissioner_add(competition=competition, user=colleague, actor=lead)
    assert CompetitionMember.objects.filter(competition=competition, user=colleague, role="commissioner").exists()
    assert AuditEvent.objects.filter(action="competition.commissioner_added").count() == 1
    with pytest.raises(Exception, match="not already on the team"):
        competition_commissioner_add(competition=competition, user=colleague, actor=lead)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_only_the_team_sees_and_changes_it(client_for_role, role):
    competition = make_competition(lots=["Kent"])
    url = reverse("competitions:manage-commissioners", args=[competition.pk])
    client, _ = client_for_role(role)
    response = client.get(url)
    # A commissioner of region K who is not on this competition's team is refused too.
    assert response.status_code == (302 if role == "anonymous" else 404)
    assert client.post(url, {"commissioner": _lead(competition).pk}).status_code == (
        302 if role == "anonymous" else 404
    )


def test_bad_choice_gets_a_govuk_error(client):
    competition = make_competition(lots=["Kent"])
    client.force_login(_lead(competition))
    page = client.post(reverse("competitions:manage-commissioners", args=[competition.pk]), {"commissioner": ""})
    assert page.status_code == 200
    assert "Choose a commissioner" in page.content.decode()
    assert "govuk-error-summary" in page.content.decode()


def test_add_a_second_commissioner_in_a_browser(ui):
    competition = make_competition(lots=["Kent"])
    colleague = make_user_with_role("commissioner", area_code="K", full_name="Second Commissioner")
    browser_sign_in(ui, _lead(competition))
    page = ui.goto(reverse("competitions:manage-detail", args=[competition.pk]))
    page.get_by_role("link", name="Commissioners on this opportunity").click()
    ui.check()
    page.get_by_label("Commissioner").select_option(str(colleague.pk))
    page.get_by_role("button", name="Add commissioner").click()
    ui.check()
    assert "Second Commissioner" in page.locator("main").inner_text()
