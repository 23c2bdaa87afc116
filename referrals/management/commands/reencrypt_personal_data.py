"""manage.py reencrypt_personal_data: every sealed personal value under the newest key (ADR 12)."""

from django.core.management.base import BaseCommand, CommandError

from core.sealing import SealBroken
from referrals.services import personal_data_reencrypt


class Command(BaseCommand):
    help = (
        "Re-encrypt the personal data of every referral under the first key in PERSONAL_DATA_KEYS, and "
        "hash every case reference number again under PERSONAL_DATA_HASH_KEY, so older keys can then be "
        "removed. Safe to run again: values already under the newest key are left."
    )

    def handle(self, *args, **options):
        try:
            counts = personal_data_reencrypt()
        except SealBroken as exc:
            raise CommandError(f"{exc}. The database was left as it was.") from exc
        self.stdout.write(
            f"Re-encrypted {counts['values']} values ({counts['current']} were already under the newest key); "
            f"{counts['hashes']} case reference numbers hashed again."
        )
