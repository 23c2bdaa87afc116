"""After a decision, the two-person charity adds an area in a real browser: accepted answers carry
over, so only the types of support, the areas and the declaration are asked again."""

from qualification.models import Application, ApplicationKind, Qualification
from qualification.services.applications import application_submit
from qualification.services.decisions import Grant, application_decide, section_accept
from qualification.tests.factories import make_complete_application
from tests.factories import make_provider_user, make_user_with_role
from tests.fixtures import browser_sign_in


def click(ui, name: str, *, role: str = "button"):
    ui.page.get_by_role(role, name=name).first.click()
    ui.check()


def test_qualified_charity_adds_surrey_answering_only_what_changed(ui):
    charity_admin = make_provider_user(is_admin=True)
    organisation = charity_admin.memberships.get().organisation
    assessor = make_user_with_role("assessor")
    first = make_complete_application(organisation=organisation, user=charity_admin)
    application_submit(application=first, user=charity_admin)
    for section in first.sections.all():
        section_accept(section=section, actor=assessor)
    application_decide(
        application=first, actor=assessor, grants=[Grant(requested=r, area=r.area) for r in first.requested.all()]
    )

    browser_sign_in(ui, charity_admin)
    page = ui.goto("/join/qualifications/")
    assert "You can bid for Accommodation in Kent." in page.locator("main").inner_text()
    click(ui, "Add types of support or places")
    text = page.locator("main").inner_text()
    # Only the types of support and areas, and the declaration, are left to do.
    assert "We already accepted some of your answers" in text

    click(ui, "Types of support and areas", role="link")
    page.get_by_label("Accommodation").check()
    click(ui, "Save and continue")
    page.get_by_label("Only in some regions or areas").check()
    click(ui, "Save and continue")
    page.get_by_label("Kent", exact=True).check()
    page.get_by_label("Surrey", exact=True).check()
    click(ui, "Save and continue")
    assert "You can deliver Accommodation in Kent and Surrey." in page.locator("main").inner_text()
    click(ui, "Save and go back to your application")
    click(ui, "Declaration", role="link")
    page.get_by_label("I confirm this on behalf of my organisation").check()
    click(ui, "Save and continue")
    click(ui, "Check your answers")
    click(ui, "Confirm and send")
    assert page.locator(".govuk-panel__title").inner_text() == "Application sent"

    added = Application.objects.get(organisation=organisation, kind=ApplicationKind.ADD_SERVICES)
    assert added.submitted_at is not None
    assert sorted(str(r) for r in added.requested.all()) == ["Accommodation in Kent", "Accommodation in Surrey"]
    carried = added.sections.filter(carried_over_from__isnull=False, accepted_at__isnull=False)
    assert carried.count() == 6  # about, exclusion, money, insurance, safeguarding, security
    # Still qualified for Kent while the new application waits.
    assert Qualification.objects.active().filter(organisation=organisation).count() == 1
