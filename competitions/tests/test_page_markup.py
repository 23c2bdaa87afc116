"""Markup mistakes on the commissioner, evaluation and award pages: every page's browser title
starts with its main heading, and no markup is shown as text (a visually hidden part of a button
or link built as a string and then escaped)."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from competitions.models import CompetitionMember, OutcomeLetter
from competitions.tests.evaluation_factories import award_world, commissioner_of, evaluators
from competitions.tests.factories import make_competition
from tests.factories import make_user_with_role

pytestmark = pytest.mark.django_db


class _Texts(HTMLParser):
    """The text of <title>, of <h1>, and the visible text of each <button> (hidden spans left out)."""

    def __init__(self):
        super().__init__()
        self.title = ""
        self.h1 = ""
        self.buttons: list[str] = []
        self._in: list[str] = []
        self._hidden_depth = 0

    def handle_starttag(self, tag, attrs):
        self._in.append(tag)
        classes = dict(attrs).get("class") or ""
        if self._hidden_depth or "govuk-visually-hidden" in classes.split():
            self._hidden_depth += 1
        if tag == "button":
            self.buttons.append("")

    def handle_endtag(self, tag):
        if self._hidden_depth:
            self._hidden_depth -= 1
        if tag in self._in:
            while self._in and self._in.pop() != tag:
                pass

    def handle_data(self, data):
        if "title" in self._in:
            self.title += data
        if "h1" in self._in:
            self.h1 += data
        if "button" in self._in and not self._hidden_depth:
            self.buttons[-1] += data


def texts(html: str) -> _Texts:
    parser = _Texts()
    parser.feed(html)
    return parser


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", unescape(text)).strip()


def assert_well_formed(name: str, html: str) -> None:
    found = texts(html)
    title, h1 = squash(found.title), squash(found.h1)
    assert h1, name
    assert title.removeprefix("Error: ").startswith(h1), (name, title, h1)
    # Markup that was escaped shows on screen as "<span ...".
    assert not re.search(r"&lt;/?(span|a|strong|br|ul|li)\b", html), name


def test_the_remove_buttons_on_the_evaluators_page_read_remove_and_hide_the_escaped_name(client):
    competition = make_competition(lots=("Kent",))
    commissioner = commissioner_of(competition)
    evaluator = make_user_with_role("evaluator", full_name="Grace <b>Lee</b>")
    CompetitionMember.objects.create(competition=competition, user=evaluator, role="evaluator", added_by=commissioner)
    client.force_login(commissioner)
    html = client.get(reverse("competitions:evaluate-evaluators", args=[competition.pk])).content.decode()
    assert_well_formed("evaluators", html)
    assert "Remove" in [squash(text) for text in texts(html).buttons]
    assert '<span class="govuk-visually-hidden"> Grace &lt;b&gt;Lee&lt;/b&gt;</span>' in html


def test_the_add_a_question_page_title_starts_with_its_heading(client):
    competition = make_competition(launched=False)
    client.force_login(commissioner_of(competition))
    url = reverse("competitions:manage-question-add", args=[competition.pk])
    for response in (client.get(url), client.post(url, {"kind": "quality", "text": ""})):
        html = response.content.decode()
        assert_well_formed("question-add", html)
        assert squash(texts(html).h1) == "Add a question for bidders"
        assert competition.title not in squash(texts(html).title)


def test_every_commissioner_page_title_starts_with_its_heading(client):
    draft = make_competition(launched=False)
    draft.planned_at = None
    draft.save()
    launched = make_competition(commissioner=commissioner_of(draft))
    client.force_login(commissioner_of(draft))
    lot = draft.lots.first()
    names = [
        ("competitions:manage", []),
        ("competitions:manage-create", []),
        ("competitions:manage-detail", [draft.pk]),
        ("competitions:manage-detail", [launched.pk]),
        ("competitions:manage-details", [draft.pk]),
        ("competitions:manage-documents", [draft.pk]),
        ("competitions:manage-lot-add", [draft.pk]),
        ("competitions:manage-lot-edit", [draft.pk, lot.pk]),
        ("competitions:manage-lot-years", [draft.pk, lot.pk]),
        ("competitions:manage-contract", [draft.pk]),
        ("competitions:manage-funding-add", [draft.pk]),
        ("competitions:manage-question-add", [draft.pk]),
        ("competitions:manage-scoring", [draft.pk]),
        ("competitions:manage-timetable", [draft.pk]),
        ("competitions:manage-plan", [draft.pk]),
        ("competitions:manage-launch", [draft.pk]),
        ("competitions:manage-abandon", [draft.pk]),
        ("competitions:manage-commissioners", [draft.pk]),
        ("competitions:manage-lot-abandon", [launched.pk, launched.lots.first().pk]),
        ("competitions:manage-clarifications", [launched.pk]),
    ]
    for name, args in names:
        response = client.get(reverse(name, args=args))
        assert response.status_code == 200, name
        assert_well_formed(name, response.content.decode())


def test_every_evaluation_and_award_page_title_starts_with_its_heading(client):
    world = award_world()
    competition, bid = world["competition"], world["winner"]
    c = competition.pk
    pass_fail = bid.answers.get(question__kind="pass_fail").pk
    letter = OutcomeLetter.objects.get(bid=world["loser"], lot=world["kent"]).pk
    commissioner_pages = [
        reverse("competitions:evaluate", args=[c]),
        reverse("competitions:evaluate-evaluators", args=[c]),
        reverse("competitions:evaluate-pass-fail", args=[c, bid.pk, pass_fail]),
        reverse("competitions:evaluate-moderate", args=[c, bid.pk]),
        reverse("competitions:evaluate-results", args=[c]),
        reverse("competitions:award", args=[c]),
        reverse("competitions:award-approve", args=[c, world["kent"].pk]),
        reverse("competitions:award-challenge", args=[c, world["kent"].pk]),
        reverse("competitions:award-challenge-resolve", args=[c, world["surrey"].pk]),
        reverse("competitions:award-direct", args=[c, world["kent"].pk]),
        reverse("competitions:award-letters", args=[c]),
        reverse("competitions:award-letter", args=[c, letter]),
    ]
    client.force_login(commissioner_of(competition))
    for path in commissioner_pages:
        response = client.get(path)
        assert response.status_code == 200, path
        assert_well_formed(path, response.content.decode())
    client.force_login(evaluators(competition)[0])
    for path in (
        reverse("competitions:evaluator-home"),
        reverse("competitions:evaluate", args=[c]),
        reverse("competitions:evaluate-conflicts", args=[c]),
        reverse("competitions:evaluate-bid", args=[c, bid.pk]),
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_well_formed(path, response.content.decode())
