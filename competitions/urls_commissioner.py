"""Commissioner pages under /opportunities/manage/, and questions about an opportunity."""

from django.urls import path

from competitions.views import clarifications, commissioner, late_invitations

urlpatterns = [
    path("manage/", commissioner.manage_list, name="manage"),
    path("manage/new/", commissioner.create, name="manage-create"),
    path("manage/<int:pk>/", commissioner.detail, name="manage-detail"),
    path("manage/<int:pk>/details/", commissioner.details, name="manage-details"),
    path("manage/<int:pk>/documents/", commissioner.documents, name="manage-documents"),
    path(
        "manage/<int:pk>/documents/<int:document_pk>/remove/",
        commissioner.document_remove,
        name="manage-document-remove",
    ),
    path("manage/<int:pk>/lots/add/", commissioner.lot_add, name="manage-lot-add"),
    path("manage/<int:pk>/lots/<int:lot_pk>/", commissioner.lot_edit, name="manage-lot-edit"),
    path("manage/<int:pk>/lots/<int:lot_pk>/years/", commissioner.lot_years, name="manage-lot-years"),
    path("manage/<int:pk>/lots/<int:lot_pk>/remove/", commissioner.lot_remove, name="manage-lot-remove"),
    path("manage/<int:pk>/lots/<int:lot_pk>/cancel/", commissioner.lot_abandon, name="manage-lot-abandon"),
    path("manage/<int:pk>/contract/", commissioner.contract, name="manage-contract"),
    path("manage/<int:pk>/funding-partners/add/", commissioner.funding_add, name="manage-funding-add"),
    path(
        "manage/<int:pk>/funding-partners/<int:partner_pk>/remove/",
        commissioner.funding_remove,
        name="manage-funding-remove",
    ),
    path("manage/<int:pk>/bid-questions/add/", commissioner.question_add, name="manage-question-add"),
    path(
        "manage/<int:pk>/bid-questions/<int:question_pk>/remove/",
        commissioner.question_remove,
        name="manage-question-remove",
    ),
    path("manage/<int:pk>/scoring/", commissioner.evaluation_model, name="manage-scoring"),
    path("manage/<int:pk>/timetable/", commissioner.timetable, name="manage-timetable"),
    path("manage/<int:pk>/plan/", commissioner.plan, name="manage-plan"),
    path("manage/<int:pk>/launch/", commissioner.launch, name="manage-launch"),
    path("manage/<int:pk>/cancel/", commissioner.abandon, name="manage-abandon"),
    path("manage/<int:pk>/commissioners/", commissioner.commissioners, name="manage-commissioners"),
    path("manage/<int:pk>/newly-qualified/", late_invitations.newly_qualified, name="manage-newly-qualified"),
    path("manage/<int:pk>/questions/", clarifications.commissioner_questions, name="manage-clarifications"),
    path(
        "manage/<int:pk>/questions/<int:clarification_pk>/answer/",
        clarifications.answer,
        name="manage-clarification-answer",
    ),
    path("<int:pk>/questions/", clarifications.provider_questions, name="clarifications"),
]
