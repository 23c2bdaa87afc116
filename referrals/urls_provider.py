"""The provider's referral pages, under /provider/referrals/ (config/urls.py)."""

from django.urls import path

from referrals import views_provider as views

app_name = "referrals_provider"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("managers/", views.managers, name="managers"),
    path("search/", views.search, name="search"),
    path("<id:pk>/", views.detail, name="detail"),
    path("<id:pk>/partner/", views.partner, name="partner"),
    path("<id:pk>/take-back/", views.take_back, name="take-back"),
    path("<id:pk>/caseworker/", views.caseworker, name="caseworker"),
    path("<id:pk>/assessment/", views.appointment, name="appointment"),
    path("<id:pk>/assessment/attendance/", views.appointment_attendance, name="appointment-attendance"),
    path("<id:pk>/plan/", views.plan, name="plan"),
    path("<id:pk>/plan/send/", views.plan_send, name="plan-send"),
    path("<id:pk>/sessions/new/", views.session_new, name="session-new"),
    path("<id:pk>/report/", views.report, name="report"),
    path("<id:pk>/report/outcomes/<id:outcome_id>/", views.report_outcome, name="report-outcome"),
    path("<id:pk>/report/notes/", views.report_notes, name="report-notes"),
]
