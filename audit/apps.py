from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from audit.changes import data_version
        from core.pagecache import register_data_version

        # The audit table is the change log: public answers are kept under its version (ADR 10).
        register_data_version(data_version)
