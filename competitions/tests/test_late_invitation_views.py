"""The commissioner's page of organisations that qualified after launch: who may open it (every
role), inviting them, and the refusal once the last day for questions has passed."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from competitions.models import CompetitionInvitation
from competitions.tests.factories import make_competition
from qualification.tests.assessor_factories import qualify
from tests.factories import OrganisationFactory, make_user_with_role
from tests.fixtures import ALL_ROLES

pytestmark = pytest.mark.django_db
KENT = "E23000032"
MAIDSTONE = "E07000110"


@pytest.fixture
def competition():
    return make_competition()


@pytest.fixture
def late_orgs():
    kent = OrganisationFactory(legal_name="Kent Late")
    qualify(kent, "accommodation", KENT)
    local = OrganisationFactory(legal_name="Maidstone Late")
    qualify(local, "accommodation", MAIDSTONE)
    return kent, local


def page_url(competition):
    return reverse("competitions:manage-newly-qualified", args=[competition.pk])


@pytest.mark.parametrize("role", [*ALL_ROLES, "own_commissioner"])
def test_only_the_competitions_own_commissioners_open_it(client_for_role, client, competition, late_orgs, role):
    if role == "own_commissioner":
        client.force_login(competition.created_by)
    else:
        client, _ = client_for_role(role, **({"area_code": "K"} if role == "commissioner" else {}))
    response = client.get(page_url(competition))
    if role == "anonymous":
        assert response.status_code == 302 and "/account/sign-in" in response.url
    elif role == "own_commissioner":
        assert response.status_code == 200 and "Kent Late" in response.content.decode()
    else:
        assert response.status_code == 404
        assert client.post(page_url(competition), {"organisations": [str(late_orgs[0].pk)]}).status_code == 404
    assert not CompetitionInvitation.objects.exists()


def test_the_summary_links_to_it_and_the_commissioner_invites(client, competition, late_orgs):
    kent, local = late_orgs
    client.force_login(competition.created_by)
    summary = client.get(reverse("competitions:manage-detail", args=[competition.pk])).content.decode()
    assert f'href="{page_url(competition)}"' in summary
    page = client.get(page_url(competition)).content.decode()
    assert "Can bid for Kent" in page and "Possible partner" in page
    mail.outbox.clear()
    response = client.post(page_url(competition), {"organisations": [str(kent.pk), str(local.pk)]})
    assert response.status_code == 302 and response.url == page_url(competition)
    assert set(CompetitionInvitation.objects.values_list("organisation__legal_name", flat=True)) == {
        "Kent Late",
        "Maidstone Late",
    }
    assert any(kent.contact_email in m.to for m in mail.outbox)
    page = client.get(page_url(competition)).content.decode()
    assert "2 organisations invited. We have emailed each one." in page
    assert "There are no organisations to invite." in page
    history = client.get(reverse("audit:history", args=["competitions.competition", competition.pk])).content.decode()
    assert "competition.invited_after_launch" in history and "Kent Late" in history


def test_nothing_chosen_or_a_stale_choice_is_a_govuk_error(client, competition, late_orgs):
    client.force_login(competition.created_by)
    page = client.post(page_url(competition), {}).content.decode()
    assert "<title>Error:" in page and "Select the organisations to invite" in page
    page = client.post(page_url(competition), {"organisations": ["999999"]}).content.decode()
    assert "Select organisations from the list" in page
    assert not CompetitionInvitation.objects.exists()


def test_after_the_last_day_for_questions_the_page_refuses(client, competition, late_orgs):
    kent, _ = late_orgs
    client.force_login(competition.created_by)
    form_page = client.get(page_url(competition)).content.decode()
    assert "Invite and email them" in form_page
    competition.clarification_deadline = timezone.now() - datetime.timedelta(seconds=1)
    competition.save(update_fields=["clarification_deadline"])
    # A form opened before the deadline and sent after it is refused with the reason.
    page = client.post(page_url(competition), {"organisations": [str(kent.pk)]}).content.decode()
    assert "<title>Error:" in page and "the last day for questions has passed" in page
    page = client.get(page_url(competition)).content.decode()
    assert "You can no longer invite organisations" in page and "Invite and email them" not in page
    assert not CompetitionInvitation.objects.exists()


def test_a_draft_has_nothing_to_invite_yet(client):
    commissioner = make_user_with_role("commissioner", area_code="K")
    draft = make_competition(launched=False, commissioner=commissioner)
    client.force_login(commissioner)
    response = client.get(page_url(draft))
    assert response.status_code == 302 and response.url == reverse("competitions:manage-detail", args=[draft.pk])
