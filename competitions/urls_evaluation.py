"""Evaluation and award pages, under /opportunities/<competition>/evaluate/ and .../award/."""

from django.urls import path

from competitions.views import award, evaluation

urlpatterns = [
    path("evaluate/", evaluation.evaluator_home, name="evaluator-home"),
    path("<int:competition_id>/evaluate/", evaluation.hub, name="evaluate"),
    path("<int:competition_id>/evaluate/evaluators/", evaluation.evaluators, name="evaluate-evaluators"),
    path(
        "<int:competition_id>/evaluate/evaluators/<int:user_id>/remove/",
        evaluation.evaluator_remove,
        name="evaluate-evaluator-remove",
    ),
    path("<int:competition_id>/evaluate/conflicts/", evaluation.conflicts, name="evaluate-conflicts"),
    path("<int:competition_id>/evaluate/bids/<int:bid_id>/", evaluation.score_bid, name="evaluate-bid"),
    path(
        "<int:competition_id>/evaluate/bids/<int:bid_id>/pass-fail/<int:answer_id>/",
        evaluation.pass_fail,
        name="evaluate-pass-fail",
    ),
    path("<int:competition_id>/evaluate/bids/<int:bid_id>/moderate/", evaluation.moderate, name="evaluate-moderate"),
    path("<int:competition_id>/evaluate/results/", evaluation.results, name="evaluate-results"),
    path("<int:competition_id>/award/", award.overview, name="award"),
    path("<int:competition_id>/award/lots/<int:lot_id>/recommend/", award.recommend, name="award-recommend"),
    path("<int:competition_id>/award/lots/<int:lot_id>/approve/", award.approve, name="award-approve"),
    path("<int:competition_id>/award/lots/<int:lot_id>/challenge/", award.challenge, name="award-challenge"),
    path(
        "<int:competition_id>/award/lots/<int:lot_id>/challenge/outcome/",
        award.challenge_resolve,
        name="award-challenge-resolve",
    ),
    path("<int:competition_id>/award/lots/<int:lot_id>/direct/", award.direct, name="award-direct"),
    path("<int:competition_id>/award/results/", award.letters, name="award-letters"),
    path("<int:competition_id>/award/results/<int:letter_id>/", award.letter, name="award-letter"),
]
