"""Deadline reminders: 3 working days before the closing date, once, only to those who have not bid."""

import datetime

import pytest
from django.core import mail

from competitions.tasks import reminder_due_from, send_deadline_reminders
from competitions.tests.factories import invite, make_bid, make_competition
from core.clock import LONDON

pytestmark = pytest.mark.django_db


def test_reminds_once_only_those_who_have_not_submitted():
    competition = make_competition(closes_in=datetime.timedelta(days=1))
    waiting = invite(competition).organisation
    done = make_bid(competition).organisation
    draft = make_bid(competition, submitted=False).organisation
    partner = invite(competition, kind="partner").organisation
    far = make_competition(closes_in=datetime.timedelta(days=30))
    invite(far)

    send_deadline_reminders.enqueue()
    told = {m.to[0] for m in mail.outbox}
    assert waiting.contact_email in told and draft.contact_email in told
    assert done.contact_email not in told and partner.contact_email not in told
    assert len(told) == 3  # both contact addresses and the member who started the draft bid
    assert all("Closing soon" in m.subject for m in mail.outbox)

    mail.outbox.clear()
    send_deadline_reminders.enqueue()
    assert mail.outbox == []


def test_reminder_is_due_from_the_start_of_the_third_working_day_before_closing():
    # Closing Friday 5 March 2027, 5pm: due from midnight at the start of Tuesday 2 March.
    closes = datetime.datetime(2027, 3, 5, 17, 0, tzinfo=LONDON)
    assert reminder_due_from(closes).astimezone(LONDON) == datetime.datetime(2027, 3, 2, 0, 0, tzinfo=LONDON)
    # Over Easter 2027 (Good Friday 26 March, Easter Monday 29 March): closing Wednesday 31 March.
    closes = datetime.datetime(2027, 3, 31, 12, 0, tzinfo=LONDON)
    assert reminder_due_from(closes).astimezone(LONDON).date() == datetime.date(2027, 3, 24)
