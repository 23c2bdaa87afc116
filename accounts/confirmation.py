"""Links that confirm an e-mail address: signed with Django's signing machinery, expiring, and
tied to the address they were sent to (a link for an old address does not confirm a new one).

The clock is passed in, so the moment a link expires can be tested exactly.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass

from django.core import signing
from django.utils import timezone

from accounts.models import User

SALT = "accounts.email-confirmation"
VALID_FOR_DAYS = 3
VALID_FOR = datetime.timedelta(days=VALID_FOR_DAYS)
# A new link at most once a minute, and at most SENDS_PER_HOUR in any hour (the first one counts).
RESEND_AFTER = datetime.timedelta(minutes=1)
SENDS_PER_HOUR = 5


class _Signer(signing.TimestampSigner):
    """Django's timestamped signer, with the time it stamps given rather than read from the clock."""

    def __init__(self, *, now: datetime.datetime | None = None):
        super().__init__(salt=SALT)
        self._now = now

    def timestamp(self) -> str:
        return signing.b62_encode(int((self._now or timezone.now()).timestamp()))


def _address_digest(email: str) -> str:
    # The link carries a digest, not the address itself.
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:20]


def make_token(user: User, *, now: datetime.datetime | None = None) -> str:
    return _Signer(now=now).sign_object({"u": user.pk, "e": _address_digest(user.email)})


@dataclass(frozen=True)
class TokenCheck:
    """What a link says: `status` is "valid", "expired" or "invalid"; `user` is known unless invalid."""

    status: str
    user: User | None = None


def check_token(token: str, *, now: datetime.datetime | None = None) -> TokenCheck:
    now = now or timezone.now()
    try:
        payload = _Signer().unsign_object(token)  # the signature only; expiry is judged below
        issued = datetime.datetime.fromtimestamp(signing.b62_decode(token.rsplit(":", 2)[1]), tz=datetime.UTC)
        user = User.objects.filter(pk=int(payload["u"]), is_active=True).first()
    except (signing.BadSignature, ValueError, TypeError, KeyError, IndexError, OverflowError):
        return TokenCheck("invalid")
    if user is None or payload.get("e") != _address_digest(user.email):
        return TokenCheck("invalid")
    if now - issued > VALID_FOR:
        return TokenCheck("expired", user)
    return TokenCheck("valid", user)
