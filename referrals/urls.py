"""The practitioner's referral pages, under /referrals/."""

from django.urls import path

from referrals import views

app_name = "referrals"
urlpatterns = [
    path("", views.referral_list, name="list"),
    path("start/<id:contract_id>/", views.start, name="start"),
    path("<id:pk>/", views.detail, name="detail"),
]
