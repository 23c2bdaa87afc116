"""Who may see and do what when joining the framework."""

from __future__ import annotations

from accounts.permissions import is_assessor, is_member_of, membership_of
from qualification.models import Application


def can_start_application(user) -> bool:
    """Any member of a registered organisation may start or continue its application."""
    return membership_of(user) is not None


def can_edit_application(user, application: Application) -> bool:
    # Members edit their own organisation's application only while it is not with an assessor.
    return is_member_of(user, application.organisation) and application.submitted_at is None


def can_view_application(user, application: Application) -> bool:
    return is_member_of(user, application.organisation) or can_assess(user)


def can_assess(user) -> bool:
    """Only framework assessors review applications and decide qualifications (not administrators)."""
    return is_assessor(user)
