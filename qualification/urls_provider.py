"""The provider journey, mounted at /join/ (URL names under the "qualification" namespace)."""

from django.urls import path

from qualification.views import provider as views

urlpatterns = [
    path("", views.start, name="start"),
    path("register/check/", views.register_check, name="register-check"),
    path("register/sent/", views.register_sent, name="register-sent"),
    path("register/<slug:step>/", views.register, name="register"),
    path("interest/", views.interest, name="interest"),
    path("application/", views.application, name="application"),
    path("application/section/<slug:key>/", views.section, name="section"),
    path("application/services/", views.services_categories, name="services-categories"),
    path("application/services/where/", views.services_where, name="services-where"),
    path("application/services/areas/", views.services_areas, name="services-areas"),
    path("application/services/councils/", views.services_council_area, name="services-council-area"),
    path("application/services/councils/<str:code>/", views.services_councils, name="services-councils"),
    path("application/services/check/", views.services_check, name="services-check"),
    path("application/check/", views.check, name="check"),
    path("application/sent/", views.submitted, name="submitted"),
    path("application/documents/<id:pk>/", views.document, name="document"),
    path("help/", views.help_request, name="help-request"),
    path("help/sent/", views.help_sent, name="help-sent"),
    path("help/requests/", views.help_requests, name="help-requests"),
    path("qualifications/", views.qualifications, name="qualifications"),
    path("qualifications/add/", views.add_services, name="add-services"),
    path("organisation/", views.organisation_details, name="organisation"),
    path("declaration/", views.declaration, name="declaration"),
]
