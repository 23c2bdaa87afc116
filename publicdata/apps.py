from django.apps import AppConfig


class PublicdataConfig(AppConfig):
    name = "publicdata"
    verbose_name = "Public registers"

    def ready(self) -> None:
        from core.pagecache import register_instants
        from publicdata.selectors import recently_closed_ends_after

        # An opportunity leaves "closed in the last 12 months" 12 months after it closed (ADR 10).
        register_instants("publicdata", recently_closed_ends_after)
