"""Evaluation and award pages, under /opportunities/<competition>/evaluate/ and .../award/."""

from django.urls import path

from competitions.views import award, evaluation

urlpatterns = [
    path("evaluate/", evaluation.evaluator_home, name="evaluator-home"),
    path("<id:competition_id>/evaluate/", evaluation.hub, name="evaluate"),
    path("<id:competition_id>/evaluate/evaluators/", evaluation.evaluators, name="evaluate-evaluators"),
    path(
        "<id:competition_id>/evaluate/evaluators/<id:user_id>/remove/",
        evaluation.evaluator_remove,
        name="evaluate-evaluator-remove",
    ),
    path("<id:competition_id>/evaluate/conflicts/", evaluation.conflicts, name="evaluate-conflicts"),
    path("<id:competition_id>/evaluate/bids/<id:bid_id>/", evaluation.score_bid, name="evaluate-bid"),
    path(
        "<id:competition_id>/evaluate/bids/<id:bid_id>/pass-fail/<id:answer_id>/",
        evaluation.pass_fail,
        name="evaluate-pass-fail",
    ),
    path("<id:competition_id>/evaluate/bids/<id:bid_id>/moderate/", evaluation.moderate, name="evaluate-moderate"),
    path("<id:competition_id>/evaluate/results/", evaluation.results, name="evaluate-results"),
    path("<id:competition_id>/award/", award.overview, name="award"),
    path("<id:competition_id>/award/lots/<id:lot_id>/recommend/", award.recommend, name="award-recommend"),
    path("<id:competition_id>/award/lots/<id:lot_id>/approve/", award.approve, name="award-approve"),
    path("<id:competition_id>/award/lots/<id:lot_id>/challenge/", award.challenge, name="award-challenge"),
    path(
        "<id:competition_id>/award/lots/<id:lot_id>/challenge/outcome/",
        award.challenge_resolve,
        name="award-challenge-resolve",
    ),
    path("<id:competition_id>/award/lots/<id:lot_id>/direct/", award.direct, name="award-direct"),
    path("<id:competition_id>/award/results/", award.letters, name="award-letters"),
    path("<id:competition_id>/award/results/<id:letter_id>/", award.letter, name="award-letter"),
]
