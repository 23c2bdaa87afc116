"""The contracts register, under /contracts/."""

from django.urls import path

from contracts import views

app_name = "contracts"
urlpatterns = [
    path("", views.register, name="register"),
    path("<id:pk>/", views.detail, name="detail"),
    path("from-award/<id:award_id>/", views.create_for_award, name="create-for-award"),
]
