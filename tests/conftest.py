"""Shared fixtures: a folder for small survey files written by a test."""

import textwrap

import pytest
from hypothesis import settings

# Property tests run the same examples on every run (no flaky failures on a loaded machine): a fixed seed, and no
# per-example deadline (a brute-force oracle can take longer than 200 ms on two busy cores).
settings.register_profile("cxstats", derandomize=True, deadline=None)
settings.load_profile("cxstats")

GOOD_SURVEY = """\
id: tiny
title: Tiny test survey
publisher: Test
year: 2024
population: testers
n: 250
source: made in a test
quoted_in: nowhere
figures:
  - id: likes_tests
    statement: Like tests
    kind: share
    values:
      - {group: managers, value: 80, n: 250}
"""


@pytest.fixture
def survey_dir(tmp_path):
    """Return a function that writes one YAML survey file and returns its folder."""

    def write(text=GOOD_SURVEY, name="tiny"):
        (tmp_path / f"{name}.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
        return tmp_path

    return write


ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def built_reports(tmp_path_factory):
    """Every notebook built once through the `cxstats report` command itself: (exit code, output folder)."""
    from cxstats.cli import main
    from cxstats.report import discover_notebooks

    out = tmp_path_factory.mktemp("reports")
    notebooks = [str(p) for p in discover_notebooks(ROOT / "notebooks")]
    code = main(["report", *notebooks, "--out", str(out), "--jobs", "2"])
    return code, out
