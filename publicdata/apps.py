from django.apps import AppConfig


class PublicdataConfig(AppConfig):
    name = "publicdata"
    verbose_name = "Public registers"
