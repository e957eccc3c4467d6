"""Project set-up: packaging, dependencies, the conda environment, CI and README agree with pyproject."""

import ast
import functools
import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import yaml
from packaging.requirements import Requirement

import cxstats

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
PROJECT = PYPROJECT["project"]
EXTRAS = PROJECT["optional-dependencies"]

# Declared dependencies that cxstats does not import but uses through another library.
USED_THROUGH = {
    "openpyxl": "pandas.read_excel (io.py)",
    "pyarrow": "pandas.read_parquet (io.py) and Ibis's to_pyarrow (wtp.py)",
    "duckdb": "ibis.duckdb.connect (design.py)",
    "ipykernel": "the python3 kernel papermill runs the notebooks in (report.py)",
    "jupyterlab": "the notebook interface to open, edit and rerun the reports by hand (report extra)",
}


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _names(requirements) -> set[str]:
    return {_canonical(Requirement(r).name) for r in requirements} - {"cxstats"}


CORE = _names(PROJECT["dependencies"])
REPORT = _names(EXTRAS["report"])


def _optional(node) -> bool:
    """A ``try`` whose ``except ImportError`` makes the imports in its body optional."""
    if not isinstance(node, ast.Try):
        return False
    caught = {n.id for h in node.handlers if h.type for n in ast.walk(h.type) if isinstance(n, ast.Name)}
    return bool(caught & {"ImportError", "ModuleNotFoundError"})


def _imported(tree, module_level_only=False) -> set[str]:
    """Top-level names of the required absolute imports in a syntax tree (optionally outside functions only)."""
    found, stack = set(), [tree]
    while stack:
        node = stack.pop()
        if module_level_only and isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue
        if _optional(node):
            stack.extend([*node.handlers, *node.orelse, *node.finalbody])
            continue
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            found.add(node.module.split(".")[0])
        stack.extend(ast.iter_child_nodes(node))
    return found - set(sys.stdlib_module_names) - {"cxstats", "__future__"}


@functools.cache
def _providers() -> dict:
    return importlib.metadata.packages_distributions()


def _distributions(modules) -> set[str]:
    """The installed distributions that provide these importable names."""
    providers = _providers()
    unknown = sorted(m for m in modules if m not in providers)
    assert not unknown, f"imported but not installed: {unknown}"
    return {_canonical(dist) for m in modules for dist in providers[m]}


def _module_trees():
    return {path.name: ast.parse(path.read_text(), str(path)) for path in sorted((ROOT / "cxstats").glob("*.py"))}


def test_library_imports_only_core_dependencies():
    """cxstats imports only its core dependencies, except the report pipeline (report.py and the notebook parameters
    it reads, _parameters.py) inside its functions (the report extra)."""
    for name, tree in _module_trees().items():
        allowed = CORE | REPORT if name in ("report.py", "_parameters.py") else CORE
        extra = _distributions(_imported(tree)) - allowed
        assert not extra, f"cxstats/{name} imports {sorted(extra)}: declare them in pyproject.toml"
        at_import = _distributions(_imported(tree, module_level_only=True)) - CORE
        assert not at_import, f"`import cxstats` would need {sorted(at_import)} (cxstats/{name})"


def test_every_dependency_is_used():
    """Each core dependency is imported by cxstats or used through a library; each report one by report.py."""
    trees = _module_trees()
    used = _distributions(set().union(*(_imported(t) for t in trees.values()))) | set(USED_THROUGH)
    assert not CORE - used, f"declared but never used by cxstats: {sorted(CORE - used)}"
    used_by_report = _distributions(_imported(trees["report.py"])) | set(USED_THROUGH)
    assert not REPORT - used_by_report, f"report extra not used by report.py: {sorted(REPORT - used_by_report)}"


def test_notebooks_import_only_declared_dependencies():
    """What the notebooks import is installed by `pip install cxstats[report]`."""
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = json.loads(path.read_text())["cells"]
        code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        extra = _distributions(_imported(ast.parse(code))) - CORE - REPORT
        assert not extra, f"{path.name} imports {sorted(extra)}"


def test_dev_extra_installs_the_report_stack():
    """`make` installs `.[dev]`; the test suite builds the reports, so dev includes the report extra."""
    assert "cxstats[report]" in EXTRAS["dev"]


def test_version_is_declared_once():
    """pyproject reads the version from cxstats.__version__, the one place it is written."""
    assert "version" not in PROJECT and "version" in PROJECT["dynamic"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "cxstats.__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+\S*", cxstats.__version__)


def _pyproject_requirements() -> dict:
    reqs = PROJECT["dependencies"] + [r for group in EXTRAS.values() for r in group]
    return {_canonical(r.name): r for r in map(Requirement, reqs) if r.name != "cxstats"}


def _conda_requirements() -> dict:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    reqs = [d for d in env["dependencies"] if isinstance(d, str)]
    reqs += [d for section in env["dependencies"] if isinstance(section, dict) for d in section["pip"]]
    parsed = [Requirement(r) for r in reqs if not r.startswith("-e ")]
    return {_canonical(r.name): r for r in parsed if r.name not in ("python", "pip")}


def test_environment_yml_matches_pyproject_both_ways():
    """environment.yml lists exactly pyproject's dependencies and extras, with the same bounds."""
    project, conda = _pyproject_requirements(), _conda_requirements()
    assert not set(project) - set(conda), f"add to environment.yml: {sorted(set(project) - set(conda))}"
    assert not set(conda) - set(project), f"not in pyproject.toml: {sorted(set(conda) - set(project))}"
    for name, req in project.items():
        assert (req.specifier, req.extras) == (conda[name].specifier, conda[name].extras), name


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


def _run(args, **kwargs):
    done = subprocess.run(args, capture_output=True, text=True, timeout=600, **kwargs)
    assert done.returncode == 0, f"{' '.join(map(str, args))}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def test_wheel_ships_the_data_and_works_outside_the_checkout(tmp_path):
    """A wheel built from the sources holds every file of data/raw; installed elsewhere, it loads and lists them.

    The sources are copied so the build leaves nothing in the checkout. The wheel is installed without its
    dependencies, which come from this environment, and run with -S from a folder outside the checkout, so
    neither the checkout nor an editable install of it can be what answers.
    """
    src = tmp_path / "src"
    src.mkdir()
    for name in ["pyproject.toml", "README.md"]:
        shutil.copy2(ROOT / name, src / name)
    for name in ["cxstats", "data"]:
        shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", tmp_path / "dist", src])
    (wheel,) = (tmp_path / "dist").glob("cxstats-*.whl")
    assert wheel.name.startswith(f"cxstats-{cxstats.__version__}-")

    raw = ROOT / "data" / "raw"
    with zipfile.ZipFile(wheel) as archive:
        for path in sorted(p for p in raw.rglob("*") if p.is_file()):
            name = f"cxstats/_data/raw/{path.relative_to(raw).as_posix()}"
            assert archive.read(name) == path.read_bytes(), name

    site = tmp_path / "site"
    _run([sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target", site, wheel])
    paths = sysconfig.get_paths()
    env = {k: v for k, v in os.environ.items() if k != "CXSTATS_DATA_DIR"}
    env["PYTHONPATH"] = os.pathsep.join([str(site), paths["purelib"], paths["platlib"]])
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    check = ("import cxstats; from cxstats.datasets import data_dir; "
             "df = cxstats.load('calabrio_2022').set_index(['figure', 'group']); "
             "print(cxstats.__file__, data_dir(), sep='\\n'); "
             "print(*df.loc[('meets_expectations', 'consumers'), ['count_low', 'count_high']])")
    where, data, counts = _run([sys.executable, "-S", "-c", check], cwd=outside, env=env).splitlines()
    assert Path(where) == site / "cxstats" / "__init__.py"
    assert Path(data) == site / "cxstats" / "_data"
    assert counts == "112 113"
    listing = _run([sys.executable, "-S", site / "bin" / "cxstats", "datasets"], cwd=outside, env=env)
    for path in (raw / "surveys").glob("*.yaml"):
        assert path.stem in listing



# what `import cxstats` must not load: each is imported inside the functions that use it
HEAVY = ["scipy.stats", "statsmodels", "sklearn", "stepmix", "pingouin", "matplotlib", "seaborn", "nbconvert",
         "papermill", "ibis", "duckdb", "pyspark", "numba"]


def test_import_cxstats_leaves_heavy_libraries_unimported():
    """`import cxstats` loads none of the heavy libraries; the names that need them load on first access."""
    code = ("import sys, cxstats; print(*sorted(m for m in sys.modules for h in sys.argv[1:] "
            "if m == h or m.startswith(h + '.')))")
    loaded = _run([sys.executable, "-c", code, *HEAVY]).split()
    assert not loaded, f"`import cxstats` imports {loaded}"
    assert set(cxstats.__all__) <= set(dir(cxstats))
    assert all(hasattr(cxstats, name) for name in cxstats.__all__)
    from cxstats.segment import LatentClassSegments

    assert cxstats.LatentClassSegments is LatentClassSegments
