"""In a real browser, every page checked with axe: a practitioner starts a referral from a contract,
fills in the draft page by page, checks the answers, sends it and reads the confirmation; follows
it, approves the provider's action plan, reads a session and the end-of-service report; and
cancels another referral."""

import pytest

from audit.models import AuditEvent
from referrals import services
from referrals.models import Referral
from referrals.tests.factories import assigned_referral, outcome_ids, referral_world, sent_referral
from tests.fixtures import browser_sign_in


@pytest.mark.django_db(transaction=True)
def test_a_practitioner_refers_someone_and_follows_the_referral(ui):
    world = referral_world()
    contract = world["contract"]
    browser_sign_in(ui, world["practitioner"])
    page = ui.goto(f"/referrals/start/{contract.pk}/")
    ui.check()
    page.get_by_role("button", name="Start a referral").click()
    ui.check()
    # An error first: a CRN in the wrong format.
    page.get_by_label("Case reference number (CRN)").fill("12345")
    page.get_by_label("First name").fill("Alexandra")
    page.get_by_label("Last name").fill("Quistwhistle")
    page.get_by_label("Day", exact=True).fill("1")
    page.get_by_label("Month", exact=True).fill("4")
    page.get_by_label("Year", exact=True).fill("1990")
    page.get_by_label("Female", exact=True).check()
    page.get_by_role("button", name="Save and continue").click()
    ui.check()
    assert page.get_by_text("Enter a case reference number in the correct format, like X123456").first.is_visible()
    page.get_by_label("Case reference number (CRN)").fill("x123456")
    page.get_by_role("button", name="Save and continue").click()
    ui.check()
    page.get_by_label("No").check()
    page.get_by_role("button", name="Save and continue").click()
    ui.check()
    page.get_by_label("Community order").check()
    page.get_by_label("Day", exact=True).fill("1")
    page.get_by_label("Month", exact=True).fill("1")
    page.get_by_label("Year", exact=True).fill("2030")
    page.get_by_label("Most Rehabilitation Activity Requirement (RAR) days the provider may use").fill("10")
    page.get_by_role("button", name="Save and continue").click()
    ui.check()
    page.locator("input[type=checkbox]").first.check()
    page.locator("input[type=radio]").first.check()
    page.get_by_role("button", name="Save and continue").click()
    ui.check()
    page.get_by_label("Summary of risks").fill("Low risk to staff")
    page.get_by_label("Day", exact=True).fill("1")
    page.get_by_label("Month", exact=True).fill("6")
    page.get_by_label("Year", exact=True).fill("2029")
    page.get_by_role("button", name="Save and continue").click()
    ui.check()
    assert page.get_by_role("heading", name="Check your answers before sending the referral").is_visible()
    assert page.get_by_text("X123456").is_visible()
    page.get_by_role("button", name="Send referral").click()
    ui.check()
    referral = Referral.objects.get(created_by=world["practitioner"])
    assert page.get_by_text(referral.reference).is_visible()
    page.locator("#main-content").get_by_role("link", name="Your referrals").click()
    ui.check()
    assert page.get_by_role("link", name=referral.reference).is_visible()

    # The provider assigns it, plans, and the practitioner approves the plan.
    services.referral_assign(actor=world["manager"], referral=referral, caseworker=world["caseworker"])
    ids = outcome_ids(referral)
    services.action_plan_save(
        actor=world["caseworker"],
        referral=referral,
        number_of_sessions=4,
        activities=[(ids[0], "Weekly housing advice")],
    )
    services.action_plan_submit(actor=world["caseworker"], referral=referral)
    page.get_by_role("link", name=referral.reference).click()
    ui.check()
    page.get_by_role("button", name="Approve action plan").click()
    ui.check()
    assert page.get_by_text("Action plan approved").first.is_visible()
    referral.refresh_from_db()
    services.session_record(
        actor=world["caseworker"], referral=referral, happened_at=referral.sent_at, attendance="attended",
        engagement="good", notes="Went through housing options",
    )  # fmt: skip
    services.report_save(actor=world["caseworker"], referral=referral, outcomes={ids[0]: ("achieved", "Found a flat")})
    services.report_send(actor=world["caseworker"], referral=referral)
    page.reload()
    ui.check()
    assert page.get_by_text("Found a flat").is_visible()
    assert page.get_by_text("Went through housing options").is_visible()
    assert AuditEvent.objects.filter(action="referral.personal_data_read", object_id=str(referral.pk)).count() >= 3


@pytest.mark.django_db(transaction=True)
def test_a_practitioner_cancels_a_referral_and_ends_another(ui):
    world = referral_world()
    waiting = sent_referral(world)
    browser_sign_in(ui, world["practitioner"])
    page = ui.goto(f"/referrals/{waiting.pk}/")
    ui.check()
    page.get_by_role("link", name="Cancel this referral").click()
    ui.check()
    page.get_by_role("button", name="Cancel referral").click()
    ui.check()
    assert page.get_by_text("Select why you are cancelling the referral").first.is_visible()
    page.get_by_label("It was sent by mistake").check()
    page.get_by_role("button", name="Cancel referral").click()
    ui.check()
    assert page.get_by_text("Referral cancelled").first.is_visible()

    started = assigned_referral(world)
    ids = outcome_ids(started)
    services.action_plan_save(
        actor=world["caseworker"], referral=started, number_of_sessions=2, activities=[(ids[0], "Advice")]
    )
    services.action_plan_submit(actor=world["caseworker"], referral=started)
    services.action_plan_approve(actor=world["practitioner"], referral=started, version=1)
    page = ui.goto(f"/referrals/{started.pk}/")
    page.get_by_role("link", name="End this referral early").click()
    ui.check()
    page.get_by_label("The person moved out of the area").check()
    page.get_by_role("button", name="End referral").click()
    ui.check()
    assert page.get_by_text("Ended early").first.is_visible()
