"""Bundled real respondent-level survey datasets, with their provenance.

Each dataset is one plain CSV file in ``data/raw/respondents/<name>/`` with a
README (citation, licence, how it was exported, what each column is). The
files were written once by ``data/raw/respondents/export_respondents.R`` from
the R packages that publish them; nothing here writes them.

Loading reads every value as text and checks it against the dataset's
definition below (columns, whole numbers in range, known answer levels, the
published number of respondents), so a damaged file is an error that names
the file, column and line, never a wrong number.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ._provenance import note_read
from ._validate import DataError
from .datasets import data_dir

FREQ = "freq"  # the count column of a frequency table, as returned
RATING_10 = "1 (Poor) to 10 (Excellent)"
LOW_MEDIUM_HIGH = ("Low", "Medium", "High")

# One entry per dataset. A column is (label, scale, values, ordered): values is a range of whole
# numbers (a rating) or a tuple of answer levels (a categorical, ordered or not); "freq" names the
# file's count column of a frequency table.
DATASETS = {
    "customer_sat": {
        "title": "Customer satisfaction with a Yellow Pages advertising product",
        "n_respondents": 1811,
        "columns": {
            f"q{i}": (label, RATING_10, range(1, 11), True)
            for i, label in enumerate((
                "Overall Satisfaction",
                "Setting Competitive Prices",
                "Holding Price Increase to a Minimum",
                "Appropriate Pricing given Volume",
                "Demonstrating Effectiveness of Purchase",
                "Reach a Large Number of Customers",
                "Reach of Advertising",
                "Long-term Exposure",
                "Distribution",
                "Distribution to Right Geographic Areas",
            ), start=1)
        },
        "value_labels": {1: "Poor", 10: "Excellent"},
        "freq": None,
        "source": "R package bayesm 3.1-5 (CRAN), data set customerSat",
        "citation": ("Rossi, P. E., Gilula, Z. and Allenby, G. M. (2001). Overcoming Scale Usage Heterogeneity: "
                     "A Bayesian Hierarchical Approach. Journal of the American Statistical Association 96(453), "
                     "20-31."),
        "licence": "GPL (>= 2) (bayesm)",
    },
    "copenhagen_housing": {
        "title": "Satisfaction of Copenhagen tenants with their housing (frequency table)",
        "n_respondents": 1681,
        "columns": {
            "Sat": ("Satisfaction of householders with their present housing circumstances",
                    "Low < Medium < High", LOW_MEDIUM_HIGH, True),
            "Infl": ("Perceived degree of influence householders have on the management of the property",
                     "Low < Medium < High", LOW_MEDIUM_HIGH, True),
            "Type": ("Type of rental accommodation", "Tower, Apartment, Atrium, Terrace (no order)",
                     ("Tower", "Apartment", "Atrium", "Terrace"), False),
            "Cont": ("Contact residents are afforded with other residents", "Low < High", ("Low", "High"), True),
            "Freq": ("Number of residents in the cell", "whole number >= 0", None, False),
        },
        "value_labels": {},
        "freq": "Freq",
        "source": "R package MASS 7.3-58.2 (CRAN), data set housing",
        "citation": ("Madsen, M. (1976). Statistical analysis of multiple contingency tables. Two examples. "
                     "Scandinavian Journal of Statistics 3, 97-106. Analysed in Venables, W. N. and Ripley, B. D. "
                     "(2002). Modern Applied Statistics with S, 4th ed., Springer."),
        "licence": "GPL-2 | GPL-3 (MASS)",
    },
}


def responses_dir() -> Path:
    """The folder of the respondent datasets: ``raw/respondents`` under :func:`cxstats.datasets.data_dir`."""
    return data_dir() / "raw" / "respondents"


def _spec(name: str) -> dict:
    if name not in DATASETS:
        raise ValueError(f"unknown respondent dataset {name!r}; available: {', '.join(sorted(DATASETS))} "
                         "(published-figure surveys load with cxstats.load)")
    return DATASETS[name]


def _read_csv(name: str, columns: list[str]) -> pd.DataFrame:
    """The dataset's CSV as text, every value as written; the header must be exactly ``columns``."""
    path = responses_dir() / name / f"{name}.csv"
    if not path.is_file():
        raise DataError(f"{name}: file {path} not found; reinstall cxstats or set CXSTATS_DATA_DIR to the data/ "
                        "folder holding raw/respondents/")
    try:
        text = pd.read_csv(path, dtype=str, keep_default_na=False, skip_blank_lines=False, encoding="utf-8")
    except (UnicodeDecodeError, pd.errors.ParserError) as err:
        raise DataError(f"{name}: {path.name} cannot be read as a UTF-8 CSV file: {err}") from err
    note_read(path)
    if list(text.columns) != columns:
        raise DataError(f"{name}: {path.name} has columns {list(text.columns)}; expected exactly {columns}")
    return text


def _whole_numbers(name: str, column: str, text: pd.Series, low: int, high: int | None) -> pd.Series:
    """Parse a column of whole numbers from ``low`` to ``high`` (None: no upper limit)."""
    ok = text.str.fullmatch(r"\d{1,9}")
    numbers = pd.to_numeric(text.where(ok, "-1")).astype("int64")
    bad = ~ok | (numbers < low) | ((numbers > high) if high is not None else False)
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        allowed = f"from {low} to {high}" if high is not None else f">= {low}"
        raise DataError(f"{name}: column {column!r}, line {row + 2}: {text.iloc[row]!r} is not a whole number "
                        f"{allowed} ({int(bad.sum())} such value(s) in the column)")
    return numbers


def _levels(name: str, column: str, text: pd.Series, levels: tuple, ordered: bool) -> pd.Categorical:
    """Parse a column of answer levels into a categorical with exactly ``levels``, in that order."""
    bad = ~text.isin(levels)
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        raise DataError(f"{name}: column {column!r}, line {row + 2}: {text.iloc[row]!r} is not one of "
                        f"{', '.join(levels)}")
    return pd.Categorical(text, categories=list(levels), ordered=ordered)


def _read(name: str) -> pd.DataFrame:
    """The dataset as stored, checked and typed, with the file's column names."""
    spec = _spec(name)
    text = _read_csv(name, list(spec["columns"]))
    out = {}
    for column, (_, _, values, ordered) in spec["columns"].items():
        if column == spec["freq"]:
            out[column] = _whole_numbers(name, column, text[column], 0, None)
        elif isinstance(values, range):
            out[column] = _whole_numbers(name, column, text[column], values.start, values.stop - 1)
        else:
            out[column] = _levels(name, column, text[column], values, ordered)
    df = pd.DataFrame(out)
    if spec["freq"]:
        cells = [c for c in spec["columns"] if c != spec["freq"]]
        repeated = df.duplicated(cells)
        if repeated.any():
            row = int(repeated.to_numpy().nonzero()[0][0])
            raise DataError(f"{name}: line {row + 2} repeats the cell {df.loc[row, cells].tolist()}; "
                            "each combination of answers must appear once")
    n = int(df[spec["freq"]].sum()) if spec["freq"] else len(df)
    if n != spec["n_respondents"]:
        raise DataError(f"{name}: the file holds {n} respondents; the published dataset has "
                        f"{spec['n_respondents']}: the file is damaged, re-export it with export_respondents.R")
    return df


def load_responses(name: str, *, expand: bool = True) -> pd.DataFrame:
    """Load a bundled real respondent-level dataset, with its labels, scales and provenance.

    Parameters
    ----------
    name : str
        Dataset name, as listed by :func:`list_responses`: ``"customer_sat"``
        or ``"copenhagen_housing"``.
    expand : bool, default True
        For a dataset published as a frequency table (``copenhagen_housing``),
        True returns one row per respondent; False returns the table itself,
        one row per combination of answers with its count in a ``freq``
        column. Datasets published one row per respondent are returned as
        they are either way.

        The default is one row per respondent because that is what survey
        tools, and every cxstats function, take as respondents: a ``freq``
        column is a count, not a survey weight, and passed as ``weight=`` it
        would make each of the 72 cells one respondent, with standard errors
        and tests on 72 instead of 1,681 answers. Use ``expand=False`` for a
        compact table (e.g. for log-linear models) and expand it yourself
        with ``table.loc[table.index.repeat(table["freq"])]``.

    Returns
    -------
    pandas.DataFrame
        The answers, with rating scales as ``int64`` numbers and answer
        levels as categoricals: ordered where the answers are ordered
        (Low < Medium < High), unordered otherwise (housing ``Type``).
        ``df.attrs`` holds

        - ``"dataset"``, ``"title"``;
        - ``"column_labels"``: ``{column: label}`` (as in
          :func:`cxstats.read_responses`);
        - ``"scales"``: ``{column: scale in words}``, e.g.
          ``"1 (Poor) to 10 (Excellent)"``;
        - ``"value_labels"``: ``{column: {value: label}}`` for rating columns
          whose end points are labelled;
        - ``"freq"``: the name of the count column, or None;
        - ``"n_respondents"``, ``"source"``, ``"citation"``, ``"licence"``.

    Raises
    ------
    ValueError
        If ``name`` is not a bundled respondent dataset (the message lists
        them) or ``expand`` is not True or False.
    DataError
        If the file is missing or damaged: other columns, a value that is
        not a valid answer, a repeated cell, or not the published number of
        respondents. The message names the dataset, column and line.

    Examples
    --------
    >>> from cxstats.responses import load_responses
    >>> sat = load_responses("customer_sat")
    >>> sat.shape, sat.attrs["column_labels"]["q1"], sat.attrs["scales"]["q1"]
    ((1811, 10), 'Overall Satisfaction', '1 (Poor) to 10 (Excellent)')
    >>> table = load_responses("copenhagen_housing", expand=False)
    >>> len(table), int(table["freq"].sum()), len(load_responses("copenhagen_housing"))
    (72, 1681, 1681)
    >>> table["Sat"].cat.categories.tolist()
    ['Low', 'Medium', 'High']

    References
    ----------
    Rossi, P. E., Gilula, Z. and Allenby, G. M. (2001). Overcoming Scale
    Usage Heterogeneity: A Bayesian Hierarchical Approach. Journal of the
    American Statistical Association 96(453), 20-31 (``customer_sat``).
    Madsen, M. (1976). Statistical analysis of multiple contingency tables.
    Two examples. Scandinavian Journal of Statistics 3, 97-106; Venables, W.
    N. and Ripley, B. D. (2002). Modern Applied Statistics with S, 4th ed.,
    Springer (``copenhagen_housing``).
    """
    if not isinstance(expand, bool):
        raise ValueError(f"expand must be True or False, got {expand!r}")
    spec = _spec(name)
    df = _read(name)
    labels = {c: label for c, (label, *_) in spec["columns"].items()}
    scales = {c: scale for c, (_, scale, *_) in spec["columns"].items()}
    freq = spec["freq"]
    if freq:
        df = df.rename(columns={freq: FREQ})
        labels[FREQ], scales[FREQ] = labels.pop(freq), scales.pop(freq)
        freq = FREQ
        if expand:
            df = df.loc[df.index.repeat(df[FREQ])].drop(columns=FREQ).reset_index(drop=True)
            del labels[FREQ], scales[FREQ]
            freq = None
    ratings = [c for c, (_, _, values, _) in spec["columns"].items() if isinstance(values, range)]
    df.attrs.update({
        "dataset": name,
        "title": spec["title"],
        "column_labels": labels,
        "scales": scales,
        "value_labels": {c: dict(spec["value_labels"]) for c in ratings if spec["value_labels"]},
        "freq": freq,
        "n_respondents": spec["n_respondents"],
        "source": spec["source"],
        "citation": spec["citation"],
        "licence": spec["licence"],
    })
    return df


def list_responses() -> pd.DataFrame:
    """One row per bundled respondent-level dataset.

    Every dataset is loaded (and so checked) to count its rows.

    Returns
    -------
    pandas.DataFrame
        Columns ``name``, ``title``, ``n_rows`` (rows of the file: cells of
        a frequency table), ``n_respondents``, ``source``, ``citation``.

    Raises
    ------
    DataError
        If a dataset's file is missing or damaged (see :func:`load_responses`).

    Examples
    --------
    >>> from cxstats.responses import list_responses
    >>> list_responses()[["name", "n_rows", "n_respondents"]]
                     name  n_rows  n_respondents
    0  copenhagen_housing      72           1681
    1        customer_sat    1811           1811
    """
    rows = []
    for name in sorted(DATASETS):
        table = load_responses(name, expand=False)
        rows.append({"name": name, "title": table.attrs["title"], "n_rows": len(table),
                     "n_respondents": table.attrs["n_respondents"], "source": table.attrs["source"],
                     "citation": table.attrs["citation"]})
    return pd.DataFrame(rows)
