"""Evaluation pages: who may open each one (every role), and what evaluators and commissioners see."""

import pytest
from django.urls import reverse

from competitions.models import Score
from competitions.selectors.evaluation import scored_answers
from competitions.tests.evaluation_factories import (
    award_world,
    closed_competition,
    commissioner_of,
    declare,
    evaluators,
    join_competition,
    priced_bid,
    score_and_submit,
)
from competitions.tests.factories import make_bid, seal_as_sent
from tests.factories import make_user_with_role
from tests.fixtures import ALL_ROLES

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return award_world()


def _pages(world):
    c, bid = world["competition"].pk, world["winner"]
    pass_fail = bid.answers.get(question__kind="pass_fail").pk
    return {
        "hub": (reverse("competitions:evaluate", args=[c]), {"commissioner", "evaluator"}),
        "evaluators": (reverse("competitions:evaluate-evaluators", args=[c]), {"commissioner"}),
        "conflicts": (reverse("competitions:evaluate-conflicts", args=[c]), {"evaluator"}),
        "score": (reverse("competitions:evaluate-bid", args=[c, bid.pk]), {"evaluator"}),
        "pass_fail": (reverse("competitions:evaluate-pass-fail", args=[c, bid.pk, pass_fail]), {"commissioner"}),
        "moderate": (reverse("competitions:evaluate-moderate", args=[c, bid.pk]), {"commissioner"}),
        "results": (reverse("competitions:evaluate-results", args=[c]), {"commissioner"}),
    }


@pytest.mark.parametrize("role", ALL_ROLES)
def test_evaluation_page_permissions_for_every_role(client_for_role, world, role):
    """Only this competition's commissioners and evaluators; administrators are refused bid content."""
    client, user = client_for_role(role)
    if role in ("commissioner", "evaluator"):
        join_competition(world["competition"], user, role)
    for page, (path, allowed) in _pages(world).items():
        response = client.get(path)
        if role == "anonymous":
            assert response.status_code == 302 and "/account/sign-in" in response["Location"], page
        elif role in allowed:
            assert response.status_code == 200, page
        else:
            assert response.status_code == 404, page


def test_staff_of_another_competition_are_refused(client, world):
    other = closed_competition(lots=("Kent",))
    for user in (commissioner_of(other), evaluators(other)[0]):
        client.force_login(user)
        for page, (path, _) in _pages(world).items():
            assert client.get(path).status_code == 404, page


def test_conflicted_evaluator_cannot_open_that_bid(client):
    competition = closed_competition(lots=("Kent",))
    conflicted, other = priced_bid(competition, "400000"), priced_bid(competition, "300000")
    evaluator = evaluators(competition)[0]
    declare(evaluator, competition, conflicts=(conflicted,))
    client.force_login(evaluator)
    assert client.get(reverse("competitions:evaluate-bid", args=[competition.pk, conflicted.pk])).status_code == 404
    assert client.get(reverse("competitions:evaluate-bid", args=[competition.pk, other.pk])).status_code == 200
    hub = client.get(reverse("competitions:evaluate", args=[competition.pk])).content.decode()
    assert "Conflict of interest: you do not score this bid" in hub


def test_evaluator_must_declare_before_any_bid_is_listed(client):
    competition = closed_competition(lots=("Kent",))
    bid = priced_bid(competition, "400000")
    evaluator = evaluators(competition)[0]
    client.force_login(evaluator)
    hub = client.get(reverse("competitions:evaluate", args=[competition.pk])).content.decode()
    assert "Declare conflicts of interest" in hub and bid.organisation.display_name not in hub
    assert client.get(reverse("competitions:evaluate-bid", args=[competition.pk, bid.pk])).status_code == 404
    # Saying yes without details is refused, with the choice kept.
    url = reverse("competitions:evaluate-conflicts", args=[competition.pk])
    response = client.post(url, {f"conflict_{bid.pk}": "yes", f"details_{bid.pk}": ""})
    page = response.content.decode()
    assert response.status_code == 200 and "<title>Error:" in page
    assert f"Describe your conflict of interest with {bid.organisation.display_name}" in page
    assert 'value="yes" checked' in page
    response = client.post(url, {f"conflict_{bid.pk}": "no", f"details_{bid.pk}": ""})
    assert response.status_code == 302
    assert client.get(reverse("competitions:evaluate-bid", args=[competition.pk, bid.pk])).status_code == 200


def test_scoring_page_hides_other_scores_until_submitted(client):
    competition = closed_competition(lots=("Kent",))
    bid = priced_bid(competition, "400000")
    first, second = evaluators(competition)
    declare(first, competition)
    declare(second, competition)
    score_and_submit(first, bid, score=4)
    url = reverse("competitions:evaluate-bid", args=[competition.pk, bid.pk])
    client.force_login(second)
    page = client.get(url).content.decode()
    assert "Scored 4 because it is clear." not in page and first.full_name not in page
    answers = scored_answers(bid)
    data = {"action": "draft", f"score_{answers[0].pk}": "2", f"justification_{answers[0].pk}": ""}
    response = client.post(url, data)
    assert response.status_code == 200 and "Explain why you gave this score" in response.content.decode()
    assert not Score.objects.filter(evaluator=second).exists()
    data[f"justification_{answers[0].pk}"] = "Some detail missing"
    assert client.post(url, data).status_code == 302
    assert Score.objects.get(evaluator=second).submitted_at is None
    response = client.post(url, {**data, "action": "submit"})
    assert response.status_code == 200 and "Choose a score" in response.content.decode()
    full = {"action": "submit"}
    for answer in answers:
        full[f"score_{answer.pk}"] = "2"
        full[f"justification_{answer.pk}"] = "Adequate"
    assert client.post(url, full).status_code == 302
    page = client.get(url).content.decode()
    assert "Scored 4 because it is clear." in page and first.full_name in page


def test_answers_with_html_are_shown_escaped(client):
    competition = closed_competition(lots=("Kent",))
    bid = make_bid(competition, submitted=False)
    bid.answers.filter(question__number=1).update(text="<script>alert(1)</script>")
    seal_as_sent(bid, user=bid.started_by)
    evaluator = evaluators(competition)[0]
    declare(evaluator, competition)
    client.force_login(evaluator)
    page = client.get(reverse("competitions:evaluate-bid", args=[competition.pk, bid.pk])).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page


def test_commissioner_assigns_an_evaluator_through_the_page(client):
    competition = closed_competition(lots=("Kent",), evaluators=0)
    person = make_user_with_role("evaluator", full_name="Priya Evaluator")
    client.force_login(commissioner_of(competition))
    url = reverse("competitions:evaluate-evaluators", args=[competition.pk])
    response = client.post(url, {"evaluator": ""})
    assert "Choose an evaluator" in response.content.decode()
    response = client.post(url, {"evaluator": str(person.pk)}, follow=True)
    assert "Priya Evaluator is now an evaluator" in response.content.decode()


def test_results_page_states_the_tie_break_and_cap_rules(client, world):
    client.force_login(commissioner_of(world["competition"]))
    page = client.get(reverse("competitions:evaluate-results", args=[world["competition"].pk])).content.decode()
    assert "If two bids have the same total score: higher quality score wins, then the lower price" in page
    assert "no limit on how many lots" in page
    assert "80.00" in page and "70.00" in page
