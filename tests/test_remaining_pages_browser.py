"""Pages no journey test reaches and the demo-world crawl cannot (they need a particular state),
each opened in a real browser, used, and checked with axe."""

import datetime

from django.utils import timezone

from competitions.models import Award, Competition, CompetitionMember
from competitions.tests.evaluation_factories import award_world, commissioner_of
from competitions.tests.factories import make_competition
from qualification.models import DeclarationConfirmation
from qualification.services.applications import application_start, section_save
from tests.factories import make_provider_user
from tests.fixtures import browser_sign_in


def test_commissioner_publishes_an_opportunity_as_planned(ui):
    competition = make_competition(lots=["Kent"], launched=False)
    # A three-year contract from 1 April covers exactly the factory's three financial years of values.
    Competition.objects.filter(pk=competition.pk).update(
        planned_at=None, planned_by=None, contract_start=datetime.date(2027, 4, 1)
    )
    browser_sign_in(ui, CompetitionMember.objects.get(competition=competition, role="commissioner").user)
    page = ui.goto(f"/opportunities/manage/{competition.pk}/plan/")
    page.get_by_role("button", name="Publish as planned").click()
    ui.check()
    competition.refresh_from_db()
    assert competition.planned_at is not None and competition.launched_at is None


def test_commissioner_records_that_a_challenge_was_not_upheld(ui):
    world = award_world()
    competition, surrey = world["competition"], world["surrey"]
    browser_sign_in(ui, commissioner_of(competition))
    page = ui.goto(f"/opportunities/{competition.pk}/award/lots/{surrey.pk}/challenge/outcome/")
    page.get_by_role("button", name="Record outcome").click()
    ui.check()  # refused: nothing chosen or typed
    assert "Enter the outcome of the challenge" in page.locator(".govuk-error-summary").inner_text()
    page.get_by_label("No").check()
    page.get_by_label("Outcome of the challenge").fill("We reviewed the scores and they stand.")
    page.get_by_role("button", name="Record outcome").click()
    ui.check()
    award = Award.objects.get(lot=surrey)
    assert award.challenge_resolved_at is not None and award.cancelled_at is None


def test_organisation_confirms_its_declaration_for_another_year(ui):
    user = make_provider_user(is_admin=True)
    organisation = user.memberships.get().organisation
    DeclarationConfirmation.objects.create(
        organisation=organisation, confirmed_by=user, confirmed_at=timezone.now() - datetime.timedelta(days=350)
    )
    browser_sign_in(ui, user)
    page = ui.goto("/join/declaration/")
    page.get_by_label("I confirm this is still true for my organisation").check()
    page.get_by_role("button", name="Confirm").click()
    ui.check()
    latest = DeclarationConfirmation.objects.filter(organisation=organisation).latest()
    assert timezone.now() - latest.confirmed_at < datetime.timedelta(minutes=1)


def test_provider_chooses_single_councils_inside_a_police_area(ui):
    user = make_provider_user(is_admin=True)
    organisation = user.memberships.get().organisation
    application = application_start(organisation=organisation, user=user)
    section_save(application=application, key="services", answers={"categories": ["accommodation"]}, user=user)
    browser_sign_in(ui, user)
    page = ui.goto("/join/application/services/councils/")
    page.get_by_label("Area").select_option(label="Kent")
    page.get_by_role("button", name="Continue").click()
    ui.check()
    page.get_by_label("Medway").check()
    page.get_by_role("button", name="Save and continue").click()
    ui.check()
    application.refresh_from_db()
    services = application.sections.get(key="services").answers
    assert "E06000035" in services.get("councils", [])
