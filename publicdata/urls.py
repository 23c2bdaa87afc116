"""Public pages under /public/: opportunities and the contracts register."""

from django.urls import path

from publicdata import views

app_name = "publicdata"
urlpatterns = [
    path("opportunities/", views.opportunities, name="opportunities"),
    path("opportunities/<id:pk>/", views.opportunity_detail, name="opportunity"),
    path("contracts/", views.contracts, name="contracts"),
    path("contracts/download.csv", views.contracts_csv, name="contracts-csv"),
    path("contracts/<id:pk>/", views.contract_detail, name="contract"),
]
