from django.apps import AppConfig


class CompetitionsConfig(AppConfig):
    name = "competitions"
    verbose_name = "Opportunities (call-off competitions)"

    def ready(self) -> None:
        from audit.permissions import register_history
        from competitions.history import can_see_competition_history

        register_history("competitions.competition", can_see_competition_history)

        from competitions.instants import next_instant_after
        from core.pagecache import register_instants

        # Closing dates, waiting periods: when time alone changes a competition rule (ADR 10).
        register_instants("competitions", next_instant_after)
