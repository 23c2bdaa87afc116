"""The practitioner's list stays at a fixed number of queries however many referrals there are, and
shows no personal details (so reading it needs no audit event per referral)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from referrals.tests.factories import PERSON, complete_draft, referral_world, sent_referral

pytestmark = pytest.mark.django_db


def test_your_referrals_is_a_fixed_number_of_queries(client):
    world = referral_world()
    client.force_login(world["practitioner"])
    sent_referral(world)
    with CaptureQueriesContext(connection) as few:
        first = client.get(reverse("referrals:list"))
    for _ in range(4):
        complete_draft(world)
    sent_referral(world)
    with CaptureQueriesContext(connection) as more:
        second = client.get(reverse("referrals:list"))
    assert first.status_code == second.status_code == 200
    assert len(few) == len(more)
    assert second.content.decode().count("govuk-tag") >= 6
    assert PERSON["last_name"] not in second.content.decode()


def test_a_page_number_out_of_range_is_not_found(client):
    world = referral_world()
    client.force_login(world["practitioner"])
    assert client.get(reverse("referrals:list") + "?page=99").status_code == 404
    assert client.get(reverse("referrals:list") + "?page=abc").status_code == 404


def test_a_date_of_birth_in_the_future_is_a_govuk_error_and_nothing_is_saved(client):
    import datetime

    from referrals.models import Referral

    world = referral_world()
    draft = complete_draft(world)
    client.force_login(world["practitioner"])
    future = datetime.date.today() + datetime.timedelta(days=30)
    response = client.post(
        reverse("referrals:person", args=[draft.pk]),
        {
            "crn": "X654321",
            "first_name": "Sam",
            "last_name": "Other",
            "date_of_birth-day": future.day,
            "date_of_birth-month": future.month,
            "date_of_birth-year": future.year,
            "sex": "male",
        },
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "There is a problem" in text and "The date of birth must be in the past" in text
    assert Referral.objects.get(pk=draft.pk).first_name == PERSON["first_name"]


def test_administrators_edit_outcomes_in_the_admin_and_it_is_audited(client, user_for_role):
    from audit.models import AuditEvent
    from referrals.models import DesiredOutcome

    client.force_login(user_for_role("administrator", is_staff=True))
    outcome = DesiredOutcome.objects.first()
    url = reverse("admin:referrals_desiredoutcome_change", args=[outcome.pk])
    response = client.post(url, {"description": "Find a safe home", "display_order": 1, "active": "on"})
    assert response.status_code == 302, response.content.decode()[:2000]
    outcome.refresh_from_db()
    assert outcome.description == "Find a safe home"
    event = AuditEvent.objects.get(action="admin.changed", object_id=str(outcome.pk))
    assert event.after["description"] == "Find a safe home"


def test_the_admin_has_no_referral_or_personal_data():
    from django.contrib import admin

    from referrals.models import Referral

    registered = {model._meta.label for model in admin.site._registry}
    assert Referral._meta.label not in registered
    assert {label for label in registered if label.startswith("referrals.")} == {
        "referrals.DesiredOutcome",
        "referrals.ComplexityLevel",
    }
