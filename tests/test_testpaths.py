"""Every app's tests run in `make test`: pytest collects only the folders in `testpaths`, so an app
left out of that list has tests that never run in CI (referrals and volumes were left out once,
and their tests ran only when someone named them)."""

import tomllib
from pathlib import Path

from django.apps import apps

ROOT = Path(__file__).resolve().parent.parent


def test_every_app_with_tests_is_in_testpaths():
    testpaths = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]["testpaths"])
    ours = [Path(config.path) for config in apps.get_app_configs() if Path(config.path).is_relative_to(ROOT)]
    with_tests = {path.relative_to(ROOT).parts[0] for path in ours if any(path.glob("tests/test_*.py"))}
    assert with_tests, "no app of ours has tests: the check itself is wrong"
    assert with_tests - testpaths == set()
