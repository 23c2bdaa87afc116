"""Who sees contracts' volumes, value and flags: commissioners (their organisation's contracts) and
members of an organisation (its own contracts). Everyone else is refused before anything is read."""

from __future__ import annotations

from accounts.permissions import is_commissioner, membership_of


def can_see_volumes(user) -> bool:
    return is_commissioner(user) or membership_of(user) is not None
