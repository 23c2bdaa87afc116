"""manage.py reencrypt_bids: re-encrypt every sealed bid value and document under the newest key."""

from django.core.management.base import BaseCommand, CommandError

from competitions.sealing import SealBroken
from competitions.services.sealing import bids_reencrypt


class Command(BaseCommand):
    help = (
        "Re-encrypt all bid content and bid documents under the first key in BID_ENCRYPTION_KEYS, so "
        "older keys can then be removed. Safe to run again: values already under the newest key are left."
    )

    def handle(self, *args, **options):
        try:
            counts = bids_reencrypt()
        except SealBroken as exc:
            raise CommandError(
                f"{exc}. The database was left as it was; documents already done stay readable under the new key."
            ) from exc
        self.stdout.write(
            f"Re-encrypted {counts['values']} values and {counts['files']} documents "
            f"({counts['current']} were already under the newest key)."
        )
