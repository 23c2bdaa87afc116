"""Provider pages under /opportunities/: opportunities for you, one opportunity, and one bid for many lots."""

from django.urls import path

from competitions.views import provider as views

B = "<id:competition_id>/bid/"

urlpatterns = [
    path("for-you/", views.for_you, name="for-you"),
    path("<id:competition_id>/", views.opportunity, name="opportunity"),
    path(B + "start/", views.bid_start, name="bid-start"),
    path(B, views.bid_task_list, name="bid"),
    path(B + "areas/", views.bid_lots, name="bid-lots"),
    path(B + "questions/<id:question_id>/", views.bid_answer, name="bid-answer"),
    path(B + "questions/<id:question_id>/areas/<id:lot_id>/", views.bid_answer, name="bid-answer-lot"),
    path(B + "questions/<id:question_id>/earlier-answers/", views.bid_library, name="bid-library"),
    path(
        B + "questions/<id:question_id>/areas/<id:lot_id>/earlier-answers/",
        views.bid_library,
        name="bid-library-lot",
    ),
    path(B + "prices/<id:lot_id>/", views.bid_prices, name="bid-prices"),
    path(B + "partners/", views.bid_partners, name="bid-partners"),
    path(B + "partners/add/", views.bid_partner_add, name="bid-partner-add"),
    path(B + "partners/suggestions/", views.bid_partner_search, name="bid-partner-search"),
    path(B + "partners/<id:partner_id>/remove/", views.bid_partner_remove, name="bid-partner-remove"),
    path(B + "documents/", views.bid_documents, name="bid-documents"),
    path(B + "documents/<id:document_id>/remove/", views.bid_document_remove, name="bid-document-remove"),
    path(B + "declarations/", views.bid_declarations, name="bid-declarations"),
    path(B + "check/", views.bid_check, name="bid-check"),
    path(B + "receipt/", views.bid_receipt, name="bid-receipt"),
    path(B + "withdraw/", views.bid_withdraw, name="bid-withdraw"),
    path("<id:competition_id>/bids/<id:bid_id>/", views.bid_view, name="bid-view"),
    path(
        "<id:competition_id>/bids/<id:bid_id>/documents/<id:document_id>/",
        views.bid_document,
        name="bid-document",
    ),
]
