"""In a real browser, every page checked with axe: the prime's referral manager finds a new referral
by its case reference number from the inbox (a malformed one first) and chooses a caseworker; the caseworker books the first assessment and says the
person came, writes the action plan (a mistake first, which the page explains) and sends it; once
the practitioner approves it (through the service: their pages are built apart) records two
sessions, then writes the end-of-service report outcome by outcome and sends it. The organisation's
administrator makes a colleague a referral manager."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from core.clock import LONDON
from referrals import rules, services
from referrals.models import Referral, ReferralManager
from referrals.tests.factories import referral_world, sent_referral
from referrals.tests.test_provider_pages import sent_days_ago
from tests.fixtures import browser_sign_in


def _fill_when(page, moment: datetime.datetime) -> None:
    local = moment.astimezone(LONDON)
    page.get_by_label("Day", exact=True).fill(str(local.day))
    page.get_by_label("Month", exact=True).fill(str(local.month))
    page.get_by_label("Year", exact=True).fill(str(local.year))
    page.get_by_label("Time", exact=True).fill(f"{local.hour}:{local.minute:02d}")


@pytest.mark.django_db(transaction=True)
def test_a_provider_delivers_a_referral_from_the_inbox_to_the_report(ui):
    world = referral_world()
    referral = sent_days_ago(sent_referral(world), days=3)
    caseworker = world["caseworker"]

    # The referral manager: the inbox, the referral, a caseworker chosen.
    browser_sign_in(ui, world["manager"])
    page = ui.goto("/help/")
    page.get_by_role("link", name="Referrals", exact=True).click()
    ui.check()
    # A case reference number in the wrong format, then found.
    page.get_by_label("Case reference number (CRN)").fill("123456")
    page.get_by_role("button", name="Find referrals").click()
    ui.check()
    assert page.get_by_role("link", name="Enter a case reference number in the correct format").is_visible()
    page.get_by_label("Case reference number (CRN)").fill("x123456")
    page.get_by_role("button", name="Find referrals").click()
    ui.check()
    page.get_by_role("link", name=referral.reference).click()
    ui.check()
    assert page.get_by_text("Alexandra Quistwhistle").is_visible()
    page.get_by_role("link", name="Choose caseworker").click()
    ui.check()
    page.get_by_role("button", name="Save").click()
    ui.check()
    assert page.get_by_role("link", name="Select a caseworker").is_visible()
    page.get_by_label(caseworker.full_name).check()
    page.get_by_role("button", name="Save").click()
    ui.check()
    assert page.get_by_text(f"{caseworker.full_name} is now the caseworker").is_visible()

    # The caseworker: the first assessment, and whether the person came.
    browser_sign_in(ui, caseworker)
    page = ui.goto("/provider/referrals/?show=in-progress")
    page.get_by_role("link", name=referral.reference).click()
    ui.check()
    page.get_by_role("link", name="Book the first assessment").click()
    ui.check()
    _fill_when(page, timezone.now() - datetime.timedelta(days=2))
    page.get_by_label("How long will it last, in minutes?").fill("5")
    page.get_by_label("Phone call").check()
    page.get_by_role("button", name="Book").click()
    ui.check()
    assert page.get_by_role("link", name="It must last at least 15 minutes").is_visible()
    page.get_by_label("How long will it last, in minutes?").fill("60")
    page.get_by_role("button", name="Book").click()
    ui.check()
    page.get_by_role("link", name="Record whether they came").click()
    ui.check()
    page.get_by_label("Came on time").check()
    page.get_by_role("button", name="Save").click()
    ui.check()

    # The action plan: a number out of bounds first, then sent.
    page.get_by_role("link", name="Write the action plan").click()
    ui.check()
    page.get_by_label("How many sessions will there be?").fill("500")
    for box in page.get_by_label("What will you do to help with", exact=False).all():
        box.fill("Meet each week to look at the options")
    page.get_by_role("button", name="Save and continue").click()
    ui.check()
    assert page.get_by_role("link", name="There can be no more than 100 sessions").is_visible()
    page.get_by_label("How many sessions will there be?").fill("6")
    page.get_by_role("button", name="Save and continue").click()
    ui.check()
    page.get_by_role("button", name="Send to the practitioner").click()
    ui.check()
    assert page.get_by_text("Action plan sent to the practitioner to approve").is_visible()
    services.action_plan_approve(actor=world["practitioner"], referral=referral, version=1)

    # Sessions: one attended, one missed.
    page = ui.goto(f"/provider/referrals/{referral.pk}/")
    for attendance, engagement in (("Came late", "Took part well"), ("Did not come", None)):
        page.get_by_role("link", name="Record a session").click()
        ui.check()
        _fill_when(page, timezone.now() - datetime.timedelta(days=1))
        page.get_by_label(attendance).check()
        if engagement:
            page.get_by_label(engagement).check()
            page.get_by_label("Notes (optional)").fill("Talked about housing options")
        else:
            page.get_by_label("Tell the practitioner about this session").check()
        page.get_by_role("button", name="Save").click()
        ui.check()
    assert page.get_by_text("Session 2 recorded").is_visible()

    # The end-of-service report, outcome by outcome.
    page.get_by_role("link", name="Write the report").click()
    ui.check()
    while page.get_by_role("link", name="Answer").count():
        page.get_by_role("link", name="Answer").first.click()
        ui.check()
        page.get_by_label("Partly achieved").check()
        page.get_by_role("button", name="Save and continue").click()
        ui.check()
    page.get_by_role("link", name="Change anything else").click()
    ui.check()
    page.get_by_label("Anything else the practitioner should know? (optional)").fill("Keep in touch with the council")
    page.get_by_role("button", name="Save and continue").click()
    ui.check()
    page.get_by_role("button", name="Send the report").click()
    ui.check()
    assert page.get_by_text("End-of-service report sent to the practitioner").is_visible()
    assert Referral.objects.get(pk=referral.pk).status == rules.COMPLETED

    # The administrator makes the caseworker a referral manager.
    browser_sign_in(ui, world["admin"])
    page = ui.goto("/provider/referrals/managers/")
    # The visually hidden name is a block of its own to the browser: "Make a manager : name".
    page.get_by_role("button", name=re.compile(f"^Make a manager.*{re.escape(caseworker.full_name)}$")).click()
    ui.check()
    assert ReferralManager.objects.filter(membership__user=caseworker, revoked_at__isnull=True).exists()
    page = ui.goto("/provider/referrals/?show=ended")
    assert page.get_by_role("link", name=referral.reference).is_visible()


@pytest.mark.django_db(transaction=True)
def test_the_prime_gives_the_work_to_a_partner_and_takes_it_back(ui):
    world = referral_world()
    referral = sent_referral(world)

    # The prime's referral manager gives the work to the partner.
    browser_sign_in(ui, world["manager"])
    page = ui.goto(f"/provider/referrals/{referral.pk}/")
    page.get_by_role("link", name="Change organisation").click()
    ui.check()
    page.get_by_label("Partner Charity").check()
    page.get_by_role("button", name="Save").click()
    ui.check()
    assert page.get_by_text("The work is now with Partner Charity").is_visible()
    services.referral_assign(actor=world["partner_admin"], referral=referral, caseworker=world["partner_caseworker"])

    # Then takes it back, after reading what that means.
    page = ui.goto(f"/provider/referrals/{referral.pk}/")
    page.get_by_role("link", name="Take back the work").click()
    ui.check()
    assert page.get_by_role("heading", name="Take the work back from Partner Charity?").is_visible()
    page.get_by_role("button", name="Take the work back").click()
    ui.check()
    assert page.get_by_text("You took the work back from Partner Charity. Choose a caseworker").is_visible()
    referral.refresh_from_db()
    assert referral.provider_id == world["prime"].pk and referral.status == rules.ASSIGNED
