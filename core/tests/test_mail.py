"""E-mail from tasks (core.mail), retried while the mailer fails; each mailer configured with only
its own options (config/settings/backends.py); GOV.UK Notify behind Django's mail interface, tried
against a fake Notify API on localhost (never the real one)."""

from __future__ import annotations

import datetime
import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import mailers
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from config.settings.backends import CONSOLE, FILE, NOTIFY, SMTP, mailer_from_env
from core.mail import deliver_email, forget_sent_emails, retry_delay, send_email
from tests.mail_tasks import DATABASE_TASKS, LOCMEM, make_due, run_task_worker, smtp_down

SERVICE_ID = "26785a09-ab16-4eb0-8407-a37497a57506"
SECRET = "3d844edf-8d35-48ac-975b-e847b4f122b0"
NOTIFY_KEY = f"cps_test-{SERVICE_ID}-{SECRET}"
TEMPLATE_ID = "f33517ff-2a88-4f6e-b855-c550268ce08a"
ADDRESS = "sam.bidder@example.org"
BODY = "Your organisation sent its bid."


# --- Each mailer gets only its own options --------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "backend"),
    [
        ({}, SMTP),
        ({"EMAIL_BACKEND": "smtp", "EMAIL_HOST": "mail.example.org", "EMAIL_PORT": "587"}, SMTP),
        ({"EMAIL_BACKEND": "console", "EMAIL_HOST": "mail.example.org"}, CONSOLE),
        ({"EMAIL_BACKEND": "file", "EMAIL_HOST": "mail.example.org"}, FILE),
        ({"EMAIL_BACKEND": CONSOLE, "EMAIL_PORT": "25"}, CONSOLE),
        ({"EMAIL_BACKEND": "notify", "NOTIFY_API_KEY": NOTIFY_KEY, "NOTIFY_TEMPLATE_ID": TEMPLATE_ID}, NOTIFY),
    ],
)
def test_every_mailer_starts_with_the_options_the_environment_gives(env, backend, settings, tmp_path):
    env = {**env, "EMAIL_FILE_PATH": str(tmp_path)} if env.get("EMAIL_BACKEND") == "file" else env
    settings.MAILERS = {"default": mailer_from_env(env, base_dir=tmp_path)}
    mailer = mailers.default
    assert f"{type(mailer).__module__}.{type(mailer).__qualname__}" == backend


def test_smtp_gets_a_timeout_so_a_silent_server_cannot_hold_a_worker():
    options = mailer_from_env({"EMAIL_BACKEND": "smtp"}, base_dir=None)["OPTIONS"]
    assert options["timeout"] == 10 and options["port"] == 25


@pytest.mark.parametrize("missing", ["NOTIFY_API_KEY", "NOTIFY_TEMPLATE_ID"])
def test_notify_without_its_key_or_template_refuses_to_start(missing):
    env = {"EMAIL_BACKEND": "notify", "NOTIFY_API_KEY": NOTIFY_KEY, "NOTIFY_TEMPLATE_ID": TEMPLATE_ID}
    del env[missing]
    with pytest.raises(ImproperlyConfigured, match=missing):
        mailer_from_env(env, base_dir=None)


# --- From a task, retried ---------------------------------------------------------------------------


def event(record: logging.LogRecord) -> str:
    return record.getMessage().split(":")[0]


def test_retry_waits_double_each_time_up_to_a_limit(settings):
    settings.EMAIL_RETRY_SECONDS = 60
    settings.EMAIL_RETRY_MAX_SECONDS = 3600
    assert [retry_delay(n).total_seconds() for n in range(1, 9)] == [60, 120, 240, 480, 960, 1920, 3600, 3600]


@pytest.mark.django_db
def test_send_email_only_enqueues(settings):
    settings.TASKS = DATABASE_TASKS
    send_email(to=[ADDRESS], subject="Receipt", body=BODY)
    assert mail.outbox == []
    [queued] = DBTaskResult.objects.all()
    assert queued.task_path == "core.mail.deliver_email"
    assert queued.args_kwargs["kwargs"] == {"to": [ADDRESS], "subject": "Receipt", "body": BODY}


@pytest.mark.django_db
def test_send_email_to_nobody_enqueues_nothing(settings):
    settings.TASKS = DATABASE_TASKS
    send_email(to=["", ""], subject="Receipt", body=BODY)
    assert not DBTaskResult.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_failed_send_is_tried_again_later_and_goes_once_the_server_is_back(settings):
    settings.TASKS = DATABASE_TASKS
    settings.MAILERS = smtp_down()
    before = timezone.now()
    send_email(to=[ADDRESS], subject="Receipt", body=BODY)
    run_task_worker()
    assert mail.outbox == []
    [retry] = DBTaskResult.objects.filter(status="READY")
    assert retry.args_kwargs["kwargs"]["attempt"] == 2
    # Not at once: after the first wait.
    assert retry.run_after >= before + retry_delay(1)
    run_task_worker()
    assert DBTaskResult.objects.filter(status="READY").count() == 1  # nothing due yet

    settings.MAILERS = LOCMEM
    make_due()
    run_task_worker()
    assert [(m.to, m.subject, m.body) for m in mail.outbox] == [([ADDRESS], "Receipt", BODY)]
    assert not DBTaskResult.objects.filter(status="READY").exists()


@pytest.mark.django_db(transaction=True)
def test_after_the_last_attempt_the_failure_is_logged_without_address_or_body(settings, caplog):
    settings.TASKS = DATABASE_TASKS
    settings.MAILERS = smtp_down()
    settings.EMAIL_MAX_ATTEMPTS = 3
    send_email(to=[ADDRESS], subject="Receipt", body=BODY)
    with caplog.at_level(logging.INFO, logger="core.mail"):
        for _ in range(5):
            make_due()
            run_task_worker()
    assert DBTaskResult.objects.count() == 3  # three attempts, then no more
    assert not DBTaskResult.objects.filter(status="READY").exists()
    assert [event(r) for r in caplog.records if r.name == "core.mail"] == [
        "email.retry_scheduled",
        "email.retry_scheduled",
        "email.failed",
    ]
    failed = next(r for r in caplog.records if event(r) == "email.failed")
    assert failed.levelno == logging.ERROR and failed.attempt == 3 and failed.error == "ConnectionRefusedError"
    logged = caplog.text + " ".join(str(value) for r in caplog.records for value in vars(r).values())
    assert ADDRESS not in logged and BODY not in logged


@pytest.mark.django_db
def test_in_tests_tasks_run_at_once_so_the_suite_reads_every_email():
    # config/settings/test.py runs tasks immediately: the e-mail link guard sees each message.
    send_email(to=[ADDRESS], subject="Receipt", body=BODY)
    assert [m.to for m in mail.outbox] == [[ADDRESS]]


@pytest.mark.django_db
def test_without_deferred_tasks_a_failure_is_final_and_never_raised_into_the_caller(settings, caplog):
    settings.MAILERS = smtp_down()
    with caplog.at_level(logging.ERROR, logger="core.mail"):
        result = deliver_email.enqueue(to=[ADDRESS], subject="Receipt", body=BODY)
    assert result.return_value == "failed"
    assert [event(r) for r in caplog.records] == ["email.failed"]


# --- GOV.UK Notify, against a fake Notify API on localhost ---------------------------------------------


class FakeNotify(BaseHTTPRequestHandler):
    received: list[dict]
    status = 201
    fail_for: set[str] = set()  # addresses Notify answers with a server error

    def do_POST(self):  # noqa: N802 - http.server's name
        length = int(self.headers["Content-Length"])
        self.received.append(
            {"path": self.path, "auth": self.headers["Authorization"], "body": json.loads(self.rfile.read(length))}
        )
        status = 500 if self.received[-1]["body"]["email_address"] in self.fail_for else self.status
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps({"id": "1"} if status == 201 else {"errors": [{"error": "x"}]}).encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_notify():
    handler = type("Handler", (FakeNotify,), {"received": [], "fail_for": set()})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield handler, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def notify_mailer(base_url: str) -> dict:
    env = {
        "EMAIL_BACKEND": "notify",
        "NOTIFY_API_KEY": NOTIFY_KEY,
        "NOTIFY_TEMPLATE_ID": TEMPLATE_ID,
        "NOTIFY_BASE_URL": base_url,
    }
    return {"default": mailer_from_env(env, base_dir=None)}


@pytest.mark.django_db
def test_notify_sends_each_address_the_generic_template_with_subject_and_body(settings, fake_notify):
    handler, base_url = fake_notify
    settings.MAILERS = notify_mailer(base_url)
    send_email(to=[ADDRESS, "kim@example.org"], subject="Receipt: your bid", body=BODY)
    assert [r["body"] for r in handler.received] == [
        {
            "email_address": address,
            "template_id": TEMPLATE_ID,
            "personalisation": {"subject": "Receipt: your bid", "body": BODY},
        }
        for address in (ADDRESS, "kim@example.org")
    ]
    assert {r["path"] for r in handler.received} == {"/v2/notifications/email"}
    # Signed with the key's secret, naming the service, as Notify checks.
    token = handler.received[0]["auth"].removeprefix("Bearer ")
    assert jwt.decode(token, SECRET, algorithms=["HS256"])["iss"] == SERVICE_ID


@pytest.mark.django_db(transaction=True)
def test_notify_errors_are_retried(settings, fake_notify):
    handler, base_url = fake_notify
    settings.TASKS = DATABASE_TASKS
    settings.MAILERS = notify_mailer(base_url)
    handler.status = 500
    send_email(to=[ADDRESS], subject="Receipt", body=BODY)
    run_task_worker()
    assert len(handler.received) == 1
    assert DBTaskResult.objects.filter(status="READY").get().args_kwargs["kwargs"]["attempt"] == 2
    handler.status = 201
    make_due()
    run_task_worker()
    assert len(handler.received) == 2 and not DBTaskResult.objects.filter(status="READY").exists()


# --- Nothing kept longer than needed ---------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_sent_emails_leave_the_task_table_and_failures_go_after_a_while(settings):
    settings.TASKS = DATABASE_TASKS
    settings.EMAIL_MAX_ATTEMPTS = 1
    settings.EMAIL_KEEP_FAILED_DAYS = 14
    settings.MAILERS = LOCMEM
    send_email(to=[ADDRESS], subject="Sent", body=BODY)
    run_task_worker()
    settings.MAILERS = smtp_down()
    send_email(to=[ADDRESS], subject="Failed", body=BODY)
    run_task_worker()
    assert DBTaskResult.objects.count() == 2
    assert forget_sent_emails.call() == 1
    [kept] = DBTaskResult.objects.all()
    assert kept.args_kwargs["kwargs"]["subject"] == "Failed" and kept.return_value == "failed"
    DBTaskResult.objects.update(finished_at=timezone.now() - datetime.timedelta(days=15))
    assert forget_sent_emails.call() == 1
    assert not DBTaskResult.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_password_reset_is_retried_without_its_link_ever_being_stored(settings):
    from django.contrib.auth.tokens import default_token_generator

    from accounts import services
    from tests.factories import UserFactory

    settings.TASKS = DATABASE_TASKS
    settings.MAILERS = smtp_down()
    user = UserFactory(email=ADDRESS)
    services.password_reset_request(email=ADDRESS)
    run_task_worker()
    assert mail.outbox == []
    [retry] = DBTaskResult.objects.filter(status="READY")
    assert retry.task_path == "accounts.tasks.send_password_reset"
    assert retry.args_kwargs["kwargs"] == {"user_id": user.pk, "attempt": 2}

    settings.MAILERS = LOCMEM
    make_due()
    run_task_worker()
    [message] = mail.outbox
    link = next(line for line in message.body.splitlines() if line.startswith("http"))
    assert default_token_generator.check_token(user, link.rstrip("/").split("/")[-1])
    stored = json.dumps([row.args_kwargs for row in DBTaskResult.objects.all()])
    assert link.rstrip("/").split("/")[-1] not in stored and "reset" not in stored


@pytest.mark.django_db(transaction=True)
def test_when_notify_fails_part_way_only_the_addresses_not_sent_are_tried_again(settings, fake_notify):
    handler, base_url = fake_notify
    settings.TASKS = DATABASE_TASKS
    settings.MAILERS = notify_mailer(base_url)
    handler.fail_for = {"kim@example.org"}
    send_email(to=[ADDRESS, "kim@example.org", "lee@example.org"], subject="Receipt", body=BODY)
    run_task_worker()
    assert [r["body"]["email_address"] for r in handler.received] == [ADDRESS, "kim@example.org"]
    [retry] = DBTaskResult.objects.filter(status="READY")
    assert retry.args_kwargs["kwargs"]["to"] == ["kim@example.org", "lee@example.org"]
    handler.fail_for = set()
    make_due()
    run_task_worker()
    assert [r["body"]["email_address"] for r in handler.received] == [
        ADDRESS,
        "kim@example.org",
        "kim@example.org",
        "lee@example.org",
    ]
