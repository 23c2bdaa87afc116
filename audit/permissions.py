"""Who may read the audit trail."""

from accounts.permissions import is_staff_member


def can_read_history(user) -> bool:
    # Framework staff read histories; provider users never do (a history names other organisations' staff).
    return is_staff_member(user)
