"""Property tests run without a per-example deadline and, by default, on the same examples every run."""

import os
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.shared import REPOSITORY


def test_the_default_profile_has_no_deadline_and_leaves_nothing_in_the_repository():
    current = settings()
    assert current.deadline is None
    if os.environ.get("HYPOTHESIS_PROFILE", "ci") == "ci":
        assert current.derandomize is True
        assert current.database is None
    # Hypothesis also caches constants on disk: under var/, which git ignores.
    storage = Path(os.environ["HYPOTHESIS_STORAGE_DIRECTORY"]).resolve()
    assert storage.is_relative_to(REPOSITORY / "var") or not storage.is_relative_to(REPOSITORY)


@given(st.integers())
def test_a_property_test_runs_under_the_profile(number):
    assert settings().deadline is None
