"""URLs under /opportunities/: commissioners set up and run competitions, providers bid, evaluators score."""

from django.urls import include, path

app_name = "competitions"
urlpatterns = [
    path("", include("competitions.urls_commissioner")),
    path("", include("competitions.urls_provider")),
    path("", include("competitions.urls_evaluation")),
]
