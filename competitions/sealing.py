"""Bid content encrypted at rest (ADR 7).

What a bid says — answers, prices, partners, document titles and files, the copy of what was sent —
is stored only as Fernet tokens under keys held outside the database: `settings.BID_ENCRYPTION_KEYS`,
the first of which encrypts and all of which decrypt, so a key can be rotated (`manage.py
reencrypt_bids`). A database dump or a backup of the uploaded files alone says nothing a bid says.
The machinery is shared with the personal data of referrals (`core.sealing`); this module names the
bid keyring and keeps the names the bid code and the migrations use.

The service decrypts in Python, as the sealed fields are read. Who may then see it is still decided
only by `competitions.permissions.can_read_bid` (and `bids_readable_by`): encryption keeps the
content from whoever holds the database without the service, not from the service's own pages.
A sealed column cannot be filtered, ordered or summed in SQL (only `isnull` works): everything that
needs a price or an answer reads it in Python, after the deadline, through the rules.

A token that does not decrypt (edited by hand, or under a key the service no longer has) raises
`SealBroken` as it is read, never a wrong value.
"""

from __future__ import annotations

from core import sealing as core_sealing
from core.sealing import BUCKET, PADDED, SHORT_BUCKET, new_key, pad, padded_length  # noqa: F401 (the bid code's names)


class SealBroken(core_sealing.SealBroken):
    """A sealed bid value or file that does not decrypt: changed outside the service, or its key is gone."""


BIDS = core_sealing.Keyring("BID_ENCRYPTION_KEYS", about="bids (see ADR 7)", broken=SealBroken)


def unpad(data: bytes) -> bytes:
    return core_sealing.unpad(data, SealBroken)


check_keys = BIDS.check_keys
seal = BIDS.seal
unseal = BIDS.unseal
sealed_under_newest_key = BIDS.sealed_under_newest_key
seal_value = BIDS.seal_value
unseal_value = BIDS.unseal_value
value_is_current = BIDS.value_is_current
reseal_value = BIDS.reseal_value
reseal = BIDS.reseal


# --- Sealed model fields (their paths are in the migrations: keep the names) -------------------


class SealedField(core_sealing.SealedField):
    keyring = BIDS


class SealedTextField(core_sealing.SealedTextField, SealedField):
    pass


class SealedDecimalField(core_sealing.SealedDecimalField, SealedField):
    pass


class SealedBooleanField(core_sealing.SealedBooleanField, SealedField):
    pass


class SealedIntegerField(core_sealing.SealedIntegerField, SealedField):
    pass


class SealedJSONField(core_sealing.SealedJSONField, SealedField):
    pass


# --- Sealed files ------------------------------------------------------------------------------


def seal_file(data: bytes) -> bytes:
    """What is written to file storage for an uploaded bid document."""
    return seal(data)


def unseal_file(stored: bytes) -> bytes:
    return unseal(stored)
