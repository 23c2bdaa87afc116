from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "insights"
    verbose_name = "Insight"

    def ready(self) -> None:
        from core.clock import next_london_midnight
        from core.pagecache import register_instants

        # Coverage counts contracts running today and ending within a year of today, and the years
        # people can choose run to a few after the current financial year: all change at London
        # midnights (ADR 10).
        register_instants("insights", next_london_midnight)
