"""Who may do what, for people and organisations. Used by views, the API and selectors alike."""

from __future__ import annotations

from accounts.models import Membership, Organisation, Role


def _load_roles(user) -> set[str]:
    """The person's roles and each role's areas, in one query, kept on the user for the request
    (pages that ask a role's areas, such as a practitioner's regions, then ask nothing more)."""
    areas: dict[str, list[int]] = {}
    for role, area_id in user.staff_roles.values_list("role", "area_id").order_by("area_id"):
        areas.setdefault(role, [])
        if area_id is not None:
            areas[role].append(area_id)
    user._role_areas = areas
    user._role_cache = set(areas)
    return user._role_cache


def _roles(user) -> set[str]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    cached = getattr(user, "_role_cache", None)
    return cached if cached is not None else _load_roles(user)


def has_role(user, role: Role | str) -> bool:
    return str(role) in _roles(user)


def role_area_ids(user, role: Role | str) -> list[int]:
    """The areas the person holds `role` in, in id order (none if they do not hold it)."""
    if str(role) not in _roles(user):
        return []
    areas = getattr(user, "_role_areas", None)
    if areas is None:  # the roles were known without their areas (e.g. set by the sign-in backend)
        _load_roles(user)
        areas = user._role_areas
    return areas.get(str(role), [])


def is_staff_member(user) -> bool:
    """Anyone holding a framework staff role (not a provider user)."""
    return bool(_roles(user))


def is_administrator(user) -> bool:
    return has_role(user, Role.ADMINISTRATOR)


def is_assessor(user) -> bool:
    return has_role(user, Role.ASSESSOR)


def is_commissioner(user) -> bool:
    return has_role(user, Role.COMMISSIONER)


def is_evaluator(user) -> bool:
    return has_role(user, Role.EVALUATOR)


def _membership_row(user) -> Membership | None:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if not hasattr(user, "_membership_cache"):
        user._membership_cache = Membership.objects.select_related("organisation").filter(user=user).first()
    return user._membership_cache


def awaits_email_confirmation(user) -> bool:
    """Someone who belongs to an organisation but has not confirmed their e-mail address. They
    cannot act for it (membership_of says None) and are sent to the page that says what to do."""
    return _membership_row(user) is not None and user.email_confirmed_at is None


def membership_of(user) -> Membership | None:
    """The one place the service decides whom a person acts for: nobody, until their address is confirmed."""
    membership = _membership_row(user)
    if membership is None or user.email_confirmed_at is None:
        return None
    return membership


def is_member_of(user, organisation: Organisation) -> bool:
    return is_member_of_organisation_id(user, organisation.pk)


def is_member_of_organisation_id(user, organisation_id: int) -> bool:
    """`is_member_of` by the organisation's id, for a caller holding only the id (no row to read)."""
    membership = membership_of(user)
    return membership is not None and membership.organisation_id == organisation_id


def is_org_admin(user, organisation: Organisation) -> bool:
    membership = membership_of(user)
    return membership is not None and membership.organisation_id == organisation.pk and membership.is_admin


def can_invite_colleagues(user, organisation: Organisation) -> bool:
    return is_org_admin(user, organisation)


def can_invite_staff(user) -> bool:
    return is_administrator(user)


def can_manage_reference_data(user) -> bool:
    return is_administrator(user)


def can_view_organisation(user, organisation: Organisation) -> bool:
    """Members see who else is in their organisation; only administrators change it."""
    return is_member_of(user, organisation)


def can_remove_member(user, membership: Membership) -> bool:
    """An organisation administrator removes colleagues, never themselves."""
    return is_org_admin(user, membership.organisation) and membership.user_id != user.pk


def can_manage_staff_roles(user) -> bool:
    return is_administrator(user)


def can_use_django_admin(user) -> bool:
    """The Django admin is for framework administrators (who are also given is_staff)."""
    return bool(getattr(user, "is_active", False) and getattr(user, "is_staff", False)) and (
        bool(getattr(user, "is_superuser", False)) or is_administrator(user)
    )


def needs_second_factor(user) -> bool:
    """Everyone with a staff role, or with access to the Django admin, gives a code from an
    authenticator app (or a recovery code) after their password, before any staff page."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.is_staff or user.is_superuser or is_staff_member(user))


def has_second_factor(user) -> bool:
    """Has set up an authenticator app (a confirmed device)."""
    from django_otp import user_has_device

    return bool(getattr(user, "is_authenticated", False)) and user_has_device(user, confirmed=True)


def can_reset_second_factor(user, target) -> bool:
    """An administrator resets another person's second factor (never their own: that would let a
    stolen password replace the app)."""
    return is_administrator(user) and target.pk != user.pk and needs_second_factor(target)
