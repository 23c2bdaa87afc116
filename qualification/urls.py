"""URLs under /join/: the provider journey, the assessor's work and the public register."""

from django.urls import include, path

app_name = "qualification"
urlpatterns = [
    path("", include("qualification.urls_provider")),
    path("assess/", include("qualification.urls_assessor")),
    path("register/", include("qualification.urls_register")),
]
