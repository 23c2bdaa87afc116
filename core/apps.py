from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Service pages and shared building blocks"

    def ready(self):
        from django.urls.converters import get_converters, register_converter

        from core.bounds import IdConverter

        # Before any URLconf is read: every app's paths write ids as <id:…>, never Django's unbounded <int:…>.
        if "id" not in get_converters():
            register_converter(IdConverter, "id")
