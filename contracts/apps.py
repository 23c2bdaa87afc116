from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = "Contracts"

    def ready(self) -> None:
        from audit.permissions import register_history
        from contracts.permissions import can_see_contract_history

        register_history("contracts.contract", can_see_contract_history)

        from audit.changes import declare_private
        from contracts.services_documents import PRIVATE_AUDIT_ACTIONS
        from contracts.services_eligibility import PRIVATE_AUDIT_ACTIONS as PRIVATE_ELIGIBILITY_ACTIONS

        declare_private(*PRIVATE_AUDIT_ACTIONS, *PRIVATE_ELIGIBILITY_ACTIONS)

        from core.clock import next_london_midnight
        from core.pagecache import register_instants

        # The contract rules (contracts/rules.py: live, not started, terminated) compare a start, end
        # or termination date with today's London date: their answers change only at London midnights.
        register_instants("contracts", next_london_midnight)
