"""Issue 9.4: the pages that take a bid id answer the same 404 for an id that is of no bid, a draft,
a withdrawn bid, another competition's bid, or a sent bid the user may not read — for every role,
before and after the closing date — so nobody can count the bids that are in, or see one withdrawn.
Pages about a whole competition or its lots refuse with the same 404 as well."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from competitions.models import BidAnswer, CompetitionMember, ConflictDeclaration
from competitions.tests.evaluation_factories import close_bidding, evaluators
from competitions.tests.factories import make_bid, make_competition
from tests.fixtures import ALL_ROLES

pytestmark = pytest.mark.django_db

BID_PAGES = ["evaluate-bid", "evaluate-pass-fail", "evaluate-moderate", "bid-view", "bid-document"]


@pytest.fixture
def ids():
    competition = make_competition(evaluators=2)
    other = make_competition(evaluators=2)
    sent = make_bid(competition)
    draft = make_bid(competition, submitted=False)
    withdrawn = make_bid(competition)
    withdrawn.withdrawn_at = timezone.now()
    withdrawn.save(update_fields=["withdrawn_at"])
    elsewhere = make_bid(other)
    return competition, {
        "sent": sent.pk,
        "draft": draft.pk,
        "withdrawn": withdrawn.pk,
        "another competition's": elsewhere.pk,
        "no bid": max(sent.pk, draft.pk, withdrawn.pk, elsewhere.pk) + 1000,
    }


def _url(page: str, competition_id: int, bid_id: int) -> str:
    answer = BidAnswer.objects.filter(bid_id=bid_id, question__kind="pass_fail").values_list("pk", flat=True).first()
    args = {
        "evaluate-pass-fail": [competition_id, bid_id, answer or 1],
        "bid-document": [competition_id, bid_id, 1],
    }.get(page, [competition_id, bid_id])
    return reverse(f"competitions:{page}", args=args)


def _not_found_body(response) -> str:
    return response.content.decode().split('<main class="govuk-main-wrapper"')[-1].split("</main>")[0]


def _assert_all_the_same_404(client, competition, ids, *, except_sent: bool = False):
    bodies = set()
    for page in BID_PAGES:
        for kind, bid_id in ids.items():
            if except_sent and kind == "sent":
                continue
            response = client.get(_url(page, competition.pk, bid_id))
            assert response.status_code == 404, (page, kind, response.status_code)
            bodies.add(_not_found_body(response))
    assert len(bodies) == 1, "every refusal must be the same page"


@pytest.mark.parametrize("closed", [False, True], ids=["before-deadline", "after-deadline"])
@pytest.mark.parametrize("role", [role for role in ALL_ROLES if role != "anonymous"])
def test_every_role_outside_the_competition_gets_the_same_404_for_every_bid_id(client_for_role, ids, role, closed):
    competition, bid_ids = ids
    if closed:
        close_bidding(competition)
    client, _user = client_for_role(role)
    _assert_all_the_same_404(client, competition, bid_ids)


def test_anonymous_visitors_are_sent_to_sign_in_whatever_the_id(client, ids):
    competition, bid_ids = ids
    for page in BID_PAGES:
        locations = {client.get(_url(page, competition.pk, bid_id)).status_code for bid_id in bid_ids.values()}
        assert locations == {302}


@pytest.mark.parametrize("role", ["commissioner", "evaluator"])
def test_the_competitions_own_team_gets_the_same_404_before_the_deadline(client_for_role, ids, role):
    """Before the closing date a sent bid looks exactly like no bid, even to the competition's team."""
    competition, bid_ids = ids
    client, user = client_for_role(role)
    commissioner = competition.members.get(role="commissioner").user
    CompetitionMember.objects.create(competition=competition, user=user, role=role, added_by=commissioner)
    if role == "evaluator":  # cleared for the sent bid already: still sealed until the deadline
        ConflictDeclaration.objects.create(
            competition=competition, evaluator=user, bid_id=bid_ids["sent"], has_conflict=False
        )
    _assert_all_the_same_404(client, competition, bid_ids)


def test_after_the_deadline_the_team_reads_only_the_sent_bid_and_404s_the_rest(client, ids):
    competition, bid_ids = ids
    close_bidding(competition)
    commissioner = competition.members.get(role="commissioner").user
    client.force_login(commissioner)
    for page in ("evaluate-pass-fail", "evaluate-moderate", "bid-view"):
        assert client.get(_url(page, competition.pk, bid_ids["sent"])).status_code == 200, page
    _assert_all_the_same_404(client, competition, bid_ids, except_sent=True)
    # Commissioners do not score: the scoring page is the same 404 for the sent bid too.
    assert client.get(_url("evaluate-bid", competition.pk, bid_ids["sent"])).status_code == 404


def test_an_evaluator_reads_a_sent_bid_only_once_cleared_and_404s_the_rest(client, ids):
    competition, bid_ids = ids
    close_bidding(competition)
    evaluator = evaluators(competition)[0]
    client.force_login(evaluator)
    assert client.get(_url("evaluate-bid", competition.pk, bid_ids["sent"])).status_code == 404  # not declared
    ConflictDeclaration.objects.create(
        competition=competition, evaluator=evaluator, bid_id=bid_ids["sent"], has_conflict=False
    )
    assert client.get(_url("evaluate-bid", competition.pk, bid_ids["sent"])).status_code == 200
    assert client.get(_url("bid-view", competition.pk, bid_ids["sent"])).status_code == 200
    _assert_all_the_same_404(client, competition, bid_ids, except_sent=True)
    # Pass/fail and moderation are the commissioners' pages.
    for page in ("evaluate-pass-fail", "evaluate-moderate"):
        assert client.get(_url(page, competition.pk, bid_ids["sent"])).status_code == 404


def test_a_member_of_the_bidder_gets_its_own_bid_and_the_same_404_for_any_other(client, ids):
    competition, bid_ids = ids
    from competitions.models import Bid

    own = Bid.objects.get(pk=bid_ids["sent"])
    client.force_login(own.started_by)
    assert client.get(_url("bid-view", competition.pk, own.pk)).status_code == 200
    others = {kind: pk for kind, pk in bid_ids.items() if kind != "sent"}
    _assert_all_the_same_404(client, competition, others)
    for page in ("evaluate-bid", "evaluate-pass-fail", "evaluate-moderate"):
        assert client.get(_url(page, competition.pk, own.pk)).status_code == 404


@pytest.mark.parametrize("role", [role for role in ALL_ROLES if role not in ("anonymous",)])
def test_competition_pages_refuse_with_404_not_403(client_for_role, role):
    competition = close_bidding(make_competition(evaluators=2))
    lot = competition.lots.first()
    client, _user = client_for_role(role)
    c = competition.pk
    for name, args in (
        ("evaluate", [c]),
        ("evaluate-evaluators", [c]),
        ("evaluate-conflicts", [c]),
        ("evaluate-results", [c]),
        ("award", [c]),
        ("award-approve", [c, lot.pk]),
        ("award-challenge", [c, lot.pk]),
        ("award-challenge-resolve", [c, lot.pk]),
        ("award-direct", [c, lot.pk]),
        ("award-letters", [c]),
        ("award-letter", [c, 1]),
    ):
        assert client.get(reverse(f"competitions:{name}", args=args)).status_code == 404, name
