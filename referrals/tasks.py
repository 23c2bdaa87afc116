"""Timetabled work for referrals (settings.PERIODIC_TASKS)."""

from __future__ import annotations

from django.tasks import task


@task
def erase_expired_personal_data() -> int:
    """Erase the personal data of referrals past their retention period (ADR 12). Idempotent and
    catches up: whatever is due when it runs is erased, however late."""
    from referrals.services import referrals_erase_expired

    return referrals_erase_expired()
