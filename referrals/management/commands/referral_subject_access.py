"""manage.py referral_subject_access CRN [--output FILE]: everything held about one person (JSON)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from referrals.sealing import crn_is_valid, normalise_crn
from referrals.services import referral_subject_access_export


class Command(BaseCommand):
    help = (
        "Export everything held about the person with this case reference number, across every "
        "referral, as JSON, for a subject access request. The export is audited (without the number)."
    )

    def add_arguments(self, parser):
        parser.add_argument("crn", help="The case reference number, e.g. X123456")
        parser.add_argument("--output", help="Write the JSON to this file (created readable by its owner only).")

    def handle(self, *args, crn: str, output: str | None = None, **options):
        crn = normalise_crn(crn)
        if not crn_is_valid(crn):
            raise CommandError("Enter a case reference number in the correct format, like X123456")
        text = referral_subject_access_export(crn=crn)
        if output:
            path = Path(output)
            path.touch(mode=0o600)
            path.write_text(text)
            self.stdout.write(f"Written to {path}.")
        else:
            self.stdout.write(text)
