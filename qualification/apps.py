from django.apps import AppConfig


class QualificationConfig(AppConfig):
    name = "qualification"
    verbose_name = "Joining the framework"

    def ready(self) -> None:
        from audit.permissions import register_history
        from qualification.history import can_see_application_history

        register_history("qualification.application", can_see_application_history)
