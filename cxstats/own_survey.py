"""Analyze your own survey: read the file a report runs on, check its parameters, summarise answers and weights.

The functions behind the report "Analyze your own survey" (notebook 06), whose parameters cell is its whole
interface. :func:`check_survey_parameters` checks every parameter against the file read (columns present, answers
whole numbers on the scale, a usable segment, a valid sampling design) and names the parameter, the column or file
at fault and what would be valid, so a report rerun on another file stops early and clearly instead of printing a
wrong number. :func:`answer_summary` counts answers and missing answers per column (declared-missing codes of SPSS
and Stata files included), :func:`weight_summary` describes the weights, and :func:`segment_differences` compares
segments on several answers with one multiple-comparison adjustment over all of them.
"""

from __future__ import annotations

import numbers
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ._validate import DataError, check_open_unit, plain
from .design import SurveyDesign, check_columns, check_weights, survey_design

BUNDLED = "customer_sat"  # the dataset read when no path is given
MAX_SEGMENTS = 20  # segments compared pairwise: 20 segments are already 190 pairs per answer
NPS_SCALE = (0, 10)


def _shown_columns(names, limit=40) -> str:
    names = [str(n) for n in names]
    return ", ".join(names[:limit]) + (f", ... ({len(names)} in all)" if len(names) > limit else "")


def read_survey(path=None, *, labelled=()) -> pd.DataFrame:
    """Read the respondent file a report runs on, or the bundled ``customer_sat`` data when ``path`` is None.

    Parameters
    ----------
    path : str or path-like, optional
        Any file :func:`cxstats.read_responses` reads (CSV and other delimited
        text, Parquet, SPSS ``.sav``, Stata ``.dta``, Excel), one row per
        respondent. None reads the bundled real dataset ``customer_sat``
        (:func:`cxstats.load_responses`).
    labelled : list of str, default ()
        Columns to show by their value labels (groups such as a region coded
        1-4 with labels), as ordered categoricals in code order; a column
        without value labels in the file (any CSV, Parquet or Excel column)
        is left as it is. Codes stay the data for every other column.

    Returns
    -------
    pandas.DataFrame
        One row per respondent, as :func:`cxstats.read_responses` (or
        :func:`cxstats.load_responses`) returns it, with its ``attrs``
        (column labels, value labels, declared-missing codes); plus
        ``attrs["read_from"]``, the file or dataset read, which the messages
        of :func:`check_survey_parameters` name.

    Raises
    ------
    ValueError
        (:class:`cxstats.DataError`) ``path`` that is not text or a path,
        a file that is missing, unreadable or of an unsupported type, or a
        file without rows; the message starts with ``path:`` and names the file.

    References
    ----------
    IBM SPSS Statistics, "MISSING VALUES" command (user-missing values).

    Examples
    --------
    >>> df = read_survey()
    >>> len(df), df.attrs["read_from"]
    (1811, 'the bundled dataset customer_sat')
    """
    from .io import _labelled_categorical, read_responses
    from .responses import load_responses

    if path is None:
        df = load_responses(BUNDLED)
        df.attrs["read_from"] = f"the bundled dataset {BUNDLED}"
        return df
    if not isinstance(path, str | os.PathLike) or not str(path).strip():
        raise DataError(f"path must be the name of a survey file (CSV, Parquet, SPSS .sav, Stata .dta, Excel) or "
                        f"None for the bundled dataset {BUNDLED}; got {path!r}")
    try:
        df = read_responses(path)
    except ValueError as err:
        raise DataError(f"path: {err}") from None
    if len(df) == 0:
        raise DataError(f"path: {path} has no rows (respondents); give a file with one row per respondent")
    df.attrs["read_from"] = str(Path(path))
    value_labels = df.attrs.get("value_labels") or {}
    for column in [labelled] if isinstance(labelled, str) else list(labelled or ()):
        if column in df.columns and value_labels.get(column):
            df[column] = _labelled_categorical(df[column], value_labels[column], Path(path), column)
    return df


# ------------------------------------------------------------------ parameters

def _column_list(name, value) -> list:
    """A list of column names from a list or comma-separated text; empty or repeated names are errors."""
    if isinstance(value, str):
        names = [part.strip() for part in value.split(",")]
    elif isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        names = [v.strip() for v in value]
    else:
        raise ValueError(f"{name} must be a list of column names or comma-separated text, e.g. ['q2', 'q3'] or "
                         f"'q2,q3'; got {value!r}")
    if not names or any(not n for n in names):
        raise ValueError(f"{name} must name at least one column, without empty names, e.g. ['q2', 'q3'] or "
                         f"'q2,q3'; got {value!r}")
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ValueError(f"{name} names column(s) {repeated} more than once; list each column once")
    return names


def _optional_column(name, value):
    """None (also for empty text) or one column name."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise ValueError(f"{name} must be one column name or None; got {value!r}")
    return value.strip()


def _whole(name, value, example) -> int:
    """A whole number from an int, a whole float or text such as "5"."""
    number = value
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            number = None
    ok = isinstance(number, numbers.Real) and not isinstance(number, bool | np.bool_) and np.isfinite(number) \
        and float(number).is_integer()
    if not ok:
        raise ValueError(f"{name} must be a whole number, e.g. {example}; got {plain(value)!r}")
    return int(number)


def _flag(name, value) -> bool:
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise ValueError(f"{name} must be True or False; got {value!r}")


def _level(value) -> float:
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            pass
    return check_open_unit("conf_level", value)


def _require_columns(name, names, data, source) -> None:
    missing = [c for c in names if c not in data.columns]
    if missing:
        which = f"column {missing[0]!r} is" if len(missing) == 1 else f"columns {missing} are"
        raise ValueError(f"{name}: {which} not in {source}; its columns are: {_shown_columns(data.columns)}")


def _check_answers(name, column, values: pd.Series, low, high, source, rule) -> None:
    """Answers must be whole numbers from ``low`` to ``high`` or missing; at least one must be given."""
    dtype = values.dtype
    if isinstance(dtype, pd.CategoricalDtype) or not pd.api.types.is_numeric_dtype(dtype) or \
            pd.api.types.is_bool_dtype(dtype):
        shown = [plain(v) for v in pd.unique(values.dropna())[:5]]
        raise ValueError(f"{name}: column {column!r} of {source} holds {dtype} values such as {shown}, not numeric "
                         f"codes; {rule} (read SPSS/Stata files without categorical= so that the codes are the "
                         "answers, or recode text answers to numbers)")
    y = values.to_numpy(dtype=float, na_value=np.nan)
    missing = np.isnan(y)
    if missing.all():
        raise ValueError(f"{name}: column {column!r} of {source} has no answers (all {len(y):,} missing); give a "
                         "column with answers, or leave it out")
    with np.errstate(invalid="ignore"):
        bad = ~missing & ((y < low) | (y > high) | (y != np.round(y)))
    if bad.any():
        rows = list(values.index[np.flatnonzero(bad)[:5]])
        shown = [plain(v) for v in values[bad].iloc[:5]]
        raise ValueError(f"{name}: column {column!r} of {source} has {int(bad.sum()):,} answer(s) that are not whole "
                         f"numbers from {low} to {high}, e.g. rows {rows} with {shown}; {rule}: recode those answers, "
                         "set them missing (codes declared missing in SPSS or Stata files are read as missing), or "
                         "name another column")


@dataclass(frozen=True)
class SurveyParameters:
    """The checked parameters of an "Analyze your own survey" report; made by :func:`check_survey_parameters`.

    Attributes
    ----------
    source : str
        The file or dataset read (for messages and the report's text).
    n_rows : int
        Rows (respondents) read.
    ratings : tuple of str
        Rating columns, on the scale ``scale``.
    scale : tuple of int
        The rating scale's points from ``scale_min`` to ``scale_max``.
    overall, nps, segment, weight, strata : str or None
        The optional columns given (None when not given).
    cluster : tuple of str
        Sampling-unit columns, first stage first (empty: every respondent is
        their own PSU).
    nest : bool
        PSU ids numbered within strata.
    conf_level : float
        Confidence level of every interval.
    labels : dict
        ``{column: label}`` for every column named: the file's variable
        label (``df.attrs["column_labels"]``) or, without one, the name.
    point_labels : tuple of str
        A name for each scale point, lowest first: the point, followed by its
        value label where the first rating column has one (e.g. "1 Poor").
    design : SurveyDesign
        ``survey_design(data, weight=weight, strata=strata, cluster=cluster,
        nest=nest)``, already checked.
    cautions : tuple of str
        Things that are allowed but look like a parameter set wrongly, for the
        report to print (e.g. no answer at ``scale_max`` in any rating).
    """

    source: str
    n_rows: int
    ratings: tuple
    scale: tuple
    overall: str | None
    nps: str | None
    segment: str | None
    weight: str | None
    strata: str | None
    cluster: tuple
    nest: bool
    conf_level: float
    labels: dict = field(repr=False)
    point_labels: tuple = field(repr=False)
    design: SurveyDesign = field(repr=False)
    cautions: tuple = ()

    @property
    def answers(self) -> list:
        """The columns on the rating scale: the overall rating (when given) first, then the ratings."""
        return ([self.overall] if self.overall and self.overall not in self.ratings else []) + list(self.ratings)

    def named(self, column) -> str:
        """A column as the report's text names it: "label (column)", or the column alone when it has no label."""
        label = self.labels.get(column, column)
        return column if label == column else f"{label} ({column})"

    @property
    def columns(self) -> list:
        """Every column the report reads: answers, NPS, segment, then the design columns."""
        named = [*self.answers, self.nps, self.segment, self.weight, self.strata, *self.cluster]
        return list(dict.fromkeys(c for c in named if c is not None))


def check_survey_parameters(data, ratings, *, scale_min=1, scale_max=10, overall=None, nps=None, segment=None,
                            weight=None, strata=None, cluster=None, nest=False, conf_level=0.95) -> SurveyParameters:
    """Check a report's parameters against the survey read; return them checked, with the survey design.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent, e.g. from :func:`read_survey` (whose
        ``attrs["read_from"]`` names the file in messages).
    ratings : list of str, or str
        Rating columns on one scale, as a list or as comma-separated text
        (``"q2,q3,q4"``, as a command line passes it).
    scale_min, scale_max : int, default 1 and 10
        The lowest and highest points of the rating scale (at least three
        points, so that a top-2 box is not the whole scale). Whole-number
        text such as ``"5"`` is accepted.
    overall : str, optional
        The overall rating (an outcome), on the same scale.
    nps : str, optional
        A likelihood-to-recommend column answered 0 to 10.
    segment : str, optional
        Groups to compare (2 to 20 distinct values; a missing value is a
        group of its own); not one of the answer columns.
    weight, strata : str, optional
        Survey weight and stratum columns (see :func:`cxstats.survey_design`).
    cluster : str or list of str, optional
        PSU column(s), first stage first; comma-separated text is split.
    nest : bool, default False
        True when PSU ids are numbered within each stratum.
    conf_level : float, default 0.95
        Strictly between 0 and 1.

    Returns
    -------
    SurveyParameters
        The parameters as checked (ratings as a tuple, the scale's points,
        labels) and the survey design.

    Raises
    ------
    ValueError
        Naming the parameter first (``ratings:``, ``nps:``, ``weight:``, ...),
        then the column and file at fault and what would be valid: a column
        not in the file (its columns are listed), answers that are not whole
        numbers on the scale (count, first rows and values), a column with no
        answers, text or labelled answers, ``scale_max`` not above
        ``scale_min``, an ``nps`` column with no answer above 5, an
        ``overall`` that is also a rating, a ``scale_max`` that no rating's answers come within
        one point of (a 1-5 scale given as 1-10 would report every top-2-box
        share as 0%), a segment with one group or more than 20, a segment
        that is also an answer column, and the design errors of
        :func:`cxstats.survey_design` (negative or missing weights, missing
        strata or PSU ids, PSUs in two strata without ``nest=True``, a
        stratum with a single PSU).

    References
    ----------
    Lumley, T. (2010). Complex Surveys: A Guide to Analysis Using R. Wiley, ch. 2.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"speed": [5, 4, None, 2], "ltr": [10, 9, 3, 0]})
    >>> p = check_survey_parameters(df, "speed", scale_min=1, scale_max=5, nps="ltr")
    >>> p.ratings, p.scale, p.columns
    (('speed',), (1, 2, 3, 4, 5), ['speed', 'ltr'])
    >>> check_survey_parameters(df, ["speed", "q11"], scale_max=5)
    Traceback (most recent call last):
    ...
    ValueError: ratings: column 'q11' is not in the data; its columns are: speed, ltr
    """
    if not isinstance(data, pd.DataFrame):
        raise ValueError(f"data must be a pandas DataFrame of respondents (e.g. from cxstats.read_survey), got "
                         f"{type(data).__name__}")
    source = data.attrs.get("read_from", "the data")
    if len(data) == 0:
        raise ValueError(f"{source} has no rows (respondents)")
    ratings = _column_list("ratings", ratings)
    low, high = _whole("scale_min", scale_min, 1), _whole("scale_max", scale_max, 10)
    if high <= low:
        raise ValueError(f"scale_max must be greater than scale_min; got scale_min={low}, scale_max={high}")
    if high - low < 2:
        raise ValueError(f"the rating scale needs at least 3 points (scale_max - scale_min >= 2), so that its top-2 "
                         f"box is not every answer; got scale_min={low}, scale_max={high}")
    conf_level = _level(conf_level)
    nest = _flag("nest", nest)
    overall, nps, segment = (_optional_column(n, v) for n, v in (("overall", overall), ("nps", nps),
                                                                 ("segment", segment)))
    weight, strata = _optional_column("weight", weight), _optional_column("strata", strata)
    empty = cluster is None or (isinstance(cluster, str) and not cluster.strip()) or \
        (isinstance(cluster, list | tuple) and len(cluster) == 0)
    clusters = [] if empty else _column_list("cluster", cluster)
    _require_columns("ratings", ratings, data, source)
    for name, column in (("overall", overall), ("nps", nps), ("segment", segment), ("weight", weight),
                         ("strata", strata)):
        if column is not None:
            _require_columns(name, [column], data, source)
    _require_columns("cluster", clusters, data, source)
    scale_text = f"ratings must be whole numbers from scale_min={low} to scale_max={high}"
    for column in ratings:
        _check_answers("ratings", column, data[column], low, high, source, scale_text)
    if overall is not None:
        _check_answers("overall", overall, data[overall], low, high, source,
                       f"the overall rating must be on the ratings' scale, scale_min={low} to scale_max={high}")
    top = max(float(pd.to_numeric(data[c], errors="coerce").max()) for c in (*ratings, overall) if c is not None)
    if top < high - 1:  # no answer in any rating's top 2 box: a 1-5 scale read as 1-10 would report 0% everywhere
        raise ValueError(f"scale_max: no answer to any rating reaches the top two points of scale_min={low} to "
                         f"scale_max={high} (the highest answer in {source} is {top:g}); give the scale's real "
                         f"highest point, e.g. scale_max={int(top) if top == top else high}")
    cautions = []
    if top < high:
        cautions.append(f"No answer to any rating is {high} (scale_max), the highest is {top:g}: if the scale really "
                        f"ends at {top:g}, give scale_max={top:g}, or the top-2-box shares below count only one point.")
    if overall is not None and overall in ratings:
        raise ValueError(f"overall: column {overall!r} is also one of the ratings; give the overall rating once, "
                         "as overall, and the ratings that may go with it as ratings")
    if nps is not None:
        _check_answers("nps", nps, data[nps], *NPS_SCALE, source,
                       "a likelihood-to-recommend question is answered 0 to 10")
        highest = pd.to_numeric(data[nps], errors="coerce").max()
        if highest <= 5:  # no promoter, no passive: a 1-5 rating given as nps would report an NPS near -100
            raise ValueError(f"nps: column {nps!r} of {source} has no answer above {highest:g}; a 0-10 "
                             "likelihood-to-recommend question has answers up to 10. Is it a rating on a shorter "
                             "scale? Give it in ratings instead")
    if segment is not None:
        answers = [c for c in (*ratings, overall, nps) if c is not None]
        if segment in answers:
            raise ValueError(f"segment: column {segment!r} is also an answer column (ratings, overall or nps); "
                             "give a column of groups to compare, such as a region or customer type")
        groups = pd.unique(data[segment].dropna())
        if not 2 <= len(groups) <= MAX_SEGMENTS:
            shown = [plain(g) for g in groups[:8]]
            raise ValueError(f"segment: column {segment!r} of {source} has {len(groups):,} distinct value(s) "
                             f"{shown}{' ...' if len(groups) > 8 else ''}; give a column with 2 to {MAX_SEGMENTS} "
                             "groups to compare, or None")
    design = _design(data, weight, strata, clusters, nest)
    column_labels = data.attrs.get("column_labels") or {}
    named = [*ratings, overall, nps, segment, weight, strata, *clusters]
    labels = {c: str(column_labels.get(c) or c) for c in named if c is not None}
    value_labels = (data.attrs.get("value_labels") or {}).get(ratings[0], {})
    points = tuple(range(low, high + 1))
    point_labels = tuple(f"{p} {value_labels[p]}" if value_labels.get(p) not in (None, "") else str(p)
                         for p in points)
    return SurveyParameters(source=source, n_rows=len(data), ratings=tuple(ratings), scale=points, overall=overall,
                            nps=nps, segment=segment, weight=weight, strata=strata, cluster=tuple(clusters),
                            nest=nest, conf_level=conf_level, labels=labels, point_labels=point_labels,
                            design=design, cautions=tuple(cautions))


def _design(data, weight, strata, clusters, nest) -> SurveyDesign:
    """The survey design, built in steps so that an error names the parameter that caused it."""
    try:
        survey_design(data, weight=weight)
    except ValueError as err:
        raise ValueError(f"weight: {err}") from None
    if strata is not None:
        try:
            survey_design(data, weight=weight, strata=strata)
        except ValueError as err:
            raise ValueError(f"strata: {err}") from None
    try:
        return survey_design(data, weight=weight, strata=strata, cluster=clusters or None, nest=nest)
    except ValueError as err:
        raise ValueError(f"cluster: {err}") from None


# ------------------------------------------------------------------ summaries

def _codes_text(codes, labels) -> str:
    """Declared missing codes as text: ``99 (Don't know)``, a range as ``97-98``, Stata's ``.a``."""
    parts = []
    for code in codes:
        if isinstance(code, tuple):
            parts.append(f"{plain(code[0])}-{plain(code[1])}")
        else:
            label = labels.get(code)
            parts.append(f"{plain(code)} ({label})" if label else f"{plain(code)}")
    return ", ".join(parts)


def answer_summary(data, columns, *, weight=None) -> pd.DataFrame:
    """Answers and missing answers per column: counted and reported, never dropped silently.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent (n rows). Declared-missing codes counted by
        :func:`cxstats.read_responses` (``attrs["missing_counts"]``) are
        reported in ``declared_missing``.
    columns : str or list of str
        The columns to describe.
    weight : str, optional
        Survey weight column: adds ``weighted_missing_share``.

    Returns
    -------
    pandas.DataFrame
        One row per column: ``column``, ``column_label`` (the file's variable
        label, else the name), ``n_rows`` (rows read), ``answered`` (rows with
        an answer), ``n_missing`` (rows without one), ``missing_share``
        (``n_missing / n_rows``, 0 to 1), ``declared_missing`` (of the missing
        answers, those read as missing because the file declares their code
        missing, e.g. SPSS 99 "Don't know"), ``missing_codes`` (those codes,
        with their value labels, as text; "" when none are declared) and, with
        ``weight``, ``weighted_missing_share`` (the share of the weights
        without an answer).

    Raises
    ------
    ValueError
        ``data`` not a DataFrame, no columns or a column not in the data, and
        the weight errors of :func:`cxstats.survey_design` (missing or
        negative weights, rows named).

    References
    ----------
    IBM SPSS Statistics, "MISSING VALUES" command (user-missing values).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"speed": [5, 4, None, 2], "ltr": [10, None, None, 0]})
    >>> answer_summary(df, ["speed", "ltr"])[["column", "answered", "n_missing", "missing_share"]]
      column  answered  n_missing  missing_share
    0  speed         3          1           0.25
    1    ltr         2          2           0.50
    """
    if not isinstance(data, pd.DataFrame):
        raise ValueError(f"data must be a pandas DataFrame of respondents, got {type(data).__name__}")
    columns = [columns] if isinstance(columns, str) else columns
    if not isinstance(columns, list | tuple) or not columns or not all(isinstance(c, str) for c in columns):
        raise ValueError(f"columns must be a column name or a non-empty list of column names, got {columns!r}")
    where = data.attrs.get("read_from", "the data")
    check_columns(data, *columns, where=where)
    w = check_weights(data, weight, where=where) if weight is not None else None
    attrs = data.attrs
    column_labels = attrs.get("column_labels") or {}
    rows = []
    for column in columns:
        missing = data[column].isna().to_numpy()
        row = {"column": column, "column_label": str(column_labels.get(column) or column), "n_rows": len(data),
               "answered": int((~missing).sum()), "n_missing": int(missing.sum()),
               "missing_share": float(missing.mean()) if len(data) else np.nan,
               "declared_missing": int((attrs.get("missing_counts") or {}).get(column, 0)),
               "missing_codes": _codes_text((attrs.get("missing_codes") or {}).get(column, []),
                                            (attrs.get("value_labels") or {}).get(column, {}))}
        if w is not None:
            row["weighted_missing_share"] = float(w[missing].sum() / w.sum())
        rows.append(row)
    return pd.DataFrame(rows)


def weight_summary(data, weight) -> pd.DataFrame:
    """The spread of survey weights and Kish's effective base: what weighting costs in precision, at most.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent (n rows).
    weight : str
        Survey weight column (how many population members each respondent
        stands for; not frequency weights): finite and 0 or more.

    Returns
    -------
    pandas.DataFrame
        One row: ``n_rows``, ``n_zero_weight`` (rows with weight 0, which
        count for nothing), ``weighted_n`` (sum of the weights),
        ``weight_min``, ``weight_max`` (smallest and largest positive weight),
        ``weight_ratio`` (largest / smallest positive weight), ``n_kish``
        (Kish's effective base, ``(sum w)^2 / sum w^2``) and ``efficiency``
        (``n_kish`` over the respondents with a positive weight, 0 to 1).

    Raises
    ------
    ValueError
        ``data`` not a DataFrame, ``weight`` not a column of it, and the
        weight errors of :func:`cxstats.survey_design` (text, missing or
        negative weights, rows named; weights all zero).

    Notes
    -----
    Kish's effective base depends on the weights alone: it is the base of
    an unweighted sample as precise as the weighted one for an answer
    unrelated to the weights. The design effect of a particular estimate
    (``deff`` of :func:`cxstats.top_box` and the other estimates) also
    reflects strata, clusters and how the answer relates to the weights.

    References
    ----------
    Kish, L. (1965). Survey Sampling. Wiley, section 11.7.

    Examples
    --------
    >>> import pandas as pd
    >>> weight_summary(pd.DataFrame({"w": [1.0, 1.0, 2.0, 0.0]}), "w")[["n_kish", "efficiency", "weight_ratio"]]
       n_kish  efficiency  weight_ratio
    0   2.667       0.889           2.0
    """
    if not isinstance(data, pd.DataFrame):
        raise ValueError(f"data must be a pandas DataFrame of respondents, got {type(data).__name__}")
    if not isinstance(weight, str):
        raise ValueError(f"weight must be a column name, got {weight!r}")
    w = check_weights(data, weight, where=data.attrs.get("read_from", "the data"))
    positive = w[w > 0]
    n_kish = w.sum() ** 2 / (w**2).sum()
    return pd.DataFrame({"n_rows": [len(w)], "n_zero_weight": [int((w == 0).sum())], "weighted_n": [w.sum()],
                         "weight_min": [positive.min()], "weight_max": [positive.max()],
                         "weight_ratio": [positive.max() / positive.min()], "n_kish": [n_kish],
                         "efficiency": [n_kish / positive.size]})


# ------------------------------------------------------------------ segments

DIFFERENCE_COLUMNS = ("column", "group1", "group2", "estimate1", "estimate2", "diff", "se", "ci_low", "ci_high",
                      "statistic", "df", "p_value", "p_adjusted", "adjust", "n1", "n2", "measure", "note")


def _untest_single_answers(out: pd.DataFrame) -> None:
    """A group with one answer has no spread to measure: its pairs keep their difference but are not tested (no
    standard error, interval or p-value), so they stay out of the adjusted family and of any count of findings."""
    if "n1" not in out:
        return
    for side in ("1", "2"):
        single = (out[f"n{side}"] == 1) & out["p_value"].notna()
        for i in out.index[single]:
            out.loc[i, ["se", "ci_low", "ci_high", "statistic", "p_value"]] = np.nan
            out.loc[i, "note"] = (f"not tested: group {plain(out.at[i, f'group{side}'])!r} has one answer, whose "
                                  "sampling error cannot be measured")


def segment_differences(data, by, columns=(), *, scale=None, k=2, nps=None, weight=None, conf_level=0.95,
                        adjust="holm") -> pd.DataFrame:
    """Every pair of segments compared on several answers' top-k box (and NPS), with one adjustment over them all.

    Parameters
    ----------
    data : DataFrame, path, ibis.Table or SurveyDesign
        One survey; segments are domains of its design, so each difference's
        standard error includes the covariance of the two segments'
        estimates (as :func:`cxstats.compare_domains`).
    by : str
        The segment column.
    columns : list of str
        Rating columns compared on their top-``k`` box share (0 to 1).
    scale : sequence
        The rating scale's points from low to high, e.g. ``range(1, 11)``.
    k : int, default 2
        Points in the top box.
    nps : str, optional
        A 0-10 column also compared on NPS (points).
    weight : str, optional
        Survey weights (not with a design).
    conf_level : float, default 0.95
    adjust : str, default "holm"
        Multiple-comparison method (as :func:`cxstats.adjust_pvalues`)
        applied once over every test in the table: all answers times all
        pairs of segments. "none" for none.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`cxstats.compare_domains` (``group1``,
        ``group2``, ``estimate1``, ``estimate2``, ``diff``, ``se``,
        ``ci_low``, ``ci_high``, ``statistic``, ``df``, ``p_value``,
        ``p_adjusted``, ``n1``, ``n2``, ``measure``, ``note``), one row per
        answer and pair, preceded by ``column`` (the answer), with
        ``adjust`` (the method). Pairs with an empty segment, and answers
        with fewer than two segments answering, are listed with a ``note``
        and not tested (``p_value`` missing) nor counted in the adjustment.

    Raises
    ------
    ValueError
        No answers (neither ``columns`` nor ``nps``), an unknown ``adjust``,
        and the errors of :func:`cxstats.compare_domains` (unknown columns,
        answers off the scale, ``k`` out of range).

    Notes
    -----
    The intervals are not widened for the number of comparisons; only the
    p-values are adjusted. A pair with a group of one answer keeps its
    difference but is not tested (its standard error would leave out that
    group's sampling error, which one answer cannot measure): no standard
    error, interval or p-value, a ``note``, and no place in the family.
    Holm's method controls the family-wise error rate over the whole table
    under any dependence between the tests.

    References
    ----------
    Holm, S. (1979). A simple sequentially rejective multiple test procedure.
    Scandinavian Journal of Statistics 6, 65-70.
    Lumley, T. (2010). Complex Surveys: A Guide to Analysis Using R. Wiley, section 3.5.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"csat": [5, 4, 2, 5] * 25 + [1, 2, 5, 3] * 25, "region": ["N"] * 100 + ["S"] * 100})
    >>> segment_differences(df, "region", ["csat"], scale=range(1, 6))[["column", "group1", "group2", "diff"]]
      column group1 group2  diff
    0   csat      N      S  0.5
    """
    from .multiple import ADJUST_METHODS, _adjusted
    from .survey import compare_domains

    if adjust not in ADJUST_METHODS:
        raise ValueError(f"adjust={adjust!r} is not valid; choose one of: {', '.join(map(repr, ADJUST_METHODS))}")
    columns = [columns] if isinstance(columns, str) else list(columns)
    if not columns and nps is None:
        raise ValueError("give columns= (ratings compared on their top box) or nps= (a 0-10 column), or both")
    if not isinstance(by, str):
        raise ValueError(f"by must be one column name (the segments), got {by!r}")
    tasks = [(c, dict(measure="top_box", k=k, scale=scale)) for c in columns]
    tasks += [(nps, dict(measure="nps"))] if nps is not None else []
    tables = []
    for column, options in tasks:
        try:
            table = compare_domains(data, column, by=by, weight=weight, conf_level=conf_level, adjust="none",
                                    **options)
        except ValueError as err:
            if not str(err).startswith("need at least two groups with answers"):
                raise
            table = pd.DataFrame({"measure": [options["measure"]], "note": [f"not tested: {err}"]})
        tables.append(table.assign(column=column))
    out = pd.concat(tables, ignore_index=True)
    _untest_single_answers(out)
    p = out["p_value"].to_numpy(dtype=float)
    tested = np.isfinite(p)
    out["p_adjusted"] = np.nan
    if tested.any():
        out.loc[tested, "p_adjusted"] = _adjusted(p[tested], adjust)
    out["adjust"] = adjust
    return out[list(DIFFERENCE_COLUMNS)]
