"""Sending twice at once (two tabs, a double click that got through): the row lock makes the second
send wait for the first and then find the referral sent, so it is sent once, with one reference
number, one audit event and one e-mail to each referral manager. On PostgreSQL, two real threads;
SQLite has one writer at a time, so the race is only shown there."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from audit.models import AuditEvent
from referrals import services
from referrals.models import Referral
from referrals.tests.factories import complete_draft, referral_world

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks exist only on PostgreSQL")


@pytest.mark.django_db(transaction=True)
def test_two_sends_at_once_send_it_once():
    world = referral_world()
    draft = complete_draft(world)
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def send() -> None:
        try:
            start.wait(timeout=30)
            services.referral_send(actor=world["practitioner"], referral=Referral.objects.get(pk=draft.pk))
            outcomes.append("sent")
        except ValidationError as error:
            outcomes.append(" ".join(error.messages))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["This referral has already been sent", "sent"]
    assert AuditEvent.objects.filter(action="referral.sent", object_id=str(draft.pk)).count() == 1
