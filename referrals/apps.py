from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = "Referrals"

    def ready(self) -> None:
        from referrals.loading import load_if_missing

        post_migrate.connect(load_if_missing, sender=self, dispatch_uid="referrals_load_if_missing")

        from audit.changes import declare_private
        from referrals.services import PRIVATE_AUDIT_ACTIONS

        # Nothing a referral records is public: no public answer changes with it (ADR 10).
        declare_private(*PRIVATE_AUDIT_ACTIONS)

        from contracts.delivery import register_delivery_counts, register_delivery_figures
        from referrals.selectors import contract_delivery_figures, referral_counts

        # Contracts sits below referrals and cannot ask it: the contract and claim pages show the
        # delivery figures through this registration (docs/architecture.md).
        register_delivery_figures(contract_delivery_figures)
        # And the same counts for many contracts at once, month by month (the volumes app, issue 13).
        register_delivery_counts(referral_counts)
