from django.urls import path

from audit import views

app_name = "audit"
urlpatterns = [
    path("checkpoints/", views.checkpoints, name="checkpoints"),
    path("<str:object_type>/<str:object_id>/", views.object_history, name="history"),
]
