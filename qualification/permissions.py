"""Who may see and do what when joining the framework."""

from __future__ import annotations

from accounts.permissions import is_assessor, is_member_of, membership_of
from qualification.models import Application, HelpRequest


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


def can_view_help_request(user, help_request: HelpRequest) -> bool:
    return is_member_of(user, help_request.organisation) or can_assess(user)


def can_close_help_request(user) -> bool:
    return can_assess(user)
