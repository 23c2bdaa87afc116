"""Evaluation services: evaluators, conflicts, independent scores, pass/fail and moderation."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AuditEvent
from competitions.models import ConflictDeclaration, Score
from competitions.permissions import can_read_bid
from competitions.permissions_evaluation import can_score_bid, can_see_all_scores, evaluation_started
from competitions.selectors.evaluation import scored_answers, submitted_scores
from competitions.services import evaluation as services
from competitions.tests.evaluation_factories import (
    check_pass_fail,
    closed_competition,
    commissioner_of,
    declare,
    evaluators,
    priced_bid,
    score_and_submit,
)
from competitions.tests.factories import make_bid, make_competition
from tests.factories import make_user_with_role

pytestmark = pytest.mark.django_db


def test_commissioner_assigns_evaluators_and_scoring_needs_two():
    competition = closed_competition(lots=("Kent",), evaluators=0)
    commissioner = commissioner_of(competition)
    first, second = make_user_with_role("evaluator"), make_user_with_role("evaluator")
    services.evaluator_assign(competition=competition, user=first, actor=commissioner)
    assert not evaluation_started(competition)
    services.evaluator_assign(competition=competition, user=second, actor=commissioner)
    assert evaluation_started(competition)
    assert AuditEvent.objects.filter(action="competition.evaluator_assigned").count() == 2


def test_only_people_with_the_evaluator_role_can_be_assigned():
    competition = closed_competition(lots=("Kent",), evaluators=0)
    with pytest.raises(ValidationError):
        services.evaluator_assign(
            competition=competition, user=make_user_with_role("assessor"), actor=commissioner_of(competition)
        )


def test_only_this_competitions_commissioners_assign_evaluators():
    competition = closed_competition(lots=("Kent",), evaluators=0)
    other_commissioner = make_user_with_role("commissioner")
    with pytest.raises(PermissionDenied):
        services.evaluator_assign(
            competition=competition, user=make_user_with_role("evaluator"), actor=other_commissioner
        )


def test_evaluator_with_submitted_scores_cannot_be_removed():
    competition = closed_competition(lots=("Kent",))
    bid = priced_bid(competition, "400000")
    evaluator = evaluators(competition)[0]
    declare(evaluator, competition)
    score_and_submit(evaluator, bid)
    with pytest.raises(ValidationError):
        services.evaluator_remove(competition=competition, user=evaluator, actor=commissioner_of(competition))


def test_conflict_declarations_only_after_the_closing_date():
    competition = make_competition(lots=("Kent",), evaluators=2)
    bid = make_bid(competition)
    with pytest.raises(PermissionDenied):
        services.conflict_declare(bid=bid, evaluator=evaluators(competition)[0], has_conflict=False)


def test_declared_conflict_removes_evaluator_from_that_bid_only():
    competition = closed_competition(lots=("Kent",))
    conflicted, other = priced_bid(competition, "400000"), priced_bid(competition, "300000")
    evaluator = evaluators(competition)[0]
    assert not can_read_bid(evaluator, conflicted)  # nothing declared yet
    declare(evaluator, competition, conflicts=(conflicted,))
    assert not can_read_bid(evaluator, conflicted)
    assert not can_score_bid(evaluator, conflicted)
    assert can_read_bid(evaluator, other)
    answer = scored_answers(conflicted)[0]
    with pytest.raises(PermissionDenied):
        services.score_save_draft(evaluator=evaluator, answer=answer, score=3, justification="Good")


def test_conflict_needs_details_and_cannot_be_withdrawn():
    competition = closed_competition(lots=("Kent",))
    bid = priced_bid(competition, "400000")
    evaluator = evaluators(competition)[0]
    with pytest.raises(ValidationError):
        services.conflict_declare(bid=bid, evaluator=evaluator, has_conflict=True, details="  ")
    services.conflict_declare(bid=bid, evaluator=evaluator, has_conflict=False)
    # Finding a conflict later is allowed and removes them from the bid.
    services.conflict_declare(bid=bid, evaluator=evaluator, has_conflict=True, details="Former trustee")
    assert not can_read_bid(evaluator, bid)
    with pytest.raises(ValidationError):
        services.conflict_declare(bid=bid, evaluator=evaluator, has_conflict=False)
    assert ConflictDeclaration.objects.get(bid=bid, evaluator=evaluator).has_conflict


def test_evaluator_cannot_see_others_scores_until_they_submit_their_own():
    competition = closed_competition(lots=("Kent",))
    bid = priced_bid(competition, "400000")
    first, second = evaluators(competition)
    declare(first, competition)
    declare(second, competition)
    score_and_submit(first, bid, score=4)
    answer = scored_answers(bid)[0]
    services.score_save_draft(evaluator=second, answer=answer, score=1, justification="Thin")
    assert not can_see_all_scores(second, bid)
    assert can_see_all_scores(first, bid)
    # Drafts are never shown as submitted scores.
    assert [s.evaluator for s in submitted_scores(answer)] == [first]
    score_and_submit(second, bid, score=2)
    assert can_see_all_scores(second, bid)


def test_scores_need_a_justification_and_a_score_on_the_scale():
    competition = closed_competition(lots=("Kent",))
    bid = priced_bid(competition, "400000")
    evaluator = evaluators(competition)[0]
    declare(evaluator, competition)
    answer = scored_answers(bid)[0]
    with pytest.raises(ValidationError) as error:
        services.score_save_draft(evaluator=evaluator, answer=answer, score=3, justification=" ")
    assert error.value.message_dict == {"justification": ["Explain why you gave this score"]}
    with pytest.raises(ValidationError):
        services.score_save_draft(evaluator=evaluator, answer=answer, score=5, justification="Great")


def test_submitting_needs_every_answer_scored_and_then_fixes_the_scores():
    competition = closed_competition(lots=("Kent", "Surrey"))
    bid = priced_bid(competition, "400000")
    evaluator = evaluators(competition)[0]
    declare(evaluator, competition)
    answers = scored_answers(bid)
    assert len(answers) == 4  # q1, q2 for Kent, q2 for Surrey, q3
    services.score_save_draft(evaluator=evaluator, answer=answers[0], score=3, justification="Good")
    with pytest.raises(ValidationError, match="3 still to score"):
        services.scores_submit(evaluator=evaluator, bid=bid)
    score_and_submit(evaluator, bid)
    assert Score.objects.filter(evaluator=evaluator, submitted_at__isnull=False).count() == 4
    with pytest.raises(ValidationError):
        services.score_save_draft(evaluator=evaluator, answer=answers[0], score=0, justification="Changed my mind")


def test_moderation_waits_for_every_cleared_evaluator_and_records_the_agreed_score():
    competition = closed_competition(lots=("Kent",))
    bid = priced_bid(competition, "400000")
    first, second = evaluators(competition)
    commissioner = commissioner_of(competition)
    declare(first, competition)
    declare(second, competition, conflicts=(bid,))  # second is out of this bid
    answer = scored_answers(bid)[0]
    with pytest.raises(ValidationError):
        services.moderation_record(answer=answer, score=3, rationale="Agreed", actor=commissioner)
    score_and_submit(first, bid, score=3)
    moderated = services.moderation_record(answer=answer, score=2, rationale="Some gaps", actor=commissioner)
    assert (moderated.score, moderated.rationale, moderated.moderated_by) == (2, "Some gaps", commissioner)


def test_only_commissioners_of_the_competition_moderate_and_check_pass_fail():
    competition = closed_competition(lots=("Kent",))
    bid = priced_bid(competition, "400000")
    evaluator = evaluators(competition)[0]
    declare(evaluator, competition)
    score_and_submit(evaluator, bid)
    with pytest.raises(PermissionDenied):
        services.moderation_record(answer=scored_answers(bid)[0], score=3, rationale="x", actor=evaluator)
    with pytest.raises(PermissionDenied):
        check_pass_fail(bid, make_user_with_role("administrator"))


def test_reading_a_bid_is_audited_and_refused_for_others():
    competition = closed_competition(lots=("Kent",))
    bid = priced_bid(competition, "400000")
    evaluator = evaluators(competition)[0]
    declare(evaluator, competition)
    services.bid_read_record(user=evaluator, bid=bid, purpose="scoring")
    assert AuditEvent.objects.filter(action="bid.read", object_id=str(bid.pk), actor_id=evaluator.pk).exists()
    with pytest.raises(PermissionDenied):
        services.bid_read_record(user=make_user_with_role("administrator"), bid=bid, purpose="scoring")
