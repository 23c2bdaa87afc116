"""Links between competition pages are built with plain `reverse`/`url()`: a wrong URL name or
argument fails loudly (and fails these tests) instead of the link quietly disappearing."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.urls import reverse

from competitions.tests.evaluation_factories import closed_competition, declare, evaluators, priced_bid
from competitions.tests.factories import invite, make_competition
from tests.factories import make_provider_user

pytestmark = pytest.mark.django_db
COMPETITIONS = Path(__file__).resolve().parent.parent


def test_opportunity_page_links_to_its_questions_and_answers(client):
    competition = make_competition()
    user = make_provider_user()
    invite(competition, user.memberships.get().organisation)
    client.force_login(user)
    page = client.get(reverse("competitions:opportunity", kwargs={"competition_id": competition.pk})).content.decode()
    assert f'href="{reverse("competitions:clarifications", kwargs={"pk": competition.pk})}"' in page


def test_scoring_page_links_to_the_whole_bid(client):
    competition = closed_competition(lots=("Kent",))
    bid = priced_bid(competition, "400000")
    evaluator = evaluators(competition)[0]
    declare(evaluator, competition)
    client.force_login(evaluator)
    page = client.get(reverse("competitions:evaluate-bid", args=[competition.pk, bid.pk])).content.decode()
    assert f'href="{reverse("competitions:bid-view", args=[competition.pk, bid.pk])}"' in page


def test_no_competition_code_hides_a_missing_url():
    """No `except NoReverseMatch` anywhere in the app's code: a link that cannot be built is a bug."""
    offenders = []
    for path in COMPETITIONS.rglob("*.py"):
        if "tests" in path.relative_to(COMPETITIONS).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.ExceptHandler)
                and node.type is not None
                and "NoReverseMatch" in ast.dump(node.type)
            ):
                offenders.append(f"{path.relative_to(COMPETITIONS)}:{node.lineno}")
    assert not offenders, offenders
