"""Values encrypted at rest under keys held outside the database (ADR 7, ADR 12).

The machinery shared by everything the service seals: bids (`competitions.sealing`, keys in
`BID_ENCRYPTION_KEYS`) and the personal data of people referred to a service
(`referrals.sealing`, keys in `PERSONAL_DATA_KEYS`). Each is a `Keyring` named by the setting that
holds its Fernet keys (AES-128-CBC with an HMAC-SHA256, from the `cryptography` package): the first
key encrypts and all of them decrypt (`MultiFernet`), so a key can be rotated and every value moved
to the newest one (`reencrypt_columns`). A database dump or a backup alone says nothing a sealed
value says. Two keyrings, not one, so a bid key and a personal-data key can be held by different
people, rotated at different times, and a leak of one does not open the other.

A sealed column cannot be filtered, ordered or summed in SQL (only `isnull` works). A token that
does not decrypt (edited by hand, or under a key the service no longer has) raises the keyring's
`SealBroken` subclass as it is read, never a wrong value.
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core import checks, validators
from django.core.exceptions import FieldError, ImproperlyConfigured, ValidationError
from django.db import connection, models


class SealBroken(Exception):
    """A sealed value or file that does not decrypt: changed outside the service, or its key is gone."""


def new_key() -> str:
    return Fernet.generate_key().decode("ascii")


@lru_cache(maxsize=8)
def _fernet_for(setting: str, keys: tuple[str, ...], about: str) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured(f"{setting} is not set: {about} cannot be stored or read without the key.")
    try:
        return MultiFernet([Fernet(key.encode("ascii")) for key in keys])
    except (ValueError, UnicodeEncodeError) as exc:
        raise ImproperlyConfigured(
            f"{setting} must be Fernet keys (32 bytes, URL-safe base64), separated by commas."
        ) from exc


# --- Length padding (values, not files) -------------------------------------------------------
#
# A token is as long as what it seals, give or take a block: without padding, the length of a
# stored value shows how long it is. Before sealing, a value is padded to a bucket: 32 bytes for
# short values (every price, date, yes/no or short name looks alike), otherwise the next multiple
# of 256 bytes. Layout: a marker byte that UTF-8 text never starts with, the value, 0x80, then
# zeros (ISO/IEC 7816-4 padding, so a value ending in zero bytes survives). A token made before
# padding (no marker) still reads as it is; re-encrypting pads it. Files are not padded.

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


def unpad(data: bytes, broken: type[SealBroken] = SealBroken) -> bytes:
    if not data.startswith(PADDED):
        return data  # sealed before padding
    body = data[1:].rstrip(b"\x00")
    if not body.endswith(b"\x80"):
        raise broken("A sealed value's padding is not valid")
    return body[:-1]


class Keyring:
    """The keys named by one setting, and sealing under them. `broken` is the exception raised for
    a value that does not decrypt, so each kind of content can be handled by its own pages."""

    def __init__(self, setting: str, *, about: str, broken: type[SealBroken] = SealBroken):
        self.setting = setting
        self.about = about
        self.broken = broken

    def __repr__(self) -> str:
        return f"<Keyring {self.setting}>"

    def keys(self) -> tuple[str, ...]:
        return tuple(getattr(settings, self.setting, ()) or ())

    def _fernet(self) -> MultiFernet:
        return _fernet_for(self.setting, self.keys(), self.about)

    def check_keys(self, keys: list[str] | tuple[str, ...]) -> None:
        """Refuse a missing or malformed key list (production settings call this at start-up)."""
        _fernet_for(self.setting, tuple(keys), self.about)

    def seal(self, data: bytes) -> bytes:
        return self._fernet().encrypt(data)

    def unseal(self, token: bytes) -> bytes:
        try:
            return self._fernet().decrypt(token)
        except InvalidToken:
            raise self.broken(f"A sealed value did not decrypt with any key in {self.setting}") from None

    def sealed_under_newest_key(self, token: bytes) -> bool:
        try:
            Fernet(self.keys()[0].encode("ascii")).decrypt(token)
        except InvalidToken:
            return False
        return True

    def seal_value(self, data: bytes) -> bytes:
        """A model field's value, padded then sealed."""
        return self.seal(pad(data))

    def unseal_value(self, token: bytes) -> bytes:
        return unpad(self.unseal(token), self.broken)

    def value_is_current(self, token: bytes) -> bool:
        """Sealed under the newest key, and padded (nothing for a re-encryption to do)."""
        try:
            return Fernet(self.keys()[0].encode("ascii")).decrypt(token).startswith(PADDED)
        except InvalidToken:
            return False

    def reseal_value(self, token: bytes) -> bytes:
        """A field's value under the newest key, padded if it was sealed before padding."""
        return self.seal_value(self.unseal_value(token))

    def reseal(self, token: bytes) -> bytes:
        """The same content under the newest key (raises `broken` if no key opens it)."""
        try:
            return self._fernet().rotate(token)
        except InvalidToken:
            raise self.broken(f"A sealed value did not decrypt with any key in {self.setting}") from None


# --- Sealed model fields ---------------------------------------------------------------------


class SealedField(models.TextField):
    """A model field stored as a Fernet token in a text column and read back as its Python value.

    A concrete field names its `keyring` (a subclass per keyring: `competitions.sealing`,
    `referrals.sealing`). Subclasses say how a value becomes text (`encode`) and back (`decode`).
    NULL stays NULL (an empty value is still sealed: "" and "nothing" look alike in the database)."""

    description = "Encrypted at rest"
    keyring: Keyring | None = None

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
        return self.decode(self.keyring.unseal_value(token).decode("utf-8"))

    def to_python(self, value):
        return value

    def get_prep_value(self, value):
        value = self.to_python(value)
        if value is None:
            return None
        return self.keyring.seal_value(self.encode(value).encode("utf-8")).decode("ascii")

    def value_to_string(self, obj) -> str:
        # Serialised (dumpdata) as the token, never the plain text.
        return self.get_prep_value(self.value_from_object(obj)) or ""

    def check(self, **kwargs):
        errors = super().check(**kwargs)
        if self.db_index or self.unique:
            errors.append(checks.Error("A sealed field cannot be indexed or unique", obj=self))
        if self.keyring is None:
            errors.append(checks.Error("A sealed field must name its keyring (use a subclass that does)", obj=self))
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


class SealedDateField(SealedField):
    """A calendar date, stored as its ISO text ("1990-04-01")."""

    def to_python(self, value):
        if value is None or (isinstance(value, datetime.date) and not isinstance(value, datetime.datetime)):
            return value
        try:
            return datetime.date.fromisoformat(str(value).strip())
        except ValueError:
            raise ValidationError("Enter a real date", code="invalid") from None

    def encode(self, value: datetime.date) -> str:
        return value.isoformat()

    def decode(self, text: str) -> datetime.date:
        return datetime.date.fromisoformat(text)


class SealedJSONField(SealedField):
    def encode(self, value: Any) -> str:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    def decode(self, text: str) -> Any:
        return json.loads(text)


# --- Re-encryption under the newest key -------------------------------------------------------


def sealed_columns(app_label: str, keyring: Keyring) -> list[tuple[str, str]]:
    """(table, column) of every field of the app's models sealed under `keyring`."""
    from django.apps import apps

    columns = []
    for model in apps.get_app_config(app_label).get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, SealedField) and field.keyring is keyring:
                columns.append((model._meta.db_table, field.column))
    return sorted(columns)


def reencrypt_columns(columns: list[tuple[str, str]], keyring: Keyring, *, batch: int = 500) -> dict[str, int]:
    """Every value in `columns` not yet under the newest key (or not padded), re-encrypted under
    it, read and written as stored (tokens), never decrypted into a model. Call inside the
    caller's transaction. Returns {"values": changed, "current": already current}."""
    # Table and column names come from the models, quoted; every value is a parameter.
    quote = connection.ops.quote_name
    counts = {"values": 0, "current": 0}
    for table, column in columns:
        last = 0
        while True:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT id, {quote(column)} FROM {quote(table)} "  # noqa: S608
                    f"WHERE id > %s AND {quote(column)} IS NOT NULL ORDER BY id LIMIT %s",
                    [last, batch],
                )
                rows = cursor.fetchall()
            if not rows:
                break
            last = rows[-1][0]
            with connection.cursor() as cursor:
                for pk, token in rows:
                    stored = token.encode("ascii")
                    if keyring.value_is_current(stored):
                        counts["current"] += 1
                        continue
                    cursor.execute(
                        f"UPDATE {quote(table)} SET {quote(column)} = %s WHERE id = %s",  # noqa: S608
                        [keyring.reseal_value(stored).decode("ascii"), pk],
                    )
                    counts["values"] += 1
    return counts
