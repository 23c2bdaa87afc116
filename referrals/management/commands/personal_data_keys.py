"""manage.py personal_data_keys [--write FILE --write-hash-key FILE]: make the keys that protect the
personal data of people referred (ADR 12)."""

import secrets
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.sealing import new_key


def _write(path: Path, value: str) -> None:
    if path.exists():
        raise CommandError(f"{path} exists already: a personal-data key is never overwritten (the data would be lost).")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(value + "\n")


class Command(BaseCommand):
    help = (
        "Make a new Fernet key for PERSONAL_DATA_KEYS and a key for PERSONAL_DATA_HASH_KEY. Keep both "
        "outside the database and its backups. To rotate, put the new Fernet key first (old keys after "
        "it) and run manage.py reencrypt_personal_data, which also hashes every CRN again under the "
        "hash key then set."
    )

    def add_arguments(self, parser):
        parser.add_argument("--write", help="Write the Fernet key to this file (refuses to overwrite one).")
        parser.add_argument("--write-hash-key", help="Write the hash key to this file (refuses to overwrite one).")

    def handle(self, *args, write: str | None = None, write_hash_key: str | None = None, **options):
        key, hash_key = new_key(), secrets.token_urlsafe(48)
        if write or write_hash_key:
            if write:
                _write(Path(write), key)
                self.stdout.write(f"Personal data key written to {write}.")
            if write_hash_key:
                _write(Path(write_hash_key), hash_key)
                self.stdout.write(f"Personal data hash key written to {write_hash_key}.")
            return
        self.stdout.write(f"PERSONAL_DATA_KEYS={key}\nPERSONAL_DATA_HASH_KEY={hash_key}")
