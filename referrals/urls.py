"""The referral pages, under /referrals/. `referrals:start` takes a contract's id (the contracts
app's "find services" page links to it)."""

from django.urls import path

from referrals import views

app_name = "referrals"
urlpatterns = [
    path("", views.referral_list, name="list"),
    path("start/<id:contract_id>/", views.start, name="start"),
    path("<id:pk>/", views.detail, name="detail"),
    path("<id:pk>/person/", views.person, name="person"),
    path("<id:pk>/needs/", views.needs, name="needs"),
    path("<id:pk>/order/", views.order, name="order"),
    path("<id:pk>/support/", views.support, name="support"),
    path("<id:pk>/risk/", views.risk, name="risk"),
    path("<id:pk>/check/", views.check, name="check"),
    path("<id:pk>/sent/", views.sent, name="sent"),
    path("<id:pk>/approve-plan/", views.approve_plan, name="approve-plan"),
    path("<id:pk>/cancel/", views.cancel, name="cancel"),
    path("<id:pk>/end/", views.end, name="end"),
]
