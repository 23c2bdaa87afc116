"""Bid content encrypted at rest (ADR 7).

What a bid says — answers, prices, partners, document titles and files, the copy of what was sent —
is stored only as Fernet tokens (AES-128-CBC with an HMAC-SHA256, from the `cryptography` package)
under keys held outside the database: `settings.BID_ENCRYPTION_KEYS`, the first of which encrypts
and all of which decrypt (`MultiFernet`), so a key can be rotated (`manage.py reencrypt_bids`). A
database dump or a backup of the uploaded files alone says nothing a bid says.

The service decrypts in Python, as the sealed fields are read. Who may then see it is still decided
only by `competitions.permissions.can_read_bid` (and `bids_readable_by`): encryption keeps the
content from whoever holds the database without the service, not from the service's own pages.
A sealed column cannot be filtered, ordered or summed in SQL (only `isnull` works): everything that
needs a price or an answer reads it in Python, after the deadline, through the rules.

A token that does not decrypt (edited by hand, or under a key the service no longer has) raises
`SealBroken` as it is read, never a wrong value.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core import checks, validators
from django.core.exceptions import FieldError, ImproperlyConfigured, ValidationError
from django.db import models


class SealBroken(Exception):
    """A sealed value or file that does not decrypt: changed outside the service, or its key is gone."""


def new_key() -> str:
    return Fernet.generate_key().decode("ascii")


@lru_cache(maxsize=4)
def _fernet_for(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured(
            "BID_ENCRYPTION_KEYS is not set: bids cannot be stored or read without the key (see ADR 7)."
        )
    try:
        return MultiFernet([Fernet(key.encode("ascii")) for key in keys])
    except (ValueError, UnicodeEncodeError) as exc:
        raise ImproperlyConfigured(
            "BID_ENCRYPTION_KEYS must be Fernet keys (32 bytes, URL-safe base64), separated by commas."
        ) from exc


def _keys() -> tuple[str, ...]:
    return tuple(getattr(settings, "BID_ENCRYPTION_KEYS", ()) or ())


def check_keys(keys: list[str] | tuple[str, ...]) -> None:
    """Refuse a missing or malformed key list (production settings call this at start-up)."""
    _fernet_for(tuple(keys))


def seal(data: bytes) -> bytes:
    return _fernet_for(_keys()).encrypt(data)


def unseal(token: bytes) -> bytes:
    try:
        return _fernet_for(_keys()).decrypt(token)
    except InvalidToken:
        raise SealBroken("A sealed value did not decrypt with any key in BID_ENCRYPTION_KEYS") from None


def sealed_under_newest_key(token: bytes) -> bool:
    keys = _keys()
    try:
        Fernet(keys[0].encode("ascii")).decrypt(token)
    except InvalidToken:
        return False
    return True


# --- Length padding (values, not files) -------------------------------------------------------
#
# A token is as long as what it seals, give or take a block: without padding, the length of a
# stored answer or price shows how long it is. Before sealing, a value is padded to a bucket: 32
# bytes for short values (every price, percentage, yes/no or short name looks alike), otherwise
# the next multiple of 256 bytes. Layout: a marker byte that UTF-8 text never starts with, the
# value, 0x80, then zeros (ISO/IEC 7816-4 padding, so a value ending in zero bytes survives). A
# token made before padding (no marker) still reads as it is; `reencrypt_bids` pads it.
# Files are not padded: a document's size is stored in clear anyway (the register of documents).

PADDED = b"\xff"
SHORT_BUCKET = 32
BUCKET = 256


def padded_length(length: int) -> int:
    if length <= SHORT_BUCKET:
        return SHORT_BUCKET
    return -(-length // BUCKET) * BUCKET


def pad(data: bytes) -> bytes:
    body = PADDED + data + b"\x80"
    return body + b"\x00" * (padded_length(len(body)) - len(body))


def unpad(data: bytes) -> bytes:
    if not data.startswith(PADDED):
        return data  # sealed before padding
    body = data[1:].rstrip(b"\x00")
    if not body.endswith(b"\x80"):
        raise SealBroken("A sealed value's padding is not valid")
    return body[:-1]


def seal_value(data: bytes) -> bytes:
    """A model field's value, padded then sealed."""
    return seal(pad(data))


def unseal_value(token: bytes) -> bytes:
    return unpad(unseal(token))


def value_is_current(token: bytes) -> bool:
    """Sealed under the newest key, and padded (nothing for `reencrypt_bids` to do)."""
    keys = _keys()
    try:
        return Fernet(keys[0].encode("ascii")).decrypt(token).startswith(PADDED)
    except InvalidToken:
        return False


def reseal_value(token: bytes) -> bytes:
    """A field's value under the newest key, padded if it was sealed before padding."""
    return seal_value(unseal_value(token))


def reseal(token: bytes) -> bytes:
    """The same content under the newest key (raises SealBroken if no key opens it)."""
    try:
        return _fernet_for(_keys()).rotate(token)
    except InvalidToken:
        raise SealBroken("A sealed value did not decrypt with any key in BID_ENCRYPTION_KEYS") from None


# --- Sealed model fields ---------------------------------------------------------------------


class SealedField(models.TextField):
    """A model field stored as a Fernet token in a text column and read back as its Python value.

    Subclasses say how a value becomes text (`encode`) and back (`decode`). NULL stays NULL (an
    empty answer is still sealed: "" and "nothing" look alike in the database)."""

    description = "Encrypted at rest"

    def encode(self, value: Any) -> str:
        return str(value)

    def decode(self, text: str) -> Any:
        return text

    def get_internal_type(self) -> str:
        return "TextField"

    def get_lookup(self, lookup_name: str):
        # A token is different every time it is made: an equality or range test in SQL would
        # silently match nothing. Only "is it empty" can be asked of the database.
        if lookup_name != "isnull":
            raise FieldError(f"{self.model.__name__}.{self.name} is encrypted: it cannot be filtered in SQL")
        return super().get_lookup(lookup_name)

    def get_transform(self, lookup_name: str):
        raise FieldError(f"{self.model.__name__}.{self.name} is encrypted: it cannot be filtered in SQL")

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        token = value.encode("ascii") if isinstance(value, str) else bytes(value)
        return self.decode(unseal_value(token).decode("utf-8"))

    def to_python(self, value):
        return value

    def get_prep_value(self, value):
        value = self.to_python(value)
        if value is None:
            return None
        return seal_value(self.encode(value).encode("utf-8")).decode("ascii")

    def value_to_string(self, obj) -> str:
        # Serialised (dumpdata) as the token, never the plain text.
        return self.get_prep_value(self.value_from_object(obj)) or ""

    def check(self, **kwargs):
        errors = super().check(**kwargs)
        if self.db_index or self.unique:
            errors.append(checks.Error("A sealed field cannot be indexed or unique", obj=self))
        return errors


class SealedTextField(SealedField):
    def __init__(self, *args, max_length: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_length = max_length
        if max_length is not None:
            self.default_validators = [validators.MaxLengthValidator(max_length)]

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.max_length is not None:
            kwargs["max_length"] = self.max_length
        return name, path, args, kwargs

    def to_python(self, value):
        return value if value is None or isinstance(value, str) else str(value)


class SealedDecimalField(SealedField):
    """A Decimal with a fixed number of places, stored as its digits ("400000.00")."""

    def __init__(self, *args, max_digits: int, decimal_places: int, **kwargs):
        self.max_digits, self.decimal_places = max_digits, decimal_places
        super().__init__(*args, **kwargs)
        self.default_validators = [validators.DecimalValidator(max_digits, decimal_places)]

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["max_digits"], kwargs["decimal_places"] = self.max_digits, self.decimal_places
        return name, path, args, kwargs

    def to_python(self, value):
        if value is None or isinstance(value, Decimal):
            return value
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise ValidationError("Enter a number", code="invalid") from None
        if not number.is_finite():
            raise ValidationError("Enter a number", code="invalid")
        return number

    def encode(self, value: Decimal) -> str:
        return f"{Decimal(value):.{self.decimal_places}f}"

    def decode(self, text: str) -> Decimal:
        return Decimal(text)


class SealedBooleanField(SealedField):
    def to_python(self, value):
        if value is None or isinstance(value, bool):
            return value
        if value in ("true", "1", 1):
            return True
        if value in ("false", "0", 0):
            return False
        raise ValidationError("Must be yes or no", code="invalid")

    def encode(self, value: bool) -> str:
        return "true" if value else "false"

    def decode(self, text: str) -> bool:
        return text == "true"


class SealedIntegerField(SealedField):
    def to_python(self, value):
        if value is None or isinstance(value, int):
            return value
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ValidationError("Must be a whole number", code="invalid") from None

    def decode(self, text: str) -> int:
        return int(text)


class SealedJSONField(SealedField):
    def encode(self, value: Any) -> str:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    def decode(self, text: str) -> Any:
        return json.loads(text)


# --- Sealed files ------------------------------------------------------------------------------


def seal_file(data: bytes) -> bytes:
    """What is written to file storage for an uploaded bid document."""
    return seal(data)


def unseal_file(stored: bytes) -> bytes:
    return unseal(stored)
