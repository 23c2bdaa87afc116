"""Commissioner pages under /opportunities/manage/, and questions about an opportunity."""

from django.urls import path

from competitions.views import clarifications, commissioner, late_invitations

urlpatterns = [
    path("manage/", commissioner.manage_list, name="manage"),
    path("manage/new/", commissioner.create, name="manage-create"),
    path("manage/<id:pk>/", commissioner.detail, name="manage-detail"),
    path("manage/<id:pk>/details/", commissioner.details, name="manage-details"),
    path("manage/<id:pk>/documents/", commissioner.documents, name="manage-documents"),
    path(
        "manage/<id:pk>/documents/<id:document_pk>/who-can-download/",
        commissioner.document_public,
        name="manage-document-public",
    ),
    path(
        "manage/<id:pk>/documents/<id:document_pk>/remove/",
        commissioner.document_remove,
        name="manage-document-remove",
    ),
    path("manage/<id:pk>/lots/add/", commissioner.lot_add, name="manage-lot-add"),
    path("manage/<id:pk>/lots/<id:lot_pk>/", commissioner.lot_edit, name="manage-lot-edit"),
    path("manage/<id:pk>/lots/<id:lot_pk>/years/", commissioner.lot_years, name="manage-lot-years"),
    path("manage/<id:pk>/lots/<id:lot_pk>/remove/", commissioner.lot_remove, name="manage-lot-remove"),
    path("manage/<id:pk>/lots/<id:lot_pk>/cancel/", commissioner.lot_abandon, name="manage-lot-abandon"),
    path("manage/<id:pk>/contract/", commissioner.contract, name="manage-contract"),
    path("manage/<id:pk>/funding-partners/add/", commissioner.funding_add, name="manage-funding-add"),
    path(
        "manage/<id:pk>/funding-partners/<id:partner_pk>/remove/",
        commissioner.funding_remove,
        name="manage-funding-remove",
    ),
    path("manage/<id:pk>/bid-questions/add/", commissioner.question_add, name="manage-question-add"),
    path(
        "manage/<id:pk>/bid-questions/<id:question_pk>/remove/",
        commissioner.question_remove,
        name="manage-question-remove",
    ),
    path("manage/<id:pk>/scoring/", commissioner.evaluation_model, name="manage-scoring"),
    path("manage/<id:pk>/timetable/", commissioner.timetable, name="manage-timetable"),
    path("manage/<id:pk>/plan/", commissioner.plan, name="manage-plan"),
    path("manage/<id:pk>/launch/", commissioner.launch, name="manage-launch"),
    path("manage/<id:pk>/cancel/", commissioner.abandon, name="manage-abandon"),
    path("manage/<id:pk>/commissioners/", commissioner.commissioners, name="manage-commissioners"),
    path("manage/<id:pk>/newly-qualified/", late_invitations.newly_qualified, name="manage-newly-qualified"),
    path("manage/<id:pk>/questions/", clarifications.commissioner_questions, name="manage-clarifications"),
    path(
        "manage/<id:pk>/questions/<id:clarification_pk>/answer/",
        clarifications.answer,
        name="manage-clarification-answer",
    ),
    path("<id:pk>/questions/", clarifications.provider_questions, name="clarifications"),
]
