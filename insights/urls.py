from django.urls import path

from insights import views

app_name = "insights"
urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:slug>/", views.insight_page, name="page"),
    path("<slug:slug>/download/<slug:table>.csv", views.download_csv, name="csv"),
    path("<slug:slug>/download.xlsx", views.download_xlsx, name="xlsx"),
]
