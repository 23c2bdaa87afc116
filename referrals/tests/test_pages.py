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
