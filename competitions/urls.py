"""URLs under /opportunities/: commissioners set up and run competitions, providers bid, evaluators score."""

from django.urls import include, path

from competitions.views import documents

app_name = "competitions"
urlpatterns = [
    path(
        "<id:competition_id>/documents/<id:document_id>/",
        documents.download,
        name="document-download",
    ),
    path("", include("competitions.urls_commissioner")),
    path("", include("competitions.urls_provider")),
    path("", include("competitions.urls_evaluation")),
]
