"""Suite-wide guards (a pytest plugin loaded by the root conftest).

- Every link in every e-mail a test sends is absolute, on the service and leads to a page
  (`tests.email_links`): checked after each test, which fails on a bad link.
- Every URL pattern is requested by some test (`tests.routes`): checked once a run of the whole suite
  has passed; the run fails on a route no test reached.
"""

from __future__ import annotations

import pytest

from tests import email_links, routes

_UNREACHED_KEY = pytest.StashKey[list[str]]()


def _fail_on_bad_email_links() -> None:
    problems = [problem for sent in email_links.take_sent() for problem in email_links.link_problems(**vars(sent))]
    if problems:
        pytest.fail("E-mails sent with bad links:\n" + "\n".join(problems), pytrace=False)


@pytest.fixture(autouse=True)
def _email_links_are_absolute_and_lead_to_pages():
    # Anything sent outside any test (a session fixture starting up) is checked here, not dropped.
    _fail_on_bad_email_links()
    yield
    # Anything sent while fixtures were torn down (the test's own e-mails were checked when it ended).
    _fail_on_bad_email_links()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    result = yield
    # The test itself fails (not only its teardown) when an e-mail it sent has a bad link.
    _fail_on_bad_email_links()
    return result


def _is_xdist_worker(config) -> bool:
    return hasattr(config, "workerinput")


class _WorkerRoutes:
    """On the xdist controller: the routes each worker reports when it finishes."""

    def __init__(self):
        self.parts: list[list[str]] = []

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node, error):
        self.parts.append(getattr(node, "workeroutput", {}).get("reached_routes", []))


def pytest_configure(config):
    email_links.record_sent_mail()
    if not _is_xdist_worker(config):
        config.pluginmanager.register(_WorkerRoutes(), "route-coverage-workers")


def pytest_sessionfinish(session, exitstatus):
    config = session.config
    if _is_xdist_worker(config):
        # Sent back to the controller with the worker's other results.
        config.workeroutput["reached_routes"] = sorted(routes.reached_routes())
        return
    if exitstatus != pytest.ExitCode.OK or not routes.is_whole_suite(config):
        return
    workers = config.pluginmanager.get_plugin("route-coverage-workers")
    reached = routes.merge(routes.reached_routes(), *workers.parts)
    missing = routes.unreached(routes.project_routes(), reached)
    if missing:
        config.stash[_UNREACHED_KEY] = missing
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    missing = config.stash.get(_UNREACHED_KEY, None)
    if missing:
        terminalreporter.section("URL patterns no test requested", sep="=", red=True, bold=True)
        for route in missing:
            terminalreporter.line(f"  {route or '(the start page)'}")
        terminalreporter.line(
            f"{len(missing)} route(s) unreached: add a test that requests each, or list it with a reason in "
            "tests/routes.py EXCLUDED."
        )
