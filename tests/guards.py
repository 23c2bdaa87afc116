"""Suite-wide guards (a pytest plugin loaded by the root conftest).

- Every link in every e-mail a test sends is absolute, on the service and leads to a page
  (`tests.email_links`): checked after each test, which fails on a bad link.
"""

from __future__ import annotations

import pytest

from tests import email_links


def _fail_on_bad_email_links() -> None:
    problems = [problem for sent in email_links.take_sent() for problem in email_links.link_problems(**vars(sent))]
    if problems:
        pytest.fail("E-mails sent with bad links:\n" + "\n".join(problems), pytrace=False)


@pytest.fixture(autouse=True)
def _email_links_are_absolute_and_lead_to_pages():
    email_links.take_sent()  # nothing from before this test
    yield
    # Anything sent while fixtures were torn down (the test's own e-mails were checked when it ended).
    _fail_on_bad_email_links()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    result = yield
    # The test itself fails (not only its teardown) when an e-mail it sent has a bad link.
    _fail_on_bad_email_links()
    return result


def pytest_configure(config):
    email_links.record_sent_mail()
