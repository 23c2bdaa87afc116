"""Questions about an opportunity: anonymity, the deadline, publishing answers, who may see what."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from competitions.models import Clarification
from competitions.services import clarifications as services
from competitions.tests.factories import invite, make_competition
from tests.factories import OrganisationFactory, make_provider_user, make_user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    owner = make_user_with_role("commissioner", area_code="K")
    competition = make_competition(commissioner=owner)
    asker_org = OrganisationFactory(legal_name="Secret Asker Charity")
    other_org = OrganisationFactory(legal_name="Other Bidder Ltd")
    invite(competition, asker_org)
    invite(competition, other_org)
    asker = make_provider_user(organisation=asker_org, full_name="Alice Asker")
    other = make_provider_user(organisation=other_org)
    return {"owner": owner, "competition": competition, "asker": asker, "other": other, "other_org": other_org}


def test_asked_privately_answered_to_everyone_without_the_asker(client, world):
    competition = world["competition"]
    client.force_login(world["asker"])
    response = client.post(
        reverse("competitions:clarifications", args=[competition.pk]), {"question": "Is TUPE likely?"}
    )
    assert response.status_code == 302
    clarification = Clarification.objects.get()
    assert clarification.asked_by_organisation.legal_name == "Secret Asker Charity"
    assert AuditEvent.objects.filter(action="clarification.asked").exists()

    # Before the answer, the other bidder sees nothing of it.
    client.force_login(world["other"])
    page = client.get(reverse("competitions:clarifications", args=[competition.pk])).content.decode()
    assert "Is TUPE likely?" not in page

    # The commissioner sees who asked, and answers.
    client.force_login(world["owner"])
    page = client.get(reverse("competitions:manage-clarifications", args=[competition.pk])).content.decode()
    assert "Secret Asker Charity" in page
    mail.outbox.clear()
    response = client.post(
        reverse("competitions:manage-clarification-answer", args=[competition.pk, clarification.pk]),
        {"question": "Is TUPE likely?", "answer": "Yes, for two staff."},
    )
    assert response.status_code == 302

    client.force_login(world["other"])
    page = client.get(reverse("competitions:clarifications", args=[competition.pk])).content.decode()
    assert "Is TUPE likely?" in page and "Yes, for two staff." in page
    assert "Secret Asker Charity" not in page and "Alice Asker" not in page
    recipients = {m.to[0] for m in mail.outbox}
    assert world["other"].email in recipients and world["other_org"].contact_email in recipients
    assert world["asker"].email in recipients
    for message in mail.outbox:
        assert "Secret Asker Charity" not in message.body and "Alice Asker" not in message.body
        assert "Yes, for two staff." in message.body


def test_commissioner_can_reword_the_question_to_hide_the_asker(world):
    competition = world["competition"]
    clarification = services.clarification_ask(
        competition=competition, user=world["asker"], question="We at Secret Asker Charity ask: when?"
    )
    services.clarification_answer(
        clarification=clarification, actor=world["owner"], question="When does it start?", answer="In July."
    )
    assert all("Secret Asker" not in m.body for m in mail.outbox)
    event = AuditEvent.objects.get(action="clarification.answered")
    assert "Secret Asker" in event.before["question"]  # the original is kept in the audit trail


def test_no_questions_after_the_deadline(client, world):
    competition = world["competition"]
    deadline = competition.clarification_deadline
    with pytest.raises(services.DeadlinePassed):
        services.clarification_ask(
            competition=competition, user=world["asker"], question="Late?", now=deadline + datetime.timedelta(seconds=1)
        )
    competition.clarification_deadline = timezone.now() - datetime.timedelta(minutes=1)
    competition.save()
    client.force_login(world["asker"])
    response = client.post(reverse("competitions:clarifications", args=[competition.pk]), {"question": "Late?"})
    page = response.content.decode()
    assert "You can no longer ask a question about this opportunity" in page
    assert not Clarification.objects.exists()


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 302),
        ("provider", 404),
        ("provider_admin", 404),
        ("assessor", 404),
        ("commissioner", 404),
        ("evaluator", 404),
        ("practitioner", 404),
        ("administrator", 404),
    ],
)
def test_only_invited_organisations_and_the_competitions_commissioners_read_answers(
    client_for_role, world, role, expected
):
    client, _user = client_for_role(role)
    url = reverse("competitions:clarifications", args=[world["competition"].pk])
    assert client.get(url).status_code == expected
    response = client.post(url, {"question": "Can I?"})
    assert response.status_code == expected
    assert not Clarification.objects.exists()


def test_invited_members_and_owner_read_answers(client, world):
    url = reverse("competitions:clarifications", args=[world["competition"].pk])
    for user in (world["asker"], world["other"], world["owner"]):
        client.force_login(user)
        assert client.get(url).status_code == 200


def test_a_commissioner_cannot_ask(client, world):
    client.force_login(world["owner"])
    url = reverse("competitions:clarifications", args=[world["competition"].pk])
    assert client.post(url, {"question": "x"}).status_code == 404
