"""The password rules, in one place: validators for settings.AUTH_PASSWORD_VALIDATORS and the
GOV.UK words for each, used wherever a password is chosen (registering, accepting an invitation,
resetting a password).

Django's common-password list (20,000 passwords) is kept: no maintained package ships a larger
list that works without the network (pwned-passwords-django asks a web service at run time).
"""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.contrib.auth.password_validation import UserAttributeSimilarityValidator
from django.core.exceptions import ValidationError

MAX_LENGTH = 256

# Each rule said the GOV.UK way, by the code its validator raises.
MESSAGES = {
    "password_too_short": "Password must be {min_length} characters or more",
    "password_too_long": "Password must be {max_length} characters or fewer",
    "password_too_common": "Choose a password that is harder to guess",
    "password_entirely_numeric": "Password must include letters or symbols, not only numbers",
    "password_too_similar": "Password must not be like your name, email address or organisation's name",
    "password_repeated": "Password must not be one character or a short pattern repeated, like aaaa or abcabc",
}


class MaximumLengthValidator:
    """Refuse a password longer than `max_length`, before anything slow is done with it. (Forms
    also bound the field, so a huge password never reaches the other validators or the hasher.)"""

    def __init__(self, max_length: int = MAX_LENGTH):
        self.max_length = max_length

    def validate(self, password: str, user=None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(
                MESSAGES["password_too_long"].format(max_length=self.max_length),
                code="password_too_long",
                params={"max_length": self.max_length},
            )

    def get_help_text(self) -> str:
        return f"Your password must be {self.max_length} characters or fewer."


def _repeats_a_pattern(text: str) -> bool:
    """True if `text` is a shorter piece repeated: "aaaa", "abcabc", "passwordpassword"."""
    n = len(text)
    return any(n % size == 0 and text == text[:size] * (n // size) for size in range(1, n // 2 + 1))


class RepeatedPatternValidator:
    """Refuse one character, or a short pattern, repeated ("aaaaaaaaaaaa", "passwordpassword"),
    whatever its capitals and spaces, and a password of fewer than `min_distinct` different characters."""

    def __init__(self, min_distinct: int = 4):
        self.min_distinct = min_distinct

    def validate(self, password: str, user=None) -> None:
        if len(password) > MAX_LENGTH:
            return  # MaximumLengthValidator says why
        folded = "".join(password.lower().split())
        if len(set(folded)) < self.min_distinct or _repeats_a_pattern(folded):
            raise ValidationError(MESSAGES["password_repeated"], code="password_repeated")

    def get_help_text(self) -> str:
        return "Your password must not be one character or a short pattern repeated."


class SimilarityValidator(UserAttributeSimilarityValidator):
    """Django's similarity check, also against the name of the person's organisation: the
    attribute `organisation_name` is read from the organisation they belong to, or from
    `user.organisation_name` when a form sets it on a person not yet saved."""

    def validate(self, password: str, user=None) -> None:
        if user is None or len(password) > MAX_LENGTH:
            return
        names = getattr(user, "organisation_name", None)
        if names is None and getattr(user, "pk", None):
            membership = user.memberships.select_related("organisation").first()
            if membership is not None:
                organisation = membership.organisation
                names = " ".join(filter(None, [organisation.legal_name, organisation.trading_name]))
        user.organisation_name = names or ""
        super().validate(password, user)


def password_errors(password: str, user) -> list[str]:
    """Run the validators in settings; return their errors in GOV.UK words."""
    if len(password) > MAX_LENGTH:
        # Said alone: the other rules are not worth checking on a password that cannot be used.
        return [MESSAGES["password_too_long"].format(max_length=MAX_LENGTH)]
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        messages = []
        for item in error.error_list:
            template = MESSAGES.get(item.code or "")
            message = template.format(**(item.params or {})) if template else item.messages[0]
            if message not in messages:
                messages.append(message)
        return messages
    return []
