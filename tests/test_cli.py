"""The cxstats command prints readable tables and readable errors."""

import time

import pytest

from cxstats.cli import main


def test_datasets_lists_every_survey(capsys, monkeypatch):
    """`cxstats datasets` prints one line per dataset, every line within a 100-column terminal."""
    from cxstats import list_datasets

    monkeypatch.setenv("COLUMNS", "100")
    assert main(["datasets"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["name", "kind", "year", "base", "figures", "title"]
    assert max(map(len, lines)) <= 100
    rows = {line.split()[0]: line.split() for line in lines[1:len(list_datasets()) + 1]}
    assert set(rows) == set(list_datasets().name)
    assert rows["accenture_2016"][1:5] == ["figures", "2016", "2,003", "13"]
    assert rows["gladly_2021"][3] == "\u2014"  # base not published
    assert rows["customer_sat"][1:4] == ["respondents", "\u2014", "1,811"]


def test_show_prints_provenance_and_figures(capsys, monkeypatch):
    """`cxstats show NAME` prints the survey's provenance and its figures with count ranges, within 100 columns."""
    monkeypatch.setenv("COLUMNS", "100")
    assert main(["show", "calabrio_2022"]) == 0
    out = capsys.readouterr().out
    assert "publisher: Calabrio" in out and max(map(len, out.splitlines())) <= 100
    row = next(line for line in out.splitlines() if line.startswith("meets_expectations   consumers"))
    assert row.split()[2:7] == ["share", "45", "250", "112", "113"]


def test_version(capsys):
    """`cxstats --version` prints the package's version."""
    from cxstats import __version__

    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0 and capsys.readouterr().out == f"cxstats {__version__}\n"


@pytest.mark.parametrize("command", [[], ["datasets"], ["show"], ["build-data"], ["report"]])
def test_help_is_plain_text_with_an_example(capsys, command):
    """Every help text reads as plain text (no reStructuredText markup) and ends with one example to type."""
    import re

    with pytest.raises(SystemExit) as exit_info:
        main([*command, "--help"])
    out = capsys.readouterr().out
    assert exit_info.value.code == 0
    assert "``" not in out and not re.search(r":(func|class|meth|data|mod):", out), out
    example = out.split("example:\n", 1)[1].strip().splitlines()
    assert len(example) == 1 and example[0].startswith("cxstats " + " ".join(command)), out


def test_report_list_parameters(tmp_path, capsys):
    """`cxstats report --list-parameters NOTEBOOK` prints each parameter, its default and comment; runs nothing."""
    nb = _parameter_notebook(tmp_path / "src" / "01_x.ipynb")
    assert main(["report", "--list-parameters", str(nb), "--out", str(tmp_path / "out")]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "01_x.ipynb: 6 parameter(s), set with -p NAME=VALUE", "  dataset = 'calabrio_2022'",
        "  conf_level = 0.95", "  ratings = ['q1']", "  overall = 'q1'", "      the outcome", "  n = 100",
        "  path = None"]
    assert not (tmp_path / "out").exists()
    plain = _tiny_notebook(tmp_path / "src" / "02_y.ipynb")
    assert main(["report", "--list-parameters", str(plain)]) == 0
    assert capsys.readouterr().out == "02_y.ipynb: no parameters\n"
    assert main(["report", "--list-parameters", str(tmp_path / "nope.ipynb")]) == 2
    assert f"no notebook at {tmp_path / 'nope.ipynb'}" in _one_line_error(capsys)


def test_report_list_parameters_of_the_bundled_notebooks(capsys, monkeypatch):
    """Without a notebook it lists every numbered notebook of notebooks/ (run from the repository)."""
    from cxstats.report import discover_notebooks

    from .conftest import ROOT

    monkeypatch.chdir(ROOT)
    assert main(["report", "--list-parameters"]) == 0
    out = capsys.readouterr().out
    for nb in discover_notebooks(ROOT / "notebooks"):
        assert f"{nb.name}: " in out


def test_show_unknown_name_is_an_error(capsys):
    """An unknown survey gives exit status 2 and a message listing valid names."""
    assert main(["show", "nope"]) == 2
    assert "unknown dataset 'nope'; available:" in capsys.readouterr().err


def _tiny_notebook(path):
    import nbformat

    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")]), str(path))
    return path


def _one_line_error(capsys):
    err = capsys.readouterr().err
    assert err.startswith("cxstats: error: ") and err.count("\n") == 1, err
    return err


def test_report_out_that_is_a_file_is_an_error(tmp_path, capsys):
    """--out naming an existing file, or a folder under a file, is refused with the path named."""
    nb = str(_tiny_notebook(tmp_path / "src" / "01_x.ipynb"))
    (tmp_path / "page.html").write_text("not a folder")
    assert main(["report", nb, "--out", str(tmp_path / "page.html")]) == 2
    assert f"output folder {tmp_path / 'page.html'} is a file" in _one_line_error(capsys)
    assert main(["report", nb, "--out", str(tmp_path / "page.html" / "sub")]) == 2
    assert f"cannot write to output folder {tmp_path / 'page.html' / 'sub'}" in _one_line_error(capsys)


def test_report_out_that_is_read_only_is_an_error(tmp_path, capsys):
    """--out naming a folder the user cannot write to is refused with the path named."""
    import os

    import pytest

    if os.geteuid() == 0:
        pytest.skip("root can write to a read-only folder")
    nb = str(_tiny_notebook(tmp_path / "src" / "01_x.ipynb"))
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    assert main(["report", nb, "--out", str(locked)]) == 2
    assert f"cannot write to output folder {locked}" in _one_line_error(capsys)


def test_report_out_among_the_notebooks_is_an_error(tmp_path, capsys, monkeypatch):
    """--out inside notebooks/, equal to it, or whose notebooks/ subfolder is it, is refused; nothing is written."""
    _tiny_notebook(tmp_path / "notebooks" / "01_x.ipynb")
    monkeypatch.chdir(tmp_path)
    for out in ["notebooks/html", "notebooks", "."]:
        assert main(["report", "--out", out]) == 2
        assert f"output folder {out} " in _one_line_error(capsys)
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["01_x.ipynb", "notebooks"]
    elsewhere = _tiny_notebook(tmp_path / "mine" / "01_y.ipynb")  # given by path, out in its own folder
    assert main(["report", str(elsewhere), "--out", str(tmp_path / "mine")]) == 2
    assert "would mix the reports with (or overwrite) the notebooks in" in _one_line_error(capsys)


def test_report_timeouts_must_be_positive_numbers(tmp_path, capsys):
    """--timeout, --cell-timeout and --jobs out of range are refused, naming the option; so are bad arguments."""
    import pytest

    from cxstats.report import build_reports

    nb = str(_tiny_notebook(tmp_path / "src" / "01_x.ipynb"))
    for option, value in [("--timeout", "0"), ("--timeout", "-5"), ("--cell-timeout", "nan"),
                          ("--cell-timeout", "inf"), ("--jobs", "0")]:
        assert main(["report", nb, "--out", str(tmp_path / "out"), option, value]) == 2
        assert f"{option} must be a positive" in _one_line_error(capsys)
    with pytest.raises(SystemExit) as exit_info:
        main(["report", nb, "--timeout", "soon"])
    assert exit_info.value.code == 2 and "--timeout: invalid float value: 'soon'" in capsys.readouterr().err
    with pytest.raises(ValueError, match="cell_timeout must be a positive number of seconds, e.g. 600; got '60'"):
        build_reports([nb], tmp_path / "out", cell_timeout="60")
    with pytest.raises(ValueError, match="notebook_timeout must be a positive number of seconds"):
        build_reports([nb], tmp_path / "out", notebook_timeout=-1)
    assert not (tmp_path / "out").exists()


def _data_dir_with(tmp_path, monkeypatch, name: str, content: bytes):
    """Point cxstats at a data folder holding one survey file with the given bytes."""
    folder = tmp_path / "raw" / "surveys"
    folder.mkdir(parents=True)
    (folder / f"{name}.yaml").write_bytes(content)
    monkeypatch.setenv("CXSTATS_DATA_DIR", str(tmp_path))


def test_show_refuses_billion_laughs_at_once(tmp_path, monkeypatch, capsys):
    """The issue's file: an alias bomb in `statement` makes `cxstats show` exit 2 at once, naming file and line."""
    from .conftest import GOOD_SURVEY

    bomb = "".join(f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]\n" for i in range(1, 12))
    text = GOOD_SURVEY.replace("publisher: Test\n", "publisher: Test\nl0: &l0 lol\n" + bomb)
    _data_dir_with(tmp_path, monkeypatch, "tiny", text.replace("statement: Like tests", "statement: *l11").encode())
    start = time.perf_counter()
    assert main(["show", "tiny"]) == 2
    assert time.perf_counter() - start < 2
    assert "cxstats: error: tiny.yaml: not valid YAML: line 4, column 5: anchors" in capsys.readouterr().err


@pytest.mark.parametrize("command", [["datasets"], ["show", "tiny"]])
def test_latin1_file_is_a_readable_error(tmp_path, monkeypatch, capsys, command):
    """A latin-1 file gives exit status 2 and a message naming the file and line, not a traceback."""
    from .conftest import GOOD_SURVEY

    _data_dir_with(tmp_path, monkeypatch, "tiny", GOOD_SURVEY.replace("Test\n", "Caf\u00e9\n").encode("latin-1"))
    assert main(command) == 2
    assert "cxstats: error: tiny.yaml: line 3: byte 0xe9 is not UTF-8" in capsys.readouterr().err


def test_show_prints_a_survey_without_caveats(tmp_path, monkeypatch, capsys):
    """A valid file with no optional fields is shown: provenance without caveat lines, then its figures."""
    from .conftest import GOOD_SURVEY

    _data_dir_with(tmp_path, monkeypatch, "tiny", GOOD_SURVEY.encode())
    assert main(["show", "tiny"]) == 0
    out = capsys.readouterr().out
    assert "publisher: Test" in out and "caveat" not in out and "likes_tests" in out


@pytest.mark.parametrize("module", ["psutil", "papermill", "nbconvert", "nbclient", "nbformat", "ipykernel"])
def test_report_without_the_report_extra_says_so(tmp_path, capsys, monkeypatch, module):
    """A missing report-extra module exits 2 at once with one line naming it; no output folder is made."""
    import sys

    nb = str(_tiny_notebook(tmp_path / "src" / "01_x.ipynb"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setitem(sys.modules, module, None)  # makes `import module` fail
    assert main(["report", nb, "--out", "out"]) == 2
    assert capsys.readouterr().err == (
        f"cxstats report needs the report extra: pip install 'cxstats[report]' (missing: {module})\n")
    assert not (tmp_path / "out").exists() and not (tmp_path / "reports").exists()


@pytest.mark.parametrize("value, problem", [
    ("a=[1,", "cannot read '[1,'"),
    ("x=!!python/object:os.system", "cannot read '!!python/object:os.system' (could not determine a constructor"),
    ("when=2014-13-01", "cannot read '2014-13-01' (month must be in 1..12)"),
])
def test_report_bad_parameter_value_is_an_error(tmp_path, capsys, value, problem):
    """A -p value YAML cannot read (or would build an object from) exits 2 naming the parameter; nothing is run."""
    nb = str(_tiny_notebook(tmp_path / "src" / "01_x.ipynb"))
    assert main(["report", nb, "--out", str(tmp_path / "out"), "-p", "conf_level=0.9", "-p", value]) == 2
    err = _one_line_error(capsys)
    assert f"-p/--parameter {value.partition('=')[0]}: {problem}" in err
    assert "values are read as YAML/JSON" in err and "-p conf_level=0.9" in err
    assert not (tmp_path / "out").exists()


def test_report_parameters_are_yaml_values():
    """-p values are kept as typed, each checked to be YAML/JSON; they are read per notebook (see below)."""
    from cxstats.cli import parse_parameters

    typed = parse_parameters(["conf_level=0.9", "ratings=[q1, q2]", "one=q1,q2", "eq=a=b"])
    assert typed == {"conf_level": "0.9", "ratings": "[q1, q2]", "one": "q1,q2", "eq": "a=b"}


@pytest.mark.parametrize("out", ["", "  "])
def test_report_empty_out_is_an_error(tmp_path, capsys, monkeypatch, out):
    """An empty --out would build into the current folder: refused with exit 2; nothing is written."""
    nb = str(_tiny_notebook(tmp_path / "src" / "01_x.ipynb"))
    monkeypatch.chdir(tmp_path)
    assert main(["report", nb, "--out", out]) == 2
    assert "--out must name an output folder, e.g. --out reports; got an empty name" in _one_line_error(capsys)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["src"]


class _ClosedPipe:
    """A stdout whose reader has gone away, as in `cxstats datasets | head`."""

    def write(self, text):
        raise BrokenPipeError(32, "Broken pipe")

    def flush(self):
        raise BrokenPipeError(32, "Broken pipe")


def test_closed_pipe_stops_quietly(monkeypatch, capsys):
    """A reader closing the pipe early ends the command without a traceback, status 141 (128 + SIGPIPE)."""
    monkeypatch.setattr("sys.stdout", _ClosedPipe())
    assert main(["datasets"]) == 141
    assert capsys.readouterr().err == ""


def test_closed_pipe_in_a_shell_has_no_traceback(tmp_path):
    """End to end: `python -m cxstats.cli datasets | head -1` writes no traceback."""
    import subprocess
    import sys

    run = subprocess.run(f"{sys.executable} -m cxstats.cli datasets | head -c 1", shell=True, capture_output=True,
                         text=True, timeout=120)
    assert "Traceback" not in run.stderr and "BrokenPipeError" not in run.stderr


def _parameter_notebook(path):
    import nbformat

    path.parent.mkdir(parents=True, exist_ok=True)
    cell = nbformat.v4.new_code_cell("dataset = 'calabrio_2022'\nconf_level = 0.95\nratings = ['q1']\n"
                                     "overall = 'q1'   # the outcome\nn = 100\npath = None")
    cell.metadata["tags"] = ["parameters"]
    nbformat.write(nbformat.v4.new_notebook(cells=[cell, nbformat.v4.new_code_cell("x = 1")]), str(path))
    return path


@pytest.mark.parametrize("args, message", [
    (["-p", "conf_levle=0.9"], "-p conf_levle: not a parameter of the notebook being built. Valid parameters: "
                               "01_x: dataset='calabrio_2022', conf_level=0.95, ratings=['q1'], overall='q1', n=100, "
                               "path=None"),
    (["-p", "conf_level=1.5"], "01_x: parameter conf_level must be a number between 0 and 1 (exclusive)"),
    (["-p", "conf_level=high"], "01_x: parameter conf_level must be a number (its default is 0.95); got 'high'"),
    (["-p", "n=10.5"], "01_x: parameter n must be a whole number (its default is 100); got 10.5"),
    (["-p", "dataset=nope"], "01_x: parameter dataset: unknown dataset 'nope'; bundled datasets (cxstats datasets): "
                             "accenture_2016"),
    (["-p", "path=no_such.csv"], "01_x: parameter path: nothing at "),
    (["-p", "ratings=q1,,q2"], "01_x: parameter ratings must be a list, e.g. a,b,c or [a, b, c]"),
    (["-p", "n=1", "-p", "n=2"], "-p/--parameter n is given twice"),
])
def test_report_parameter_typo_or_bad_value_fails_before_building(tmp_path, capsys, args, message):
    """A -p name the notebook does not have, or a value that cannot be right for it, exits 2 naming the notebook,
    the parameter and what would be valid; nothing is built or written."""
    nb = str(_parameter_notebook(tmp_path / "src" / "01_x.ipynb"))
    assert main(["report", nb, "--out", str(tmp_path / "out"), *args]) == 2
    assert message in _one_line_error(capsys)
    assert not (tmp_path / "out").exists()


def test_report_parameter_values_are_read_as_each_default_says(tmp_path, monkeypatch):
    """Typed values are YAML, then read against the default: a list default splits a comma text, a text default
    keeps a number as typed, null switches an optional text off; a relative path is resolved where cxstats runs."""
    from cxstats._parameters import resolve
    from cxstats.cli import parse_parameters

    nb = _parameter_notebook(tmp_path / "src" / "01_x.ipynb")
    (tmp_path / "my.csv").write_text("q1\n1\n")
    monkeypatch.chdir(tmp_path)
    typed = parse_parameters(["ratings=q1, q2", "overall=null", "dataset=gladly_2021", "conf_level=0.9",
                              "path=my.csv", "n=7"])
    assert resolve([nb], typed)[nb] == {"ratings": ["q1", "q2"], "overall": None, "dataset": "gladly_2021",
                                        "conf_level": 0.9, "path": str(tmp_path / "my.csv"), "n": 7}
    assert resolve([nb], parse_parameters(["ratings=[q1, 'a,b']", "overall=2014"]))[nb] == {
        "ratings": ["q1", "a,b"], "overall": "2014"}
    assert resolve([nb], parse_parameters(["ratings=5"]))[nb] == {"ratings": ["5"]}


def test_report_empty_parameter_value_is_an_error(tmp_path, capsys):
    """`-p path=` (an unset shell variable, -p path=$FILE) must not fall back to the default file: exit 2."""
    nb = str(_parameter_notebook(tmp_path / "src" / "01_x.ipynb"))
    assert main(["report", nb, "--out", str(tmp_path / "out"), "-p", "path="]) == 2
    assert "-p/--parameter path= has no value; give one, or null for none" in _one_line_error(capsys)
    assert not (tmp_path / "out").exists()
