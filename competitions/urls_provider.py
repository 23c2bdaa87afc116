"""Provider pages under /opportunities/: opportunities for you, one opportunity, and one bid for many lots."""

from django.urls import path

from competitions.views import provider as views

B = "<int:competition_id>/bid/"

urlpatterns = [
    path("for-you/", views.for_you, name="for-you"),
    path("<int:competition_id>/", views.opportunity, name="opportunity"),
    path(B + "start/", views.bid_start, name="bid-start"),
    path(B, views.bid_task_list, name="bid"),
    path(B + "areas/", views.bid_lots, name="bid-lots"),
    path(B + "questions/<int:question_id>/", views.bid_answer, name="bid-answer"),
    path(B + "questions/<int:question_id>/areas/<int:lot_id>/", views.bid_answer, name="bid-answer-lot"),
    path(B + "questions/<int:question_id>/earlier-answers/", views.bid_library, name="bid-library"),
    path(
        B + "questions/<int:question_id>/areas/<int:lot_id>/earlier-answers/",
        views.bid_library,
        name="bid-library-lot",
    ),
    path(B + "prices/<int:lot_id>/", views.bid_prices, name="bid-prices"),
    path(B + "partners/", views.bid_partners, name="bid-partners"),
    path(B + "partners/add/", views.bid_partner_add, name="bid-partner-add"),
    path(B + "partners/suggestions/", views.bid_partner_search, name="bid-partner-search"),
    path(B + "partners/<int:partner_id>/remove/", views.bid_partner_remove, name="bid-partner-remove"),
    path(B + "documents/", views.bid_documents, name="bid-documents"),
    path(B + "documents/<int:document_id>/remove/", views.bid_document_remove, name="bid-document-remove"),
    path(B + "declarations/", views.bid_declarations, name="bid-declarations"),
    path(B + "check/", views.bid_check, name="bid-check"),
    path(B + "receipt/", views.bid_receipt, name="bid-receipt"),
    path(B + "withdraw/", views.bid_withdraw, name="bid-withdraw"),
    path("<int:competition_id>/bids/<int:bid_id>/", views.bid_view, name="bid-view"),
    path(
        "<int:competition_id>/bids/<int:bid_id>/documents/<int:document_id>/",
        views.bid_document,
        name="bid-document",
    ),
]
