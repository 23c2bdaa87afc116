"""Plain English (Flesch–Kincaid grade 8 or below): the e-mails providers and practitioners get
about referrals, the start page, and what the privacy notice says to a person who is referred."""

from __future__ import annotations

import re
from html import unescape

import pytest
import textstat
from django.core import mail

from referrals.tests.factories import delivered_referral, referral_world

pytestmark = pytest.mark.django_db
MAX_GRADE = 8


def _text(html: str) -> str:
    blocks = re.findall(r"<(p|li|h1|h2)\b[^>]*>(.*?)</\1>", html, re.S)
    sentences = [" ".join(unescape(re.sub(r"<[^>]+>", " ", body)).split()) for _, body in blocks]
    return " ".join(s if s.endswith((".", ":", "?", "!")) else s + "." for s in sentences if s)


def test_the_emails_read_at_grade_8_or_below():
    mail.outbox.clear()
    delivered_referral(referral_world())
    assert mail.outbox
    for message in mail.outbox:
        # The link and the service's name under the message are not sentences to read.
        body = re.sub(r"https?://\S+", "the link.", message.body).replace("Commission probation services", "")
        assert textstat.flesch_kincaid_grade(body) <= MAX_GRADE, body


def test_the_start_page_and_the_privacy_notice_read_at_grade_8_or_below(client):
    world = referral_world()
    client.force_login(world["practitioner"])
    start = client.get(f"/referrals/start/{world['contract'].pk}/").content.decode()
    main = start[start.index("<main") :]
    assert textstat.flesch_kincaid_grade(_text(main)) <= MAX_GRADE, _text(main)
    privacy = client.get("/privacy/").content.decode()
    part = privacy[privacy.index("If you are referred") : privacy.index("Why we collect it")]
    text = _text("<h2>" + part + "</h2>")
    assert textstat.flesch_kincaid_grade(text) <= MAX_GRADE, text
