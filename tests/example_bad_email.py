"""Example tests for the e-mail link guard, run on purpose by its own test (tests/test_email_links.py).

The file name does not match `test_*.py`, so the suite does not collect these by itself.
"""

from django.core.mail import send_mail

from core.links import service_url


def test_sends_a_relative_link():
    send_mail("Your receipt", "See it in the service: /opportunities/1/bid/receipt/", None, ["a@example.org"])


def test_sends_good_links():
    send_mail("Help", f"Open {service_url('core:help')}.", None, ["a@example.org"])
