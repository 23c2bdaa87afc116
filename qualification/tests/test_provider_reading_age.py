"""Plain English: every page of the provider journey reads at grade 9 or below (Flesch–Kincaid),
measured on the words a provider reads there (headings, guidance, questions, hints, links)."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
import textstat
from django.urls import reverse
from django.utils import timezone

from qualification.models import ApplicationSection, SectionKey
from qualification.tests.factories import (
    ApplicationFactory,
    DeclarationConfirmationFactory,
    InterestFactory,
    QualificationFactory,
    make_complete_application,
)
from tests.factories import make_provider_user

pytestmark = pytest.mark.django_db

MAX_GRADE = 9
BLOCKS = {
    "p",
    "li",
    "h1",
    "h2",
    "h3",
    "legend",
    "label",
    "div",
    "span",
    "dt",
    "dd",
    "strong",
    "a",
    "button",
    "td",
    "th",
}
# Values typed by the provider, and the site-wide header and footer, are not this journey's guidance.
SKIP = {"dd", "option", "script", "style", "textarea", "select"}


class _GuidanceText(HTMLParser):
    def __init__(self):
        super().__init__()
        self.in_main = False
        self.skip_depth = 0
        self.segments: list[str] = []
        self.current: list[str] = []

    def _flush(self):
        text = " ".join("".join(self.current).split())
        if text:
            self.segments.append(text)
        self.current = []

    def handle_starttag(self, tag, attrs):
        if tag == "main":
            self.in_main = True
        if tag in SKIP:
            self.skip_depth += 1
        if tag in BLOCKS:
            self._flush()

    def handle_endtag(self, tag):
        if tag in SKIP:
            self.skip_depth -= 1
        if tag in BLOCKS:
            self._flush()
        if tag == "main":
            self._flush()
            self.in_main = False

    def handle_data(self, data):
        if self.in_main and not self.skip_depth:
            self.current.append(data)


def guidance_text(html: str) -> str:
    parser = _GuidanceText()
    parser.feed(html)
    sentences = [s if s[-1] in ".?!:" else s + "." for s in parser.segments]
    return " ".join(sentences)


def pages_for_a_provider(client):
    """Every provider page, rendered as a provider would meet it."""
    urls = []
    user = make_provider_user()
    organisation = user.memberships.get().organisation
    client.force_login(user)
    interest_page = client.get(reverse("qualification:interest")).content.decode()
    InterestFactory(organisation=organisation, registered_by=user)
    application = ApplicationFactory(organisation=organisation, started_by=user)
    urls += [reverse("qualification:application")]
    urls += [reverse("qualification:section", kwargs={"key": k}) for k in SectionKey.values if k != "services"]
    urls += [
        reverse("qualification:services-categories"),
        reverse("qualification:services-where"),
        reverse("qualification:services-areas"),
        reverse("qualification:services-council-area"),
        reverse("qualification:services-councils", kwargs={"code": "E23000032"}),
        reverse("qualification:services-check"),
        reverse("qualification:check"),
        reverse("qualification:help-request"),
        reverse("qualification:help-sent"),
        reverse("qualification:organisation"),
    ]
    return user, organisation, application, urls, interest_page


def test_every_provider_page_reads_at_grade_9_or_below(client):
    pages: dict[str, str] = {}
    # Public pages first.
    for url in [reverse("qualification:start"), reverse("qualification:register", args=["you"])]:
        pages[url] = client.get(url).content.decode()
    session_steps = [
        ("you", {"full_name": "Sam", "email": "sam@example.org", "password": "correct horse battery staple"}),
        (
            "organisation",
            {"legal_name": "Hope", "organisation_type": "registered_charity", "charity_number": "1123456"},
        ),
        ("size", {"staff_band": "under_10", "turnover_band": "up_to_2m"}),
        (
            "address",
            {"address_line_1": "1 High St", "town": "Dover", "postcode": "CT16 1AA", "contact_email": "a@b.org"},
        ),
    ]
    for step, data in session_steps:
        url = reverse("qualification:register", args=[step])
        pages[url] = client.get(url).content.decode()
        assert client.post(url, data).status_code == 302
    url = reverse("qualification:register-check")
    pages[url] = client.get(url).content.decode()

    user, organisation, application, urls, pages["interest"] = pages_for_a_provider(client)
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        pages[url] = response.content.decode()
    # A question from an assessor, the locked page, the confirmation, and life after a decision.
    application.delete()
    done = make_complete_application(organisation=organisation, user=user)
    ApplicationSection.objects.filter(application=done, key="insurance").update(
        clarification_requested_at=timezone.now(), clarification_question="How much cover?"
    )
    pages["question"] = client.get(reverse("qualification:section", kwargs={"key": "insurance"})).content.decode()
    ApplicationSection.objects.filter(application=done).update(clarification_requested_at=None)
    client.post(reverse("qualification:check"))
    pages["sent"] = client.get(reverse("qualification:submitted")).content.decode()
    pages["locked"] = client.get(reverse("qualification:section", kwargs={"key": "about"})).content.decode()
    done.refresh_from_db()
    assert done.submitted_at is not None
    done.decided_at = timezone.now()
    done.decided_by = user
    done.save()
    QualificationFactory(organisation=organisation)
    DeclarationConfirmationFactory(
        organisation=organisation, confirmed_at=timezone.now() - timezone.timedelta(days=350)
    )
    pages["qualifications"] = client.get(reverse("qualification:qualifications")).content.decode()
    pages["declaration"] = client.get(reverse("qualification:declaration")).content.decode()

    grades = {name: textstat.flesch_kincaid_grade(guidance_text(html)) for name, html in pages.items()}
    too_hard = {name: grade for name, grade in grades.items() if grade > MAX_GRADE}
    assert not too_hard, f"Pages above grade {MAX_GRADE}: {too_hard}"
    assert len(pages) >= 28


def test_the_measure_catches_hard_words():
    hard = (
        "<main><p>Organisations must demonstrate comprehensive organisational resilience, notwithstanding "
        "contractual obligations and regulatory considerations applicable to commissioning authorities.</p></main>"
    )
    assert textstat.flesch_kincaid_grade(guidance_text(hard)) > MAX_GRADE
    assert guidance_text("<main><dl><dt>Name</dt><dd>Typed by the user</dd></dl></main>") == "Name."
