from django.urls import path

from opendata import views

app_name = "opendata"
urlpatterns = [
    path("", views.index, name="index"),
    path("ocds-releases.json", views.releases_download, name="releases-download"),
]
