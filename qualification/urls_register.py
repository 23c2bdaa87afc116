"""The public register of qualified organisations, mounted at /join/register/."""

from django.urls import path

from qualification.views import register as views

urlpatterns = [
    path("", views.register, name="register"),
]
