from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = "Contracts"

    def ready(self) -> None:
        from audit.permissions import register_history
        from contracts.permissions import can_see_contract_history

        register_history("contracts.contract", can_see_contract_history)
