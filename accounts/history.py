"""Whose eyes reference data's history is for (registered with audit in AccountsConfig.ready).

Registered here, not in the reference app, because "framework staff" is the accounts app's rule
and reference data sits below accounts (it may not ask accounts anything)."""

from __future__ import annotations

from accounts.permissions import is_staff_member

REFERENCE_TYPES = ("reference.servicecategory", "reference.servicetype", "reference.area")


def can_see_reference_history(user, object_id: str) -> bool:
    """The data is public; its history names the administrators who changed it, so staff only."""
    return is_staff_member(user)
