"""The assessor's pages, mounted at /join/assess/ (names start "assess-"), and the decision
letter that the organisation's members can read too."""

from django.urls import path

from qualification.views import assessor as views

urlpatterns = [
    path("", views.queue, name="assess-queue"),
    path("applications/<id:pk>/", views.application_detail, name="assess-application"),
    path("applications/<id:pk>/sections/<slug:key>/accept/", views.section_accept, name="assess-section-accept"),
    path("applications/<id:pk>/sections/<slug:key>/question/", views.section_clarify, name="assess-section-clarify"),
    path("applications/<id:pk>/decide/", views.decide, name="assess-decide"),
    path("applications/<id:pk>/decision-letter/", views.decision_letter, name="decision-letter"),
    path("organisations/", views.organisations, name="assess-organisations"),
    path("organisations/<id:pk>/", views.organisation_detail, name="assess-organisation"),
    path("qualifications/<id:pk>/suspend/", views.qualification_suspend, name="assess-qualification-suspend"),
    path("qualifications/<id:pk>/remove/", views.qualification_remove, name="assess-qualification-remove"),
    path("qualifications/<id:pk>/reinstate/", views.qualification_reinstate, name="assess-qualification-reinstate"),
    path("help-requests/", views.help_requests, name="assess-help-requests"),
    path("help-requests/<id:pk>/reply/", views.help_request_reply, name="assess-help-request-reply"),
]
