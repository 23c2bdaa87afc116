"""Contracts' volumes and value against what was contracted, under /volumes/."""

from django.urls import path

from volumes import views

app_name = "volumes"
urlpatterns = [
    path("", views.contracts_page, name="contracts"),
]
