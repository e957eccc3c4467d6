"""Bundled published-figure surveys: list them, load them, check them.

Each original survey report is one hand-curated YAML file in
``data/raw/surveys/``. Loading validates every file and turns each printed
figure into a tidy row that keeps the rounding of the printed percentage as a
range of whole counts (see :func:`cxstats.counts.count_range`).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from ._validate import DataError
from .counts import count_range

KINDS = ("share", "growth", "count")
CONFIDENCE = ("found", "inferred", "not_found")
SURVEY_FIELDS = (
    "id", "title", "publisher", "year", "fieldwork", "population", "country",
    "method", "n", "n_note", "source", "quoted_in", "caveats", "figures",
)
SURVEY_REQUIRED = ("id", "title", "publisher", "year", "population", "n", "source", "quoted_in", "figures")
FIGURE_FIELDS = ("id", "statement", "kind", "unit", "wording", "confidence", "question", "notes", "decimals", "values")
FIGURE_REQUIRED = ("id", "statement", "kind", "values")
VALUE_FIELDS = ("group", "value", "n", "count", "approximate", "notes")
VALUE_REQUIRED = ("group", "value", "n")

FIGURE_COLUMNS = [
    "survey", "figure", "group", "statement", "kind", "value", "unit", "percent",
    "decimals", "approximate", "n", "count_low", "count_high", "question", "wording",
    "confidence", "notes", "year", "publisher", "source",
]


def data_dir() -> Path:
    """The folder that holds ``raw/`` and ``processed/``.

    ``$CXSTATS_DATA_DIR`` if set, else the ``data/`` folder of the source
    checkout this package was installed from.
    """
    env = os.environ.get("CXSTATS_DATA_DIR")
    return Path(env) if env else Path(__file__).resolve().parents[1] / "data"


def survey_files(raw_dir: Path | None = None) -> list[Path]:
    """Paths of every bundled survey file, sorted by name."""
    folder = Path(raw_dir) if raw_dir else data_dir() / "raw" / "surveys"
    if not folder.is_dir():
        raise DataError(f"{folder}: survey folder not found; set CXSTATS_DATA_DIR to the data/ folder")
    return sorted(folder.glob("*.yaml"))


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


def _value_rows(path, survey: dict, figure: dict) -> list[dict]:
    fid = figure["id"]
    kind = figure["kind"]
    decimals = figure.get("decimals", 0)
    if not _is_whole(decimals) or decimals < 0:
        raise _fail(path, f"figure '{fid}'", "decimals", f"must be a whole number >= 0, got {decimals!r}")
    values = figure["values"]
    if not isinstance(values, list) or not values:
        raise _fail(path, f"figure '{fid}'", "values", "must be a non-empty list of {group, value, n}")
    rows, groups = [], set()
    for entry in values:
        where = f"figure '{fid}'"
        _check_mapping(path, where, entry, VALUE_FIELDS, VALUE_REQUIRED)
        group, value, n = entry["group"], entry["value"], entry["n"]
        where = f"figure '{fid}', group '{group}'"
        if not isinstance(group, str) or not group:
            raise _fail(path, f"figure '{fid}'", "group", f"must be a non-empty name, got {group!r}")
        if group in groups:
            raise _fail(path, where, "group", "duplicate group within one figure")
        groups.add(group)
        if not isinstance(value, int | float) or isinstance(value, bool) or not np.isfinite(value):
            raise _fail(path, where, "value", f"must be a number as printed, got {value!r}")
        if n is not None and (not _is_whole(n) or n < 1):
            raise _fail(path, where, "n", f"base must be a whole number of at least 1 or null, got {n!r}")
        unit = figure.get("unit", "percent")
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
            "decimals": decimals, "approximate": bool(entry.get("approximate", False)),
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
        ``(survey, figures)``: the survey-level fields as a dict, and its
        figures as a tidy DataFrame (columns as in :func:`load`).

    Raises
    ------
    DataError
        Naming the file, the figure id and the field at fault.
    """
    import yaml

    path = Path(path)
    try:
        survey = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        raise DataError(f"{path.name}: not valid YAML: {err}") from err
    except OSError as err:
        raise DataError(f"{path.name}: cannot be read: {err}") from err
    _check_mapping(path, "survey", survey, SURVEY_FIELDS, SURVEY_REQUIRED)
    if survey["id"] != path.stem:
        raise _fail(path, "survey", "id", f"{survey['id']!r} must equal the file name {path.stem!r}")
    n = survey["n"]
    if n is not None and (not _is_whole(n) or n < 1):
        raise _fail(path, "survey", "n", f"total base must be a whole number of at least 1 or null, got {n!r}")
    if n is None and not survey.get("n_note"):
        raise _fail(path, "survey", "n_note", "required when n is null: say why the base is unknown")
    if survey["year"] is not None and not _is_whole(survey["year"]):
        raise _fail(path, "survey", "year", f"must be a whole year or null, got {survey['year']!r}")
    figures = survey["figures"]
    if not isinstance(figures, list) or not figures:
        raise _fail(path, "survey", "figures", "must be a non-empty list")
    rows, seen = [], set()
    for figure in figures:
        fid = figure.get("id") if isinstance(figure, dict) else None
        where = f"figure '{fid}'"
        _check_mapping(path, where, figure, FIGURE_FIELDS, FIGURE_REQUIRED)
        if fid in seen:
            raise _fail(path, where, "id", "duplicate figure id; each figure id must be unique in its file")
        seen.add(fid)
        if figure["kind"] not in KINDS:
            raise _fail(path, where, "kind", f"{figure['kind']!r} is not one of {', '.join(KINDS)}")
        conf = figure.get("confidence")
        if conf is not None and conf not in CONFIDENCE:
            raise _fail(path, where, "confidence", f"{conf!r} is not one of {', '.join(CONFIDENCE)}")
        if figure["kind"] == "count" and "unit" not in figure:
            raise _fail(path, where, "unit", "a count figure must say what it counts (e.g. people)")
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
    return survey, table


def _read_all(raw_dir=None) -> list[tuple[dict, pd.DataFrame]]:
    return [read_survey_file(path) for path in survey_files(raw_dir)]


def list_datasets(raw_dir=None) -> pd.DataFrame:
    """One row per bundled survey.

    Returns
    -------
    pandas.DataFrame
        Columns ``name``, ``title``, ``publisher``, ``year``, ``population``,
        ``n`` (total base, nullable), ``n_figures`` (figure-by-group rows).

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
    for col in ("year", "n"):
        out[col] = out[col].astype("Int64")
    return out


def survey_info(name: str, raw_dir=None) -> dict:
    """Survey-level provenance of one bundled survey (title, method, caveats, ...).

    Examples
    --------
    >>> info = survey_info("accenture_2016")
    >>> info["n"], info["country"]
    (2003, 'United States')
    """
    surveys = {s["id"]: s for s, _ in _read_all(raw_dir)}
    if name not in surveys:
        raise ValueError(f"unknown dataset {name!r}; available: {', '.join(sorted(surveys))}")
    return {k: v for k, v in surveys[name].items() if k != "figures"}


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
    tables = _read_all(raw_dir)
    if name is not None:
        names = [s["id"] for s, _ in tables]
        if name not in names:
            raise ValueError(f"unknown dataset {name!r}; available: {', '.join(sorted(names))}")
        tables = [(s, t) for s, t in tables if s["id"] == name]
    return pd.concat([t for _, t in tables], ignore_index=True)


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
