from django.urls import path

from core import views

app_name = "core"
urlpatterns = [
    path("", views.start, name="start"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("privacy/", views.privacy, name="privacy"),
    path("cookies/", views.cookies, name="cookies"),
    path("words-we-use/", views.glossary, name="glossary"),
    path("help/", views.help_page, name="help"),
    path("feedback/", views.feedback, name="feedback"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
]
