"""The route coverage guard: a run of the whole suite fails on a URL pattern no test requested."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.urls import resolve, reverse

from tests import routes
from tests.subrun import run_pytest


def test_routes_are_spelled_as_resolver_matches_spell_them():
    every = routes.project_routes()
    for name, kwargs in [
        ("core:start", {}),
        ("core:help", {}),
        ("competitions:opportunity", {"competition_id": 7}),
        ("competitions:bid-receipt", {"competition_id": 7}),
    ]:
        assert resolve(reverse(name, kwargs=kwargs)).route in every
    assert resolve("/api/v1/reference/areas").route in every


def test_exclusions_cover_a_prefix_or_one_route():
    excluded = {"admin/": "Django's", "healthz": "probes"}
    assert routes.is_excluded("admin/", excluded)
    assert routes.is_excluded("admin/auth/user/<path:object_id>/", excluded)
    assert routes.is_excluded("healthz", excluded)
    assert not routes.is_excluded("healthz2", excluded)
    assert not routes.is_excluded("administration/", excluded)


def test_every_exclusion_names_routes_that_exist_and_gives_a_reason():
    every = routes.project_routes()
    for rule, reason in routes.EXCLUDED.items():
        assert reason.strip(), rule
        assert any(routes.is_excluded(route, {rule: reason}) for route in every), f"{rule} excludes nothing"


def test_unreached_merges_every_process_and_ignores_exclusions():
    every = {"", "help/", "opportunities/<int:competition_id>/", "admin/", "admin/login/"}
    controller, worker_1, worker_2 = {"help/"}, ["opportunities/<int:competition_id>/"], []
    reached = routes.merge(controller, worker_1, worker_2, None)
    assert routes.unreached(every, reached, {"admin/": "Django's"}) == [""]
    assert routes.unreached(every, reached | {""}, {"admin/": "Django's"}) == []


def _config(args_source="testpaths", **options):
    defaults = {"keyword": "", "markexpr": "", "lf": False, "failedfirst": False, "deselect": None, "ignore": None}
    return SimpleNamespace(
        option=SimpleNamespace(**(defaults | options)),
        args_source=getattr(pytest.Config.ArgsSource, args_source.upper()),
        ArgsSource=pytest.Config.ArgsSource,
    )


@pytest.mark.parametrize(
    ("config", "whole"),
    [
        (_config(), True),
        (_config(args_source="args"), False),  # a path or node id
        (_config(keyword="email"), False),
        (_config(markexpr="not browser"), False),
        (_config(lf=True), False),
        (_config(deselect=["tests/test_x.py::test_y"]), False),
        (_config(ignore=["tests"]), False),
    ],
)
def test_only_a_run_of_the_whole_suite_is_judged(config, whole):
    assert routes.is_whole_suite(config) is whole


def test_a_whole_run_that_leaves_routes_unreached_fails_across_xdist_workers(tmp_path):
    """Two example tests, as if they were the whole suite, on two xdist workers: the run fails and
    lists every route but the two they requested."""
    code, output = run_pytest(
        "-o", "testpaths=tests", "-o", "python_files=example_routes.py", "-n", "2", "--dist", "load", tmp_path=tmp_path
    )
    assert code == 1, output
    assert "2 passed" in output, output
    assert "URL patterns no test requested" in output, output
    listed = output.split("URL patterns no test requested", 1)[1]
    assert "  privacy/\n" in listed, output
    assert "  help/\n" not in listed and "  accessibility/\n" not in listed, output
    assert "admin/" not in listed, output
