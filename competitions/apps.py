from django.apps import AppConfig


class CompetitionsConfig(AppConfig):
    name = "competitions"
    verbose_name = "Opportunities (call-off competitions)"

    def ready(self) -> None:
        from audit.permissions import register_history
        from competitions.history import can_see_competition_history

        register_history("competitions.competition", can_see_competition_history)
