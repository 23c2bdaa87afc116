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

        from audit.changes import declare_private
        from competitions.services.bids import PRIVATE_AUDIT_ACTIONS

        # Bids are sealed until the closing instant (ADR 10): these move no public answer.
        declare_private(*PRIVATE_AUDIT_ACTIONS)
