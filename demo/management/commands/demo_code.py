from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from demo.world import demo_code


class Command(BaseCommand):
    help = "Print the sign-in code a demo staff member's authenticator app would show now (demo only)."

    def add_arguments(self, parser):
        parser.add_argument("email", help="The demo staff member's email address.")

    def handle(self, *args, email: str, **options):
        # Anyone who can run this could sign in as any member of staff: never on a real service.
        if not settings.DEBUG:
            raise CommandError("demo_code is for the demo only. It refuses to run when DEBUG is off.")
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No account has the email address {email}.")
        try:
            code = demo_code(user)
        except TOTPDevice.DoesNotExist:
            raise CommandError(f"{email} has not set up an authenticator app.") from None
        self.stdout.write(code)
