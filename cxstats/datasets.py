"""Bundled published-figure surveys: list them, load them, check them.

Each original survey report is one hand-curated YAML file in
``data/raw/surveys/``. Loading validates every file and turns each printed
figure into a tidy row that keeps the rounding of the printed percentage as a
range of whole counts (see :func:`cxstats.counts.count_range`).

The files are read strictly: UTF-8, at most :data:`MAX_FILE_BYTES`, no
repeated keys, no anchors or aliases, and every field of the expected type
and range. Any fault raises :class:`~cxstats.DataError` naming the file, the
figure and the field (or the line), and saying what would be valid.
"""

from __future__ import annotations

import datetime
import os
import re
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from ._provenance import note_read
from ._validate import DataError
from .counts import count_range

KINDS = ("share", "growth", "count")
CONFIDENCE = ("found", "inferred", "not_found")
SURVEY_FIELDS = (
    "id", "title", "publisher", "year", "fieldwork", "population", "country",
    "method", "n", "n_note", "source", "quoted_in", "caveats", "figures",
)
SURVEY_REQUIRED = ("id", "title", "publisher", "year", "population", "n", "source", "quoted_in", "figures")
SURVEY_TEXT = ("title", "publisher", "fieldwork", "population", "country", "method", "n_note", "source", "quoted_in")
FIGURE_FIELDS = ("id", "statement", "kind", "unit", "wording", "confidence", "question", "notes", "decimals", "values")
FIGURE_REQUIRED = ("id", "statement", "kind", "values")
FIGURE_TEXT = ("statement", "unit", "wording", "question", "notes")
VALUE_FIELDS = ("group", "value", "n", "count", "approximate", "notes")
VALUE_REQUIRED = ("group", "value", "n")

MAX_FILE_BYTES = 1_000_000  # the largest bundled file is a few kB; anything near this is not a hand-curated survey
FIRST_YEAR = 1900
# count_range works in exact 64-bit integers: n * (200 * 10**decimals + 1) must stay below 2**63
MAX_DECIMALS = 4
MAX_N = 10**12

FIGURE_COLUMNS = [
    "survey", "figure", "group", "statement", "kind", "value", "unit", "percent",
    "decimals", "approximate", "n", "count_low", "count_high", "question", "wording",
    "confidence", "notes", "year", "publisher", "source",
]


def _package_data() -> Path:
    """Where a wheel puts ``data/``: ``cxstats/_data`` inside the installed package."""
    return Path(str(resources.files("cxstats") / "_data"))


def _checkout_data() -> Path:
    """The ``data/`` folder of the source checkout beside this package (editable install or source tree)."""
    return Path(__file__).resolve().parents[1] / "data"


def data_dir() -> Path:
    """The folder that holds ``raw/`` (and, in a source checkout, ``processed/``).

    ``$CXSTATS_DATA_DIR`` if set; else the data built into the installed
    package (``cxstats/_data``, mapped from ``data/`` by pyproject.toml); else,
    for an editable install or a source checkout, the checkout's ``data/``.
    """
    env = os.environ.get("CXSTATS_DATA_DIR")
    if env:
        return Path(env)
    for folder in (_package_data(), _checkout_data()):
        if (folder / "raw").is_dir():
            return folder
    raise DataError(
        f"no bundled data in {_package_data()} or {_checkout_data()}; reinstall cxstats (pip install .) "
        "or set CXSTATS_DATA_DIR to a folder holding raw/surveys/"
    )


def survey_files(raw_dir: Path | None = None) -> list[Path]:
    """Paths of every bundled survey file, sorted by name.

    A file named like a survey but not ``*.yaml`` (``.yml``, ``.YAML``) is an
    error rather than silently left out.
    """
    folder = Path(raw_dir) if raw_dir else data_dir() / "raw" / "surveys"
    if not folder.is_dir():
        raise DataError(f"{folder}: survey folder not found; set CXSTATS_DATA_DIR to the data/ folder")
    for path in folder.iterdir():
        if path.suffix.lower() in (".yaml", ".yml") and path.suffix != ".yaml":
            raise DataError(f"{path.name}: survey files are read only when named *.yaml; rename it {path.stem}.yaml")
    return sorted(folder.glob("*.yaml"))


# --- reading: size, encoding, strict YAML ------------------------------------------------

_INT_TAG, _FLOAT_TAG = "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"
# YAML 1.2 core schema numbers. Plain decimal only: 0x1F4, 0o17, 1:20 (base 60) and 1_000 stay text, and a
# leading zero is decimal (0250 is 250, not octal 168), as in YAML 1.2.
_CORE_INT = re.compile(r"[-+]?[0-9]+\Z")
_CORE_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
_CORE_SPECIAL = {".inf": float("inf"), "+.inf": float("inf"), "-.inf": float("-inf"), ".nan": float("nan")}
_CORE_SPECIAL_FORM = re.compile(r"[-+]?\.(?:inf|Inf|INF)\Z|\.(?:nan|NaN|NAN)\Z")


class _StrictLoader(yaml.SafeLoader):
    """A SafeLoader that refuses anchors, aliases, merge keys and repeated mapping keys, with YAML 1.2 numbers.

    Anchors and aliases let a few lines expand into gigabytes ("billion
    laughs") and hide where a value comes from; a repeated key would keep its
    last value silently.

    Numbers follow the YAML 1.2 core schema, not PyYAML's YAML 1.1 one: an
    int is ``[-+]?[0-9]+`` in decimal (``0250`` is 250, never octal 168) and a
    float is ``[-+]?(.[0-9]+|[0-9]+(.[0-9]*)?)([eE][-+]?[0-9]+)?`` or
    ``.inf``/``.nan``. Anything else (``0x1F4``, ``0o17``, ``1:20`` read as base
    60, ``1_000``) stays text, which the field checks then refuse, naming the
    file and field. The class has its own resolver table; ``yaml.SafeLoader``
    is left unchanged.
    """

    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag not in (_INT_TAG, _FLOAT_TAG)]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def construct_yaml_int(self, node):
        text = self.construct_scalar(node)
        if not _CORE_INT.match(text):  # only reached with an explicit !!int tag
            raise yaml.constructor.ConstructorError(
                None, None, f"{text!r} is not a decimal whole number", node.start_mark)
        return int(text)

    def construct_yaml_float(self, node):
        text = self.construct_scalar(node)
        if _CORE_SPECIAL_FORM.match(text):
            return _CORE_SPECIAL[text.lower()]
        if not _CORE_FLOAT.match(text):  # only reached with an explicit !!float tag
            raise yaml.constructor.ConstructorError(
                None, None, f"{text!r} is not a decimal number", node.start_mark)
        return float(text)

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise yaml.composer.ComposerError(
                None, None, "anchors (&) and aliases (*) are not allowed; write each value out", event.start_mark)
        return super().compose_node(parent, index)

    def construct_mapping(self, node, deep=False):
        first_line = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise yaml.constructor.ConstructorError(
                    None, None, "merge keys (<<) are not allowed; write each field out", key_node.start_mark)
            key = self.construct_object(key_node, deep=True)
            try:
                seen = key in first_line
            except TypeError:  # unhashable: the base constructor reports it
                continue
            if seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {key!r} repeats the one on line {first_line[key]}; give each field once",
                    key_node.start_mark)
            first_line[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep)


# The int resolver first: every int also matches the float form.
_StrictLoader.add_implicit_resolver(_INT_TAG, _CORE_INT, list("-+0123456789"))
_CORE_ANY_FLOAT = re.compile(f"(?:{_CORE_FLOAT.pattern})|(?:{_CORE_SPECIAL_FORM.pattern})")
_StrictLoader.add_implicit_resolver(_FLOAT_TAG, _CORE_ANY_FLOAT, list("-+.0123456789"))
_StrictLoader.add_constructor(_INT_TAG, _StrictLoader.construct_yaml_int)
_StrictLoader.add_constructor(_FLOAT_TAG, _StrictLoader.construct_yaml_float)


def _read_text(path: Path) -> str:
    """The file's text, refusing files over MAX_FILE_BYTES and bytes that are not UTF-8."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as err:
        raise DataError(f"{path.name}: cannot be read: {err.strerror or err}") from err
    note_read(path)
    if len(data) > MAX_FILE_BYTES:
        raise DataError(f"{path.name}: larger than {MAX_FILE_BYTES:,} bytes; a survey file must be smaller")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise DataError(
            f"{path.name}: line {line}: byte 0x{data[err.start]:02x} is not UTF-8; save the file as UTF-8"
        ) from err


def _parse_yaml(path: Path, text: str):
    try:
        return yaml.load(text, Loader=_StrictLoader)  # a SafeLoader: builds only plain data
    except yaml.reader.ReaderError as err:
        line = text.count("\n", 0, err.position) + 1
        code = err.character if isinstance(err.character, int) else ord(err.character)
        raise DataError(f"{path.name}: not valid YAML: line {line}: control character U+{code:04X} is not allowed; "
                        "remove it") from err
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = "; ".join(x for x in (err.context, err.problem) if x)
        raise DataError(f"{path.name}: not valid YAML: {where}{problem}") from err
    except yaml.YAMLError as err:
        raise DataError(f"{path.name}: not valid YAML: {err}") from err
    except RecursionError as err:
        raise DataError(f"{path.name}: not valid YAML: nested too deeply for a survey file") from err
    except ValueError as err:  # e.g. a date that does not exist, a number too long to convert
        raise DataError(f"{path.name}: not valid YAML: a value cannot be read ({err}); quote text values") from err


# --- validation -----------------------------------------------------------------------------

def _fail(path, where: str, field: str, problem: str) -> DataError:
    return DataError(f"{Path(path).name}: {where}, field '{field}': {problem}")


def _check_mapping(path, where, record, allowed, required) -> None:
    if not isinstance(record, dict):
        raise _fail(path, where, "-", f"expected a mapping of fields, got {type(record).__name__}")
    for field in record:
        if field not in allowed:
            raise _fail(path, where, field, f"unknown field; valid fields are {', '.join(allowed)}")
    for field in required:
        if field not in record:
            raise _fail(path, where, field, "required field is missing")


def _is_whole(x) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _is_text(x) -> bool:
    return isinstance(x, str) and x.strip() != ""


def _check_text(path, where, record, fields, required) -> None:
    """Each of ``fields`` present in ``record`` is non-empty text (or null when not required)."""
    for field in fields:
        if field not in record or (record[field] is None and field not in required):
            continue
        if not _is_text(record[field]):
            raise _fail(path, where, field, f"must be non-empty text, got {record[field]!r}; "
                        "quote it if YAML reads it as a number, date or true/false")


def _check_whole(path, where, field, x, low, high) -> None:
    """``x`` is null or a whole number from ``low`` to ``high``."""
    if x is not None and (not _is_whole(x) or not low <= x <= high):
        shown = f"{low} to {high}" if high < 10_000 else f"{low:,} to {high:,}"
        raise _fail(path, where, field, f"must be a whole number from {shown}, or null; got {x!r}")


def _check_survey(path, survey) -> None:
    """The survey-level fields: presence, types and ranges (figures are checked one by one)."""
    _check_mapping(path, "survey", survey, SURVEY_FIELDS, SURVEY_REQUIRED)
    if survey["id"] != path.stem:
        raise _fail(path, "survey", "id", f"{survey['id']!r} must equal the file name {path.stem!r}")
    _check_text(path, "survey", survey, SURVEY_TEXT, SURVEY_REQUIRED)
    _check_whole(path, "survey", "year", survey["year"], FIRST_YEAR, datetime.date.today().year)
    _check_whole(path, "survey", "n", survey["n"], 1, MAX_N)
    if survey["n"] is None and not survey.get("n_note"):
        raise _fail(path, "survey", "n_note", "required when n is null: say why the base is unknown")
    caveats = survey.get("caveats")
    if caveats is not None and (not isinstance(caveats, list) or not all(_is_text(c) for c in caveats)):
        raise _fail(path, "survey", "caveats", f"must be a list of non-empty texts, got {caveats!r}")
    if not isinstance(survey["figures"], list) or not survey["figures"]:
        raise _fail(path, "survey", "figures", "must be a non-empty list")


def _check_figure(path, where, figure) -> None:
    """One figure's own fields (its values are checked by :func:`_value_rows`)."""
    _check_mapping(path, where, figure, FIGURE_FIELDS, FIGURE_REQUIRED)
    if not _is_text(figure["id"]):
        raise _fail(path, where, "id", f"must be non-empty text, got {figure['id']!r}")
    _check_text(path, where, figure, FIGURE_TEXT, FIGURE_REQUIRED)
    if figure["kind"] not in KINDS:
        raise _fail(path, where, "kind", f"{figure['kind']!r} is not one of {', '.join(KINDS)}")
    conf = figure.get("confidence")
    if conf is not None and conf not in CONFIDENCE:
        raise _fail(path, where, "confidence", f"{conf!r} is not one of {', '.join(CONFIDENCE)}")
    unit = figure.get("unit")
    if figure["kind"] == "count" and unit is None:
        raise _fail(path, where, "unit", "a count figure must say what it counts (e.g. people)")
    if figure["kind"] != "count" and unit not in (None, "percent"):
        raise _fail(path, where, "unit", f"a {figure['kind']} figure is in percent; got {unit!r}, "
                    "give 'percent' or leave it out")
    decimals = figure.get("decimals", 0)
    if not _is_whole(decimals) or not 0 <= decimals <= MAX_DECIMALS:
        raise _fail(path, where, "decimals", f"must be a whole number from 0 to {MAX_DECIMALS}, got {decimals!r}")


def _value_rows(path, survey: dict, figure: dict) -> list[dict]:
    fid = figure["id"]
    kind = figure["kind"]
    decimals = figure.get("decimals", 0)
    values = figure["values"]
    if not isinstance(values, list) or not values:
        raise _fail(path, f"figure '{fid}'", "values", "must be a non-empty list of {group, value, n}")
    rows, groups = [], set()
    for entry in values:
        where = f"figure '{fid}'"
        _check_mapping(path, where, entry, VALUE_FIELDS, VALUE_REQUIRED)
        group, value, n = entry["group"], entry["value"], entry["n"]
        if not _is_text(group):
            raise _fail(path, where, "group", f"must be a non-empty name, got {group!r}")
        where = f"figure '{fid}', group '{group}'"
        if group in groups:
            raise _fail(path, where, "group", "duplicate group within one figure")
        groups.add(group)
        _check_text(path, where, entry, ("notes",), ())
        if not isinstance(entry.get("approximate", False), bool):
            raise _fail(path, where, "approximate", f"must be true or false, got {entry['approximate']!r}")
        if not isinstance(value, int | float) or isinstance(value, bool) or not np.isfinite(value):
            raise _fail(path, where, "value", f"must be a number as printed, got {value!r}")
        _check_whole(path, where, "n", n, 1, MAX_N)
        unit = figure.get("unit") or "percent"
        is_percent = kind in ("share", "growth")
        if kind == "share":
            if not 0 <= value <= 100:
                raise _fail(path, where, "value", f"a share must be a percentage from 0 to 100, got {value}")
            if round(value * 10**decimals) != value * 10**decimals:
                raise _fail(path, where, "value", f"{value} has more than decimals={decimals} places")
        if kind == "count" and value < 0:
            raise _fail(path, where, "value", f"a count cannot be negative, got {value}")
        low = high = pd.NA
        if kind == "share" and n is not None:
            lo, hi = count_range(value, n, decimals)
            low, high = int(lo[0]), int(hi[0])
            if low > high:
                raise _fail(
                    path, where, "value",
                    f"{value}% of n={n} matches no whole count (e.g. {int(hi[0])}/{n} or "
                    f"{int(lo[0])}/{n}); check the percentage and the base",
                )
        if "count" in entry:
            count = entry["count"]
            if kind != "share" or n is None:
                raise _fail(path, where, "count", "only a share figure with a known n can give a count")
            if not _is_whole(count) or not low <= count <= high:
                raise _fail(
                    path, where, "count",
                    f"{count!r} is inconsistent with {value}% of {n}; valid counts are {low} to {high}",
                )
            low = high = count
        rows.append({
            "survey": survey["id"], "figure": fid, "group": group,
            "statement": figure["statement"], "kind": kind, "value": float(value),
            "unit": "percent" if is_percent else unit,
            "percent": float(value) if is_percent else np.nan,
            "decimals": decimals, "approximate": entry.get("approximate", False),
            "n": n, "count_low": low, "count_high": high,
            "question": figure.get("question"), "wording": figure.get("wording"),
            "confidence": figure.get("confidence"),
            "notes": " ".join(x for x in (figure.get("notes"), entry.get("notes")) if x) or None,
            "year": survey["year"], "publisher": survey["publisher"], "source": survey["source"],
        })
    return rows


def read_survey_file(path) -> tuple[dict, pd.DataFrame]:
    """Read and validate one survey YAML file.

    Returns
    -------
    tuple
        ``(survey, figures)``: the survey-level fields as a dict, with every
        field of the format present (an optional field the file leaves out is
        ``None``; ``caveats`` is then an empty list), and its figures as a
        tidy DataFrame (columns as in :func:`load`).

    Raises
    ------
    DataError
        Naming the file, the figure id and the field at fault (or the line,
        for a file that is not UTF-8 YAML without repeated keys or aliases).
    """
    path = Path(path)
    survey = _parse_yaml(path, _read_text(path))
    _check_survey(path, survey)
    n = survey["n"]
    rows, seen = [], set()
    for i, figure in enumerate(survey["figures"], start=1):
        fid = figure.get("id") if isinstance(figure, dict) else None
        where = f"figure '{fid}'" if isinstance(fid, str) else f"figure {i}"
        _check_figure(path, where, figure)
        if fid in seen:
            raise _fail(path, where, "id", "duplicate figure id; each figure id must be unique in its file")
        seen.add(fid)
        rows.extend(_value_rows(path, survey, figure))
        for row in rows[-len(figure["values"]):]:
            if n is not None and row["n"] is not None and row["n"] > n:
                raise _fail(
                    path, f"{where}, group '{row['group']}'", "n",
                    f"figure base {row['n']} exceeds the survey base {n}",
                )
    table = pd.DataFrame(rows, columns=FIGURE_COLUMNS)
    for col in ("n", "count_low", "count_high", "year"):
        table[col] = table[col].astype("Int64")
    survey = {field: survey.get(field) for field in SURVEY_FIELDS}
    survey["caveats"] = survey["caveats"] or []
    return survey, table


def _read_all(raw_dir=None) -> list[tuple[dict, pd.DataFrame]]:
    return [read_survey_file(path) for path in survey_files(raw_dir)]


def _read_one(name, raw_dir=None) -> tuple[dict, pd.DataFrame]:
    """The one survey file of ``name`` (its id is its file name), read alone: a page built from one survey
    states only that file as read."""
    files = {path.stem: path for path in survey_files(raw_dir)}
    if not isinstance(name, str) or name not in files:
        raise ValueError(f"unknown dataset {name!r}; available: {', '.join(sorted(files))}")
    return read_survey_file(files[name])


def list_datasets(raw_dir=None) -> pd.DataFrame:
    """One row per bundled survey.

    Returns
    -------
    pandas.DataFrame
        Columns ``name``, ``title``, ``publisher``, ``year``, ``population``,
        ``n`` (total base, nullable), ``n_figures`` (figure-by-group rows),
        ``kind``: ``figures`` (published figures, load with :func:`load`) or
        ``respondents`` (real respondent-level data, load with
        :func:`cxstats.load_responses`).

    Examples
    --------
    >>> import cxstats
    >>> table = cxstats.list_datasets()
    >>> row = table.set_index("name").loc["calabrio_2022"]
    >>> row["publisher"], int(row["n"]), int(row["n_figures"])
    ('Calabrio', 500, 6)
    """
    rows = [
        {
            "name": s["id"], "title": s["title"], "publisher": s["publisher"],
            "year": s["year"], "population": s["population"], "n": s["n"],
            "n_figures": len(fig),
        }
        for s, fig in _read_all(raw_dir)
    ]
    out = pd.DataFrame(rows)
    out["kind"] = "figures"
    if raw_dir is None:  # the bundled respondent datasets; a folder of survey files has none
        from .responses import list_responses  # here, not at the top: responses imports datasets

        respondents = list_responses().rename(columns={"n_respondents": "n"}).assign(kind="respondents")
        out = pd.concat([out, respondents[["name", "title", "n", "kind"]]], ignore_index=True)
    for col in ("year", "n", "n_figures"):
        out[col] = out[col].astype("Int64")
    return out


def survey_info(name: str, raw_dir=None) -> dict:
    """Survey-level provenance of one bundled survey (title, method, caveats, ...).

    Every survey field of the file format except ``figures`` is a key, also
    when the file leaves an optional field out: then it is ``None``, and
    ``caveats`` is an empty list.

    Examples
    --------
    >>> info = survey_info("accenture_2016")
    >>> info["n"], info["country"]
    (2003, 'United States')
    """
    survey, _ = _read_one(name, raw_dir)
    return {k: v for k, v in survey.items() if k != "figures"}


def load(name: str | None = None, raw_dir=None) -> pd.DataFrame:
    """Load one bundled survey (or all of them) as a tidy table of figures.

    Parameters
    ----------
    name : str, optional
        Survey id, as listed by :func:`list_datasets`. ``None`` stacks all.
    raw_dir : path, optional
        Folder of survey YAML files (default: the bundled ``data/raw/surveys``).

    Returns
    -------
    pandas.DataFrame
        One row per figure and group: ``survey``, ``figure``, ``group``,
        ``statement``, ``kind`` (share, growth or count), ``value`` (as
        printed), ``unit``, ``percent`` (as printed; NaN for counts),
        ``decimals``, ``approximate``, ``n`` (the figure's own base, nullable),
        ``count_low`` and ``count_high`` (whole counts consistent with the
        rounded percentage and n; null when n is unknown or the figure is not
        a share), ``question``, ``wording``, ``confidence``, ``notes``,
        ``year``, ``publisher``, ``source``.

    Examples
    --------
    >>> import cxstats
    >>> gap = cxstats.load("calabrio_2022")
    >>> gap.loc[gap.figure == "meets_expectations", ["group", "percent", "n", "count_low", "count_high"]]
           group  percent    n  count_low  count_high
    0   managers     80.0  250        199         201
    1  consumers     45.0  250        112         113
    """
    if name is not None:
        return _read_one(name, raw_dir)[1]
    return pd.concat([t for _, t in _read_all(raw_dir)], ignore_index=True)


def processed_path() -> Path:
    """Where :func:`build_processed` writes the tidy figures table."""
    return data_dir() / "processed" / "figures.csv"


def build_processed(path=None) -> Path:
    """Rebuild ``data/processed/figures.csv`` from the raw survey files.

    The CSV is the tidy table of :func:`load` for all surveys; it is derived
    data, rebuilt by ``make data`` (``cxstats build-data``) and never edited.
    """
    path = Path(path) if path else processed_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    load().to_csv(path, index=False, lineterminator="\n")
    return path
