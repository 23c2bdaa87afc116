"""manage.py bid_keys [--write FILE]: make a new key for encrypting bids at rest (ADR 7)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from competitions.sealing import new_key


class Command(BaseCommand):
    help = (
        "Make a new Fernet key for BID_ENCRYPTION_KEYS. Keep it outside the database and its backups. "
        "To rotate, put the new key first (old keys after it) and run manage.py reencrypt_bids."
    )

    def add_arguments(self, parser):
        parser.add_argument("--write", help="Write the key to this file (refuses to overwrite one).")

    def handle(self, *args, write: str | None = None, **options):
        key = new_key()
        if write:
            path = Path(write)
            if path.exists():
                raise CommandError(f"{path} exists already: a bid key is never overwritten (bids would be lost).")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch(mode=0o600)
            path.write_text(key + "\n")
            self.stdout.write(f"Bid encryption key written to {path}.")
            return
        self.stdout.write(f"BID_ENCRYPTION_KEYS={key}")
