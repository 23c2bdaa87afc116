from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts, organisations and roles"

    def ready(self) -> None:
        from accounts.history import REFERENCE_TYPES, can_see_reference_history
        from audit.permissions import register_history

        for object_type in REFERENCE_TYPES:
            register_history(object_type, can_see_reference_history)

        from accounts.services import PRIVATE_AUDIT_ACTIONS
        from audit.changes import declare_private

        declare_private(*PRIVATE_AUDIT_ACTIONS)
