"""The keys that sign audit checkpoints (Ed25519), held outside the database.

Whoever controls the database can rewrite the audit trail and recompute every hash in it; they
cannot sign a checkpoint without the private key, which lives only in the environment of the
process that makes checkpoints (`AUDIT_SIGNING_KEY`). Anyone can check a signature with the public
keys (`AUDIT_VERIFY_KEYS`, also published on the checkpoints page), so keys can be rotated: the new
key signs from now on, and the old public key stays listed for the checkpoints it signed.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from functools import cache

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def key_id_of(public: Ed25519PublicKey) -> str:
    """A short, stable name for a public key: the start of the SHA-256 of its raw bytes."""
    return hashlib.sha256(public.public_bytes(Encoding.Raw, PublicFormat.Raw)).hexdigest()[:16]


@dataclass(frozen=True)
class VerifyKey:
    key_id: str
    public_key_b64: str

    def verify(self, signature_b64: str, message: bytes) -> bool:
        try:
            public = Ed25519PublicKey.from_public_bytes(base64.b64decode(self.public_key_b64))
            public.verify(base64.b64decode(signature_b64), message)
        except (InvalidSignature, ValueError):
            return False
        return True


def _private_key() -> Ed25519PrivateKey | None:
    text = getattr(settings, "AUDIT_SIGNING_KEY", "")
    if not text:
        return None
    try:
        return Ed25519PrivateKey.from_private_bytes(base64.b64decode(text))
    except ValueError as error:
        raise ImproperlyConfigured("AUDIT_SIGNING_KEY must be a base64 raw 32-byte Ed25519 private key") from error


@cache
def _signing(text: str) -> tuple[Ed25519PrivateKey, str] | None:
    key = _private_key()
    return (key, key_id_of(key.public_key())) if key is not None else None


def signing_key() -> tuple[Ed25519PrivateKey, str]:
    """The private key and its id. Refuses when no key is configured: an unsigned checkpoint
    would prove nothing."""
    found = _signing(getattr(settings, "AUDIT_SIGNING_KEY", ""))
    if found is None:
        raise ImproperlyConfigured("Set AUDIT_SIGNING_KEY to make audit checkpoints.")
    return found


def sign(message: bytes) -> tuple[str, str]:
    """(key id, base64 signature)."""
    key, key_id = signing_key()
    return key_id, _b64(key.sign(message))


def verify_keys() -> dict[str, VerifyKey]:
    """Every public key a checkpoint may be signed with: the configured list, plus the public half
    of the signing key."""
    keys: dict[str, VerifyKey] = {}
    for text in getattr(settings, "AUDIT_VERIFY_KEYS", []):
        try:
            public = Ed25519PublicKey.from_public_bytes(base64.b64decode(text))
        except ValueError as error:
            raise ImproperlyConfigured("Each of AUDIT_VERIFY_KEYS must be a base64 raw Ed25519 public key") from error
        keys[key_id_of(public)] = VerifyKey(key_id_of(public), text)
    found = _signing(getattr(settings, "AUDIT_SIGNING_KEY", ""))
    if found is not None:
        key, key_id = found
        keys[key_id] = VerifyKey(key_id, _b64(key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)))
    return keys


def new_key_pair() -> tuple[str, str]:
    """(private, public), base64: for `manage.py audit_keys` and for tests."""
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return _b64(private), _b64(key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))
