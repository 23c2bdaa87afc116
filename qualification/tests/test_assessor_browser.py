"""The assessor's journey and the public register in a real browser, every page checked with axe."""

import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from qualification.models import Application, Qualification, SectionKey
from qualification.services.applications import application_submit, section_save
from qualification.tests.assessor_factories import qualify
from qualification.tests.factories import make_complete_application
from tests.factories import OrganisationFactory, make_provider_user, make_user_with_role
from tests.fixtures import browser_sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def reference_data(transactional_db):
    """Browser tests use transactional_db, whose flush between tests empties the reference tables."""
    from reference.loading import load
    from reference.models import Area

    if not Area.objects.exists():
        load()


def test_assessor_asks_a_question_then_qualifies_for_part_of_what_was_asked(reference_data, ui):
    provider = make_provider_user(full_name="Ana Provider")
    organisation = provider.memberships.get().organisation
    organisation.legal_name = "Two Person Charity"
    organisation.save()
    # The charity fills in its application and sends it, through the provider journey's services.
    application = make_complete_application(organisation=organisation, user=provider)
    section_save(
        application=application,
        key=SectionKey.SERVICES,
        answers={"categories": ["accommodation", "ete"], "where": "some", "areas": ["K"]},
        user=provider,
    )
    application_submit(application=application, user=provider)
    Application.objects.filter(pk=application.pk).update(submitted_at=timezone.now() - timezone.timedelta(days=3))
    assessor = make_user_with_role("assessor")
    browser_sign_in(ui, assessor)

    page = ui.goto("/join/assess/")
    expect(page.get_by_role("row", name=re.compile("Two Person Charity"))).to_contain_text("Submitted 3 days ago")
    page.get_by_role("link", name="Two Person Charity").click()
    ui.check()
    expect(page.locator("h1")).to_have_text("Two Person Charity")

    page.get_by_role("link", name="Ask a question about ‘Money and accounts’").click()
    ui.check()
    page.get_by_label("What does the organisation need to fix or explain?").fill(
        "Tell us your income for last year, in pounds."
    )
    page.get_by_role("button", name="Send question").click()
    ui.check()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "We have sent your question to Two Person Charity"
    )
    expect(page.locator("#section-finance")).to_contain_text("Waiting for the organisation")
    assert any("Tell us your income for last year" in m.body for m in mail.outbox)

    # The charity is told in the service what to fix, answers and sends the application again.
    browser_sign_in(ui, provider)
    provider_page = ui.goto("/join/application/section/finance/")
    expect(provider_page.locator(".govuk-notification-banner")).to_contain_text(
        "Tell us your income for last year, in pounds."
    )
    application.refresh_from_db()
    section_save(application=application, key=SectionKey.FINANCE, answers={"turnover": "48000.00"}, user=provider)
    application_submit(application=application, user=provider)
    browser_sign_in(ui, assessor)
    page = ui.goto(f"/join/assess/applications/{application.pk}/")
    expect(page.locator("#section-finance")).to_contain_text("Answered – to review")
    for section in application.sections.all():
        page.get_by_role("button", name=f"Accept {section.get_key_display()}").click()
        expect(page.locator(".govuk-notification-banner")).to_contain_text("You accepted")
    ui.check()

    page.get_by_role("button", name="Decide what they can bid for").click()
    ui.check()
    page.get_by_label("Accommodation in Kent, Surrey and Sussex").check()
    page.get_by_label("Where can they deliver Accommodation?").select_option(label="Only Kent")
    page.get_by_label("Why can the organisation not bid for everything it asked for?").fill(
        "You told us you work in Kent only. We could not see experience of training and employment support."
    )
    page.get_by_role("button", name="Send decision").click()
    ui.check()
    expect(page.locator("h1")).to_have_text("Decision on your application")
    expect(page.locator("main")).to_contain_text("You can bid for Accommodation in Kent.")

    assert list(Qualification.objects.values_list("organisation__legal_name", "category__code", "area__code")) == [
        ("Two Person Charity", "accommodation", "E23000032")
    ]
    decided = Application.objects.get(pk=application.pk)
    assert decided.decided_by == assessor
    letter_mail = next(m for m in mail.outbox if m.subject.startswith("Our decision"))
    assert provider.email in letter_mail.to and "You can bid for Accommodation in Kent." in letter_mail.body

    # The charity reads the letter in the service.
    browser_sign_in(ui, provider)
    page = ui.goto(f"/join/assess/applications/{application.pk}/decision-letter/")
    main = page.locator("main")
    expect(main).to_contain_text("You can bid for Accommodation in Kent.")
    expect(main).to_contain_text("Education, Training and Employment in Kent, Surrey and Sussex.")
    expect(main).to_contain_text("We could not see experience of training and employment support.")
    expect(page.get_by_role("heading", name="What happens next")).to_be_visible()


def test_public_register_filters_by_type_of_support_and_area(reference_data, ui):
    qualify(OrganisationFactory(legal_name="Kent Homes Trust", town="Canterbury"), "accommodation", "E23000032")
    qualify(OrganisationFactory(legal_name="Northern Skills"), "ete", "A")
    page = ui.goto("/join/register/")
    expect(page.locator("main")).to_contain_text("Kent Homes Trust")
    expect(page.locator("main")).to_contain_text("Northern Skills")
    page.get_by_label("Type of support").select_option(label="Accommodation")
    page.get_by_label("Area").select_option(value="E23000032")
    page.get_by_role("button", name="Show organisations").click()
    ui.check()
    expect(page.locator("main")).to_contain_text("Can bid for Accommodation in Kent.")
    expect(page.locator("main")).not_to_contain_text("Northern Skills")
