"""A provider asks a question; the commissioner answers it for everyone; the asker stays anonymous."""

from django.core import mail
from django.urls import reverse

from competitions.models import CompetitionMember
from competitions.tests.factories import invite, make_competition
from tests.factories import make_provider_user
from tests.fixtures import browser_sign_in


def test_question_asked_and_answered_to_everyone_without_naming_the_asker(ui):
    competition = make_competition(lots=["Kent", "Surrey"])
    commissioner = CompetitionMember.objects.get(competition=competition, role="commissioner").user
    asker = make_provider_user(organisation=None)
    other = make_provider_user(organisation=None)
    invite(competition, asker.memberships.get().organisation)
    invite(competition, other.memberships.get().organisation)
    asker_name = asker.memberships.get().organisation.display_name

    browser_sign_in(ui, asker)
    page = ui.goto(reverse("competitions:clarifications", args=[competition.pk]))
    page.get_by_role("button", name="Send question").click()
    ui.check()  # refused: nothing typed
    assert "Enter your question" in page.locator(".govuk-error-summary").inner_text()
    page.get_by_label("Your question").fill("Can the Kent lot include Medway?")
    page.get_by_role("button", name="Send question").click()
    ui.check()

    ui.page.context.clear_cookies()
    browser_sign_in(ui, commissioner)
    page = ui.goto(reverse("competitions:manage-clarifications", args=[competition.pk]))
    assert asker_name in page.locator("main").inner_text()  # the commissioner sees who asked
    page.get_by_role("link", name="Answer").first.click()
    ui.check()
    page.get_by_label("Your answer").fill("Yes. Medway is part of the Kent lot.")
    page.get_by_role("button", name="Publish answer to everyone invited").click()
    ui.check()

    ui.page.context.clear_cookies()
    browser_sign_in(ui, other)
    page = ui.goto(reverse("competitions:clarifications", args=[competition.pk]))
    text = page.locator("main").inner_text()
    assert "Can the Kent lot include Medway?" in text
    assert "Yes. Medway is part of the Kent lot." in text
    assert asker_name not in text
    answer_emails = [m for m in mail.outbox if other.email in m.to and "Medway is part of the Kent lot" in m.body]
    assert answer_emails and asker_name not in answer_emails[0].body
