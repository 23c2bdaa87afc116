from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.world import DEMO_PASSWORD, build_demo_world


class Command(BaseCommand):
    help = "Create (or top up) the demo world and print the demo sign-in details."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even when DEBUG is off.")

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("The demo world is for development. Use --force to load it with DEBUG off.")
        logins = build_demo_world()
        self.stdout.write("")
        self.stdout.write("Demo sign-in details (every account uses the same password):")
        self.stdout.write(f"  Password: {DEMO_PASSWORD}")
        width = max(len(email) for email, _ in logins)
        for email, what in logins:
            self.stdout.write(f"  {email.ljust(width)}  {what}")
        self.stdout.write("")
