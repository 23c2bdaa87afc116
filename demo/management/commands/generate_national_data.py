"""manage.py generate_national_data --scale N [--seed S] [--today YYYY-MM-DD] [--force]"""

import datetime
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.models import Organisation
from demo.national import GENERATED_DOMAIN, generate_national_data


class Command(BaseCommand):
    help = (
        "Generate a synthetic national world: organisations and each step of joining they reached, their "
        "qualifications, and competitions, bids, scores, awards and contracts from at least ten years back "
        "(each contract with a claim for every month delivered) to two financial years of plans ahead. "
        "Writes no audit events: development only."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale", type=float, default=1.0, help="1 makes about 2,400 organisations, about 2,000 of them qualified."
        )
        parser.add_argument("--seed", type=int, default=2026, help="The same seed makes the same world.")
        parser.add_argument(
            "--today",
            type=datetime.date.fromisoformat,
            default=None,
            help="Lay the world out around this date (YYYY-MM-DD) instead of today.",
        )
        parser.add_argument("--force", action="store_true", help="Run even when DEBUG is off.")

    def handle(self, *args, scale: float, seed: int, today, force: bool, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "Generated data bypasses the audit trail and is for development. Use --force to run with DEBUG off."
            )
        if scale <= 0:
            raise CommandError("Scale must be more than 0")
        if Organisation.objects.filter(contact_email__endswith=f"@{GENERATED_DOMAIN}").exists():
            raise CommandError("This database already holds generated data. Use a fresh database.")
        started = time.monotonic()
        world = generate_national_data(
            scale=scale, seed=seed, today=today, progress=lambda text: self.stdout.write(f"  {text}")
        )
        self.stdout.write(f"Generated in {time.monotonic() - started:.1f} seconds:")
        for name, value in vars(world).items():
            self.stdout.write(f"  {name.replace('_', ' ')}: {value:,}")
