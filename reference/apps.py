from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ReferenceConfig(AppConfig):
    name = "reference"
    verbose_name = "Reference data"

    def ready(self) -> None:
        from reference.loading import load_if_missing

        post_migrate.connect(load_if_missing, sender=self, dispatch_uid="reference_load_if_missing")
