from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from reference.models import Area


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra):
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra):
        # Made by an operator at the command line, who vouches for the address.
        extra.update(is_staff=True, is_superuser=True)
        extra.setdefault("email_confirmed_at", timezone.now())
        return self.create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """Someone who signs in, with their e-mail address. Roles and memberships say what they may do."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=150)
    phone = models.CharField(max_length=30, blank=True)
    # Django admin access only; what a person may do in the service comes from StaffRole.
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)
    # When the person proved they read this address: a link we e-mailed, an invitation or a
    # password reset. Until then they cannot act for an organisation (accounts.permissions).
    email_confirmed_at = models.DateTimeField(null=True, blank=True)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    objects = UserManager()

    class Meta:
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class OrganisationType(models.TextChoices):
    REGISTERED_CHARITY = "registered_charity", "Registered charity"
    CIO = "cio", "Charitable incorporated organisation (CIO)"
    CIC = "cic", "Community interest company (CIC)"
    COMPANY_BY_GUARANTEE = "company_by_guarantee", "Company limited by guarantee"
    COMPANY_BY_SHARES = "company_by_shares", "Company limited by shares"
    PUBLIC_BODY = "public_body", "Public body"
    OTHER = "other", "Other"


VCSE_TYPES = frozenset(
    {
        OrganisationType.REGISTERED_CHARITY,
        OrganisationType.CIO,
        OrganisationType.CIC,
        OrganisationType.COMPANY_BY_GUARANTEE,
    }
)


class StaffBand(models.TextChoices):
    UNDER_10 = "under_10", "Fewer than 10"
    FROM_10_TO_49 = "10_49", "10 to 49"
    FROM_50_TO_249 = "50_249", "50 to 249"
    OVER_250 = "250_plus", "250 or more"


class TurnoverBand(models.TextChoices):
    UP_TO_2M = "up_to_2m", "Up to £2 million"
    UP_TO_10M = "up_to_10m", "More than £2 million and up to £10 million"
    UP_TO_50M = "up_to_50m", "More than £10 million and up to £50 million"
    OVER_50M = "over_50m", "More than £50 million"


class Size(models.TextChoices):
    MICRO = "micro", "Micro"
    SMALL = "small", "Small"
    MEDIUM = "medium", "Medium"
    LARGE = "large", "Large"


_STAFF_SIZE = {
    StaffBand.UNDER_10: 0,
    StaffBand.FROM_10_TO_49: 1,
    StaffBand.FROM_50_TO_249: 2,
    StaffBand.OVER_250: 3,
}
_TURNOVER_SIZE = {
    TurnoverBand.UP_TO_2M: 0,
    TurnoverBand.UP_TO_10M: 1,
    TurnoverBand.UP_TO_50M: 2,
    TurnoverBand.OVER_50M: 3,
}
_SIZES = [Size.MICRO, Size.SMALL, Size.MEDIUM, Size.LARGE]


def size_from_bands(staff_band: str, turnover_band: str) -> Size:
    """UK SME definition, simplified to bands: the larger of the staff and turnover sizes."""
    return _SIZES[max(_STAFF_SIZE[StaffBand(staff_band)], _TURNOVER_SIZE[TurnoverBand(turnover_band)])]


class Organisation(models.Model):
    """A charity, social enterprise, company or public body that may join the framework."""

    legal_name = models.CharField(max_length=200)
    trading_name = models.CharField(max_length=200, blank=True)
    organisation_type = models.CharField(max_length=30, choices=OrganisationType.choices)
    charity_number = models.CharField(max_length=20, blank=True)
    company_number = models.CharField(max_length=8, blank=True)
    staff_band = models.CharField(max_length=10, choices=StaffBand.choices)
    turnover_band = models.CharField(max_length=10, choices=TurnoverBand.choices)
    # Derived from the two bands when saved through services; stored so registers can filter on it.
    size = models.CharField(max_length=10, choices=Size.choices)
    address_line_1 = models.CharField(max_length=200)
    address_line_2 = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100)
    postcode = models.CharField(max_length=10)
    contact_email = models.EmailField()
    contact_phone = models.CharField(max_length=30, blank=True)
    website = models.URLField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey("User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["legal_name"]
        indexes = [models.Index(fields=["organisation_type", "size"], name="org_type_size_idx")]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.trading_name or self.legal_name

    @property
    def is_vcse(self) -> bool:
        return self.organisation_type in VCSE_TYPES


class Membership(models.Model):
    """A person who works for an organisation. Administrators invite and remove colleagues."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    is_admin = models.BooleanField(default=False)
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            # One organisation per person keeps "your organisation" unambiguous on every page.
            models.UniqueConstraint(fields=["user"], name="membership_one_organisation_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} at {self.organisation}"


class Role(models.TextChoices):
    ASSESSOR = "assessor", "Framework assessor"
    COMMISSIONER = "commissioner", "Commissioner"
    EVALUATOR = "evaluator", "Evaluator"
    PRACTITIONER = "practitioner", "Probation practitioner"
    ADMINISTRATOR = "administrator", "Administrator"


# Roles whose work is limited to places: a commissioner to regions or PCC areas, a practitioner to a region.
SCOPED_ROLES = {Role.COMMISSIONER: {"region", "pcc_area"}, Role.PRACTITIONER: {"region"}}


class StaffRole(models.Model):
    """A framework staff role held by a user, scoped to an area where the role needs one."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="staff_roles")
    role = models.CharField(max_length=20, choices=Role.choices)
    area = models.ForeignKey(Area, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "area"], name="staffrole_unique"),
            models.UniqueConstraint(
                fields=["user", "role"], condition=models.Q(area__isnull=True), name="staffrole_unique_unscoped"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}{f' ({self.area})' if self.area_id else ''}"

    def clean(self):
        from django.core.exceptions import ValidationError

        allowed = SCOPED_ROLES.get(self.role)
        if allowed:
            if self.area is None or self.area.level not in allowed:
                levels = " or ".join("a region" if lv == "region" else "a PCC area" for lv in sorted(allowed))
                raise ValidationError({"area": f"A {self.get_role_display().lower()} must be given {levels}."})
        elif self.area_id is not None:
            raise ValidationError({"area": f"A {self.get_role_display().lower()} is not limited to an area."})


class Invitation(models.Model):
    """An invitation to create an account: to join an organisation, or to take a staff role."""

    email = models.EmailField()
    token_hash = models.CharField(max_length=64, unique=True)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="invitations"
    )
    as_org_admin = models.BooleanField(default=False)
    role = models.CharField(max_length=20, choices=Role.choices, blank=True)
    area = models.ForeignKey(Area, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    invited_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(organisation__isnull=False) & models.Q(role=""))
                | (models.Q(organisation__isnull=True) & ~models.Q(role="")),
                name="invitation_org_xor_role",
            )
        ]

    def __str__(self) -> str:
        return f"Invitation for {self.email}"

    def status(self, now=None) -> str:
        """Derived from timestamps: pending, accepted, revoked or expired."""
        now = now or timezone.now()
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= now:
            return "expired"
        return "pending"


class EmailConfirmationSent(models.Model):
    """A link to confirm an e-mail address was sent. Counted to limit how often one is sent again."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="email_confirmations_sent")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["user", "sent_at"], name="email_confirmation_sent_idx")]

    def __str__(self) -> str:
        return f"Confirmation link for {self.user} at {self.sent_at}"


class AccountEmailSent(models.Model):
    """An e-mail about an account that anyone could ask for by typing an address (a password reset
    link; "someone tried to register with your address"). Counted to limit how many go to one
    address in an hour, so nobody can fill a person's inbox."""

    class Kind(models.TextChoices):
        PASSWORD_RESET = "password_reset", "Password reset link"
        REGISTRATION_ATTEMPT = "registration_attempt", "Someone tried to register with this address"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="account_emails_sent")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["user", "kind", "sent_at"], name="account_email_sent_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.user} at {self.sent_at}"
