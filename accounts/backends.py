from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Exists, OuterRef

from accounts.models import Membership, StaffRole


class EmailBackend(ModelBackend):
    """Sign in with an e-mail address, whatever its capitals."""

    def authenticate(self, request, username=None, password=None, email=None, **kwargs):
        return super().authenticate(request, username=email or username, password=password, **kwargs)

    def get_user(self, user_id):
        """The signed-in person, read once a request with what every signed-in request asks next:
        whom they act for (`accounts.permissions.membership_of`) and whether they hold any staff
        role (`needs_second_factor`). For a member of an organisation that is one query (the
        membership with its person and organisation, and whether a staff role exists) instead of
        three; anyone else is read as Django reads them, and their roles when first asked."""
        membership = (
            Membership.objects.select_related("user", "organisation")
            .annotate(user_has_staff_role=Exists(StaffRole.objects.filter(user_id=OuterRef("user_id"))))
            .filter(user_id=user_id)
            .first()
        )
        if membership is None:
            try:
                user = get_user_model()._default_manager.get(pk=user_id)
            except get_user_model().DoesNotExist:
                return None
            user._membership_cache = None
        else:
            user = membership.user
            user._membership_cache = membership
            if not membership.user_has_staff_role:
                user._role_cache = set()
        return user if self.user_can_authenticate(user) else None
