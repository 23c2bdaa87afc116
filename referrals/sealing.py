"""The personal data of people referred to a service, encrypted at rest (ADR 12).

Identifiers and free text about a person on probation (criminal offence data, UK GDPR article 10)
are stored only as Fernet tokens under `settings.PERSONAL_DATA_KEYS`, a keyring of its own, apart
from the bid keys (`core.sealing` holds the machinery; `manage.py reencrypt_personal_data` moves
every value to the newest key). A case reference number is also kept as a keyed hash
(HMAC-SHA256 under `settings.PERSONAL_DATA_HASH_KEY`), so a referral can be found by its CRN with
an indexed equality test without the number itself being in the database: without the key, the
hash of each of the 26 million possible numbers cannot be worked out to reverse it.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from core import sealing as core_sealing


class PersonalDataUnreadable(core_sealing.SealBroken):
    """A sealed personal value that does not decrypt: changed outside the service, or its key is gone."""


PERSONAL = core_sealing.Keyring(
    "PERSONAL_DATA_KEYS", about="the personal data of people referred (see ADR 12)", broken=PersonalDataUnreadable
)


class SealedTextField(core_sealing.SealedTextField):
    keyring = PERSONAL


class SealedDateField(core_sealing.SealedDateField):
    keyring = PERSONAL


class SealedBooleanField(core_sealing.SealedBooleanField):
    keyring = PERSONAL


# --- Case reference numbers ----------------------------------------------------------------------

# The probation case reference number (nDelius CRN): one letter, then six digits, e.g. X123456.
CRN_PATTERN = re.compile(r"^[A-Z][0-9]{6}$")
# What anyone who types a CRN in another form is told (the draft's person page, the provider's search).
CRN_FORMAT_MESSAGE = "Enter a case reference number in the correct format, like X123456"
CRN_HINT = "One letter then 6 numbers, for example X123456"


def normalise_crn(text: str) -> str:
    """What someone typed, as the CRN is written: capitals, no spaces."""
    return re.sub(r"\s+", "", text or "").upper()


def crn_is_valid(crn: str) -> bool:
    return bool(CRN_PATTERN.fullmatch(crn or ""))


def _hash_key() -> bytes:
    key = getattr(settings, "PERSONAL_DATA_HASH_KEY", "") or ""
    if not key:
        raise ImproperlyConfigured(
            "PERSONAL_DATA_HASH_KEY is not set: case reference numbers cannot be stored or searched (see ADR 12)."
        )
    return key.encode("utf-8")


def crn_digest(crn: str) -> str:
    """The keyed hash a CRN is searched by (64 hex characters), of the number as normalised."""
    return hmac.new(_hash_key(), normalise_crn(crn).encode("ascii", "replace"), hashlib.sha256).hexdigest()
