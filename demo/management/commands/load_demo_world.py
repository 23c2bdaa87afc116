from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.story import WHAT_TO_SEE
from demo.world import DEMO_PASSWORD, NATIONAL_SCALE, build_demo_world


class Command(BaseCommand):
    help = "Create (or top up) the demo world and print the demo sign-in details."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even when DEBUG is off.")
        parser.add_argument(
            "--national-scale",
            type=float,
            default=NATIONAL_SCALE,
            help="Size of the generated national backdrop (0 for none). Made once, only in an empty database.",
        )

    def handle(self, *args, force: bool = False, national_scale: float = NATIONAL_SCALE, **options):
        if not settings.DEBUG and not force:
            raise CommandError("The demo world is for development. Use --force to load it with DEBUG off.")
        logins = build_demo_world(national_scale=national_scale or None)
        self.stdout.write("")
        self.stdout.write("Demo sign-in details (every account uses the same password):")
        self.stdout.write(f"  Password: {DEMO_PASSWORD}")
        width = max(len(email) for email, _ in logins)
        for email, what in logins:
            self.stdout.write(f"  {email.ljust(width)}  {what}")
        self.stdout.write("")
        self.stdout.write("What to look at, in Kent, Surrey and Sussex:")
        for email, what in WHAT_TO_SEE:
            self.stdout.write(f"  {email.ljust(width)}  {what}")
        self.stdout.write(
            "  Anyone, signed out: open opportunities, the pipeline, insights and the contracts register."
        )
        self.stdout.write("")
        self.stdout.write(
            "Staff also give a code from an authenticator app after their password. For the demo, get one with:"
        )
        self.stdout.write("  make demo-code EMAIL=<their email>")
        self.stdout.write("")
