"""Project set-up: the conda environment, CI and README agree with pyproject."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ;]", requirement, maxsplit=1)[0].lower()


def test_environment_yml_lists_every_runtime_dependency():
    """Every dependency in pyproject.toml also appears in environment.yml."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = {_name(dep) for dep in env["dependencies"] if isinstance(dep, str)}
    conda |= {_name(dep) for section in env["dependencies"] if isinstance(section, dict) for dep in section["pip"]}
    missing = {_name(dep) for dep in project["dependencies"]} - conda
    assert not missing, f"add to environment.yml: {sorted(missing)}"


def test_ci_runs_the_readme_test_command():
    """.ci/run calls `make test`, the test command the README gives."""
    assert re.search(r"^make test$", (ROOT / ".ci" / "run").read_text(), re.M)
    assert "make test" in (ROOT / "README.md").read_text()
    assert "make report" in (ROOT / "README.md").read_text()


def test_prescribed_top_level_exists():
    """The prescribed top-level layout is in place."""
    for name in ["notebooks", "cxstats", "data/raw", "data/processed", "tests",
                 "environment.yml", "README.md", "pyproject.toml", "Makefile", "benchmarks"]:
        assert (ROOT / name).exists(), name
