from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from audit.signing import new_key_pair


class Command(BaseCommand):
    help = (
        "Make a new Ed25519 key pair for signing audit checkpoints. Keep the private key outside the "
        "database (AUDIT_SIGNING_KEY for the task timetable only); publish the public key (AUDIT_VERIFY_KEYS)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--write", help="Write the private key to this file (refuses to overwrite one).")

    def handle(self, *args, write: str | None = None, **options):
        private, public = new_key_pair()
        if write:
            path = Path(write)
            if path.exists():
                raise CommandError(f"{path} exists already: a checkpoint key is never overwritten.")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch(mode=0o600)
            path.write_text(private + "\n")
            self.stdout.write(f"Private key written to {path}. Public key (AUDIT_VERIFY_KEYS): {public}")
            return
        self.stdout.write(f"AUDIT_SIGNING_KEY={private}\nAUDIT_VERIFY_KEYS={public}")
