"""Respondent-level estimates from a survey design: means, shares, totals, NPS, top-box, domain comparisons, raking.

Every function here has the same shape, ``f(data, column, *, by=None,
weight=None, conf_level=0.95, ...)``: ``data`` is a pandas DataFrame, a path to
a Parquet/CSV file (read where it lies by DuckDB), an Ibis table, or a
:func:`cxstats.survey_design` (then the design's weights, strata and clusters
are used, and ``weight=`` is not allowed). A pandas Series may be passed alone
for quick use; its name is the column.

Standard errors are design-based (Taylor linearization), equal to R's
``survey`` package for the same design: ``svymean``, ``svytotal``,
``svyciprop``, ``svyby``. ``weight=`` is a survey (sampling) weight, never a
frequency weight. Groups (``by=``) are domains of the whole design: their
standard errors use every PSU and stratum, never a subset of the rows.
Missing answers stay in the design as a domain of their own (as R's ``na.rm =
TRUE``) and are counted in ``n_missing``; rows with a missing ``by`` value form
a group of their own (shown as missing), never dropped.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import scales
from ._aggregate import (
    Totals,
    _decode,
    about_domain_lowest,
    aggregate,
    key_codes,
    numeric_values,
    too_large,
    weights_only,
)
from ._inference import critical_value, p_value
from ._linearize import variance
from ._validate import ALTERNATIVES, check_choice, check_open_unit
from .design import SurveyDesign, check_columns, check_weights, dense_codes, survey_design

PROPORTION_METHODS = ("logit", "wilson", "korn_graubard", "asin", "wald")
ESTIMATE_COLUMNS = ("estimate", "se", "ci_low", "ci_high", "n", "n_missing", "deff", "n_effective", "df",
                    "weighted_n", "note", "method", "promoters", "passives", "detractors", "box")


def check_group_names(names, outputs) -> None:
    """Group columns keep their own names in a result: one named like a result column would be overwritten."""
    clash = [name for name in names if name in outputs]
    if clash:
        raise ValueError(f"group column(s) {clash} have the name of a result column; rename them (a result has "
                         f"{', '.join(outputs)})")
MEASURES = ("mean", "proportion", "nps", "top_box", "bottom_box")
_FEW_SCORES = 4  # in memory, answers with up to this many distinct scores (missing counted) are grouped by score

survey_weights = check_weights  # the name other modules used before the design layer


# ------------------------------------------------------------------ front end

def as_design(data, column=None, weight=None):
    """The survey design of ``data`` and the answer column: one entry point for every respondent function."""
    if isinstance(data, pd.Series):
        name = data.name if data.name is not None else "answer"
        if column is not None and column != name:
            raise ValueError(f"data is a Series named {name!r}; pass column=None or {name!r}")
        frame = data.to_frame(name=name)
        return survey_design(frame, weight=None) if weight is None else _weight_error(), name
    if isinstance(data, SurveyDesign):
        if weight is not None:
            raise ValueError("data is a survey design, which carries its weights; drop weight= (or make the design "
                             "with survey_design(..., weight=...))")
        design = data
    else:
        if isinstance(data, np.ndarray | list | tuple):
            raise ValueError(f"data must be a DataFrame, a file path, an Ibis table, a survey design or a pandas "
                             f"Series, not a {type(data).__name__}; wrap the values in pd.Series(values, name=...)")
        design = survey_design(data, weight=weight)
    if column is None:
        raise ValueError("give the answer column, e.g. f(data, 'csat')")
    if not isinstance(column, str):
        raise ValueError(f"column must be a column name, got {column!r}")
    check_columns(design.data, column, where=design.source)
    return design, column


def _weight_error():
    raise ValueError("a Series has no weight column; pass a DataFrame and weight='column'")


def by_columns(design, by, column=None) -> list:
    """``by`` as a list of column names (checked)."""
    if by is None:
        return []
    names = [by] if isinstance(by, str) else list(by) if isinstance(by, list | tuple) else None
    if not names or not all(isinstance(b, str) for b in names):
        raise ValueError(f"by must be a column name or a list of column names, got {by!r}")
    if len(set(names)) < len(names):
        raise ValueError(f"by={by!r} names a column twice")
    check_columns(design.data, *names, where=design.source)
    if column is not None and column in names:
        raise ValueError(f"by={by!r} includes the answer column {column!r}")
    return names


# ------------------------------------------------------------------ answers to sums

def _column_dtype(design, column):
    return design.data[column].dtype if design.in_memory else None


def _numeric_column(design, column):
    """Check that an answer column is numeric (for a mean or total without a scale)."""
    if design.in_memory:
        dtype = design.data[column].dtype
        ok = (pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)) and \
            not isinstance(dtype, pd.CategoricalDtype)
    else:
        kind = design.data.schema()[column]
        ok = kind.is_numeric() or kind.is_boolean()
    if not ok:
        if design.in_memory:
            values = design.data[column].dropna().unique()[:5].tolist()
        else:
            from ._engine import example_values

            values = example_values(design.data, column)
        raise ValueError(f"column {column!r} must be numeric for this estimate; it has values {values} "
                         "(give scale= for rating labels)")


def scored_totals(design, column, by, g, lean=False) -> Totals:
    """Sums per group of ``by`` of a function ``g`` of the answers.

    ``g`` maps the array of distinct answers (NaN for missing) to scores (NaN
    for a missing answer), so the scale is checked on the distinct answers
    only, never row by row. The answers are grouped (see
    :func:`scored_groups`) and the groups scored; in memory, answers with
    many distinct scores (a mean on a 0-10 scale) are instead scored row by
    row through their codes and summed as a value. ``lean``: as
    :func:`cxstats._aggregate.aggregate`'s (for means).
    """
    if design.in_memory:
        codes, scores = answer_scores(design, column, g)
        if np.unique(scores).size > _FEW_SCORES:
            return aggregate(design, keys=by, value=np.take(scores, codes), lean=lean)
        discrete, y = _grouped_by_score(design, column, by, codes, scores, lean)
    else:
        discrete, y = scored_groups(design, column, by, g)
    return moments(discrete, by, y)


def scored_groups(design, column, by, g, lean=False) -> tuple[Totals, np.ndarray]:
    """An aggregation by ``by`` and the answers, and the score of each of its rows.

    In memory the answers are grouped by their score (all answers that score
    alike in one group, so a share or NPS multiplies the groups of ``by`` by
    2-4, not by the scale's length); elsewhere by the answers themselves.
    """
    if design.in_memory:
        return _grouped_by_score(design, column, by, *answer_scores(design, column, g), lean)
    discrete = aggregate(design, keys=(*by, column))
    return discrete, score_answers(discrete, column, g)


def _grouped_by_score(design, column, by, codes, scores, lean=False) -> tuple[Totals, np.ndarray]:
    """In memory: the aggregation by ``by`` and the score of the answer (its code per row, ``scores`` per code)."""
    points, point_of = np.unique(scores, return_inverse=True)  # distinct scores, NaN (missing) last
    per_row = np.take(point_of.astype(np.min_scalar_type(points.size)), codes)
    discrete = aggregate(design, keys=(*by, column), coded={column: (per_row, points)}, lean=lean)
    return discrete, points[discrete.codes[column]]


def answer_scores(design, column, g) -> tuple[np.ndarray, np.ndarray]:
    """In memory: each row's answer code (as a grouping key's) and the score of each code."""
    codes, labels, _ = key_codes(design.data[column])
    return codes, _label_scores(codes, labels, g)


def _label_scores(codes, labels, g) -> np.ndarray:
    """``g`` applied to the answers given (not to labels nobody gave), one score per label (NaN if not given)."""
    given = np.flatnonzero(np.bincount(codes, minlength=len(labels)))
    scores = np.full(len(labels), np.nan)
    scores[given] = g(labels[given])
    return scores


def score_answers(discrete: Totals, column, g) -> np.ndarray:
    """``g`` applied to the answers given, as one score per row of ``discrete``."""
    return _label_scores(discrete.codes[column], discrete.labels[column], g)[discrete.codes[column]]


def _radix(parts) -> np.ndarray:
    """One integer per row from several code columns (code, number of codes): mixed-radix numbering."""
    ids = np.zeros(len(parts[0][0]), dtype=np.int64) if parts else np.zeros(0, dtype=np.int64)
    for codes, size in parts:
        ids = ids * size + codes
    return ids


def _groups(parts) -> tuple[list, np.ndarray]:
    """The distinct combinations of several code columns (each column's codes, in order) and each row's group."""
    if math.prod(size for _, size in parts) < 1 << 62:
        found, index = _numbered(_radix(parts))
        return _decode(parts, found), index
    rows, index = np.unique(np.column_stack([codes for codes, _ in parts]), axis=0, return_inverse=True)
    return list(rows.T), index.ravel()


def moments(discrete: Totals, by, y: np.ndarray) -> Totals:
    """Collapse a discrete aggregation over its answer column into the sums of a scored answer ``y`` (per row).

    The sums of squares are of ``y - shift`` with ``shift`` the lowest score
    given (with a positive weight), as in :class:`cxstats._aggregate.Totals`:
    scores that are all equal then have no spread at all, not a spread made
    of rounding; ``swy_raw`` keeps the sum of w y for the estimate. Sums of
    squared weights only where ``discrete`` has them (see ``lean``).
    """
    n, n_pos, sw = discrete["n"], discrete["n_pos"], discrete["sw"]
    answered = ~np.isnan(y)
    counted = answered & (n_pos > 0)
    shift = float(y[counted].min()) if counted.any() else 0.0
    y0 = np.where(answered, y - shift, 0.0)
    y_raw = np.where(answered, y, 0.0)
    # a unit determines its stratum (and the units above it): group on the finest unit and the domains only
    design_keys = [*discrete.units[-1:]] if discrete.units else ["stratum"]
    arrays = [discrete[k] for k in design_keys] + [discrete.codes[k] for k in by]
    parts = [(codes, int(codes.max()) + 1 if len(discrete) else 1) for codes in arrays]
    decoded, index = _groups(parts)
    n_groups = len(decoded[0])
    add = lambda values: np.bincount(index, weights=values, minlength=n_groups)  # noqa: E731
    columns = dict(zip(design_keys, decoded[: len(design_keys)], strict=True))
    codes = dict(zip(by, decoded[len(design_keys):], strict=True))
    for k in ["stratum", *discrete.units[:-1]]:  # the same for every row of a group
        if k not in columns:
            columns[k] = np.zeros(n_groups, dtype=np.int64)
            columns[k][index] = discrete[k]
    columns = {k: columns[k] for k in ["stratum", *discrete.units]}
    columns.update(n=add(n).astype(np.int64), n_pos=add(n_pos).astype(np.int64), sw=add(sw))
    if "sw2" in discrete:
        columns["sw2"] = add(discrete["sw2"])
    columns.update(
        n_y=add(np.where(answered, n, 0)).astype(np.int64), n_y_pos=add(np.where(answered, n_pos, 0)).astype(np.int64),
        sw_y=add(np.where(answered, sw, 0.0)))
    if "sw2" in discrete:
        sw2 = discrete["sw2"]
        columns["sw2_y"] = add(np.where(answered, sw2, 0.0))
    columns.update(swy=add(y0 * sw), swy2=add(y0**2 * sw))
    if "sw2" in discrete:
        columns.update(sw2y=add(y0 * sw2), sw2y2=add(y0**2 * sw2))
    columns["swy_raw"] = add(y_raw * sw)
    return Totals(columns, codes, tuple(by), {k: discrete.labels[k] for k in by},
                  {k: discrete.declared[k] for k in by}, discrete.units, shift)


def _numbered(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct ids in order and each id's position among them (by counting when the ids are few)."""
    if not len(ids):
        return ids, ids
    position, present = dense_codes(ids)
    if position is None:
        return np.unique(ids, return_inverse=True)
    return np.flatnonzero(present), position


def value_totals(design, column, by, lean=False) -> Totals:
    """Sums of a numeric answer per group of ``by`` (continuous: no grouping on the answer)."""
    _numeric_column(design, column)
    return aggregate(design, keys=by, value=column, lean=lean)


# ------------------------------------------------------------------ domains

@dataclass
class Domains:
    """Domain (group) estimates of ratio means or totals, with what inference needs."""

    labels: pd.DataFrame  # one row per domain, the by columns
    index: np.ndarray  # domain of each row of the totals table
    table: Totals
    estimate: np.ndarray
    a: np.ndarray  # influence coefficients per table row (of the row's own domain)
    b: np.ndarray
    present: np.ndarray  # strata (H) x domains: the domain has answered rows there
    counts: dict  # per domain: n, n_missing, weighted_n, nrow, df (arrays; df the design's without groups)
    lowest: np.ndarray  # estimate = lowest + offset: a difference of estimates is taken in two parts, each exact
    offset: np.ndarray

    def differences(self, i, j) -> np.ndarray:
        """Estimates ``i`` minus estimates ``j`` (index arrays), the shifts and the offsets subtracted apart (the
        difference of two large means close to each other keeps its digits)."""
        return (self.lowest[i] - self.lowest[j]) + (self.offset[i] - self.offset[j])

    def add(self, name) -> np.ndarray:
        """Sum of a column of the table over each domain."""
        return np.bincount(self.index, weights=self.table[name], minlength=len(self.labels))


_ONE_DOMAIN = pd.DataFrame(index=pd.RangeIndex(1))  # the labels of the one domain without groups (read, never changed)


def domain_index(totals: Totals, by) -> tuple[pd.DataFrame, np.ndarray]:
    """The domains of ``by`` (observed, plus a categorical's declared categories) and each row's domain.

    Domains come in the order of the codes: sorted values (or a
    categorical's order), a missing value last.
    """
    if not by:
        return _ONE_DOMAIN, np.zeros(len(totals), dtype=np.int64)
    parts = [(totals.codes[k], len(totals.labels[k])) for k in by]
    if len(by) == 1 and totals.declared[by[0]]:  # declared categories are domains even without rows
        parts = [(np.concatenate([parts[0][0], np.arange(totals.declared[by[0]])]), parts[0][1])]
    decoded, index = _groups(parts)
    labels = pd.DataFrame({k: totals.labels[k][codes] for k, codes in zip(by, decoded, strict=True)})
    return labels, index[: len(totals)]


def domains(design, totals: Totals, by, kind="mean") -> Domains:
    """Ratio means (or totals) of the scored answer per domain of ``by``, with influence coefficients."""
    labels, index = domain_index(totals, by)
    D = len(labels)
    lowest, totals = about_domain_lowest(totals, index, D)
    add = lambda col: np.bincount(index, weights=totals[col], minlength=D)  # noqa: E731
    W, Y = add("sw_y"), add("swy")  # Y: the sum of w (y - shift), the shift the domain's lowest answer
    with np.errstate(invalid="ignore", divide="ignore"):
        r = Y / W
        if kind == "mean":
            a = np.where(W[index] > 0, -r[index] / W[index], 0.0)
            b = np.where(W[index] > 0, 1 / W[index], 0.0)
            estimate = lowest + r  # the mean about the lowest answer: all answers equal give it exactly
            parts = (lowest, r)
        else:  # the influence of a total is w y = w (y - shift) + shift w
            a, b = lowest[index], np.ones(len(totals))
            estimate = add("swy_raw")  # the sum of w y
            parts = (np.zeros(D), estimate)
    H = design.n_strata
    answered_rows = np.bincount(totals["stratum"] * D + index, weights=totals["n_y"], minlength=H * D).reshape(H, D)
    counts = {"n": add("n_y_pos").astype(np.int64), "n_missing": (add("n_pos") - add("n_y_pos")).astype(np.int64),
              "weighted_n": W, "nrow": add("n").astype(np.int64),
              "df": _domain_degf(totals, index, D, design) if by else np.full(D, float(design.degf))}
    return Domains(labels, index, totals, estimate, a, b, answered_rows > 0, counts, *parts)


def _domain_degf(table, index, D, design) -> np.ndarray:
    """Degrees of freedom of each domain's subset design: its PSUs minus its strata, with a positive weight."""
    if not len(table):
        return np.zeros(D)
    positive = table["n_pos"] > 0
    stratum = table["stratum"]
    H = design.n_strata
    strata_hit = np.zeros((D, H), dtype=bool)
    strata_hit[index[positive], stratum[positive]] = True
    if "unit1" in table:
        size = int(table["unit1"].max()) + 1
        pairs, _ = _numbered(index[positive] * size + table["unit1"][positive])
        psus = np.bincount(pairs // size, minlength=D)
    else:
        psus = np.bincount(index[positive], weights=table["n_pos"][positive], minlength=D)
    return (psus - strata_hit.sum(axis=1)).astype(float)


def domain_variance(design, dom: Domains, diagonal=True) -> np.ndarray:
    """Variances of the domain estimates (each on its subset, as svyby) or their covariance (full design)."""
    D = len(dom.labels)
    if diagonal:  # each row counts in its own domain only
        return variance(design, dom.table, dom.a, dom.b, present=dom.present, domain=(dom.index, D))
    a = np.zeros((len(dom.table), D))
    b = np.zeros((len(dom.table), D))
    rows = np.arange(len(dom.table))
    a[rows, dom.index] = dom.a
    b[rows, dom.index] = dom.b
    return variance(design, dom.table, a, b, diagonal=False)


def srs_variance(dom: Domains, kind) -> np.ndarray:
    """Variance under simple random sampling with replacement (R's ``deff = "replace"``), per domain."""
    W, Y, Y2 = dom.add("sw_y"), dom.add("swy"), dom.add("swy2")
    n = dom.counts["n"].astype(float)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        mean = Y / W
        ss = np.maximum(Y2 - 2 * mean * Y + mean**2 * W, 0.0)  # sum of w (y - mean)^2
        unit = np.where(n > 1, ss / (W * (n - 1)), np.nan)  # svyvar / n; undefined for one respondent
        srs = unit if kind == "mean" else unit * W**2
    if np.any((n > 1) & (W > 0) & np.isfinite(Y) & ~np.isfinite(srs)):  # sums added across units overflow
        raise too_large(dom.table.value, "for their design effect: their weighted squares overflow when added up")
    return srs


def _finish(design, dom: Domains, kind, conf_level, by):
    """Estimate, SE, t interval, design effect and bases per domain."""
    return pd.DataFrame(_finish_columns(design, dom, kind, conf_level, by))


def _finish_columns(design, dom: Domains, kind, conf_level, by) -> dict:
    """The columns of :func:`_finish` (a frame is built once, after any columns are added)."""
    var = domain_variance(design, dom)
    with np.errstate(invalid="ignore", divide="ignore"):
        se = np.sqrt(var)
        deff = var / srs_variance(dom, kind)
        df = dom.counts["df"]
        crit = critical_value(conf_level, np.where(df > 0, df, np.nan))
        n = dom.counts["n"]
        empty = 0.0 if kind == "total" else np.nan  # nobody in a domain: a total of 0, a mean undefined
        est = np.where(n > 0, dom.estimate, empty)
        se = np.where(n > 0, se, empty)
        deff = np.where(n > 0, deff, np.nan)
        check_group_names(list(dom.labels.columns), ESTIMATE_COLUMNS)
        out = {**{k: dom.labels[k].to_numpy() for k in dom.labels.columns},
               "estimate": est, "se": se, "ci_low": est - crit * se, "ci_high": est + crit * se, "n": n,
               "n_missing": dom.counts["n_missing"], "deff": deff, "n_effective": n / deff, "df": df,
               "weighted_n": dom.counts["weighted_n"], "note": _notes(dom.counts, df, se)}
    return out


NO_SPREAD = ("every answer scores the same: no spread to measure, so the standard error is 0 and the interval (of "
             "no width) does not show sampling error")
SHARE_AT_END = ("a share of {}: no spread for the linearization variance (standard error 0); the interval is "
                "Clopper-Pearson on Kish's effective base (n_kish)")


def _notes(counts, df, se) -> list:
    """Why a row's estimate or interval is missing or weak: empty groups are reported, never dropped."""
    notes = []
    for n, missing, rows, dof, error in zip(counts["n"], counts["n_missing"], counts["nrow"], df, se, strict=True):
        zero = rows - n - missing  # respondents with weight 0
        if rows == 0:
            notes.append("empty: no respondents in this group")
        elif n == 0:
            why = [f"{missing} without an answer"] * int(missing > 0) + [f"{zero} with weight 0"] * int(zero > 0)
            notes.append(f"empty: no answers with a positive weight ({', '.join(why)})")
        elif n == 1:
            notes.append("one respondent: no spread to measure, so the standard error (0, as R's survey) and "
                         "interval do not show sampling error")
        elif not dof > 0:
            notes.append("no degrees of freedom (the group's answers come from one PSU): no interval")
        elif error == 0:
            notes.append(NO_SPREAD)
        else:
            notes.append("")
    return notes


def _beyond_scale(out, low, high, unit) -> None:
    """Add a note where a t interval reaches past the scale's ends (its bounds are kept as computed)."""
    for i, (a, b) in enumerate(zip(out["ci_low"], out["ci_high"], strict=True)):
        if a < low or b > high:
            why = (f"the interval passes the end of the scale ({low:g} to {high:g}{unit}): the normal "
                   "approximation it rests on fails this close to the end (few respondents, or an estimate near "
                   "it); its bounds are shown as computed")
            out["note"][i] = f"{out['note'][i]}; {why}" if out["note"][i] else why


def weighted_mean(data, column=None, *, by=None, weight=None, scale=None, conf_level=0.95):
    """Mean score (CSAT, CES, a rating, spend) with its design-based standard error.

    Parameters
    ----------
    data : DataFrame, path, ibis.Table, SurveyDesign or Series
        Respondents, one row each (see :func:`cxstats.survey_design`).
    column : str
        The answer: numbers, or an ordered categorical (its numeric
        categories score as themselves; text labels need ``scale=``).
    by : str or list of str, optional
        Groups (domains); one output row per group.
    weight : str, optional
        Survey weights (not with a design).
    scale : sequence or dict, optional
        The scale points from low to high: numbers score as themselves;
        labels (e.g. the five agreement labels) score 1..k in this order, or
        give ``{label: score}``. Answers off the scale are an error.
    conf_level : float, default 0.95

    Returns
    -------
    pandas.DataFrame
        One row per group: the ``by`` columns, ``estimate`` (the mean),
        ``se``, ``ci_low``, ``ci_high`` (t with ``df`` degrees of freedom),
        ``n`` (respondents who answered, with a positive weight),
        ``n_missing`` (no answer), ``deff`` (design effect against simple
        random sampling with replacement, R's ``deff = "replace"``),
        ``n_effective`` (``n / deff``), ``df`` (PSUs minus strata of the
        design, or of the group's rows, as R's ``degf``), ``weighted_n`` (sum
        of the weights of the answers). A group with no answers has ``n`` 0
        and missing estimates.

    Raises
    ------
    ValueError
        A missing column, a text answer without ``scale=``, an answer off the
        scale, an invalid weight (rows named), ``weight=`` with a design.

    Notes
    -----
    Equal to R's ``svymean(~x, design, na.rm = TRUE, deff = "replace")`` and
    ``svyby``; intervals as ``confint(..., df = degf(design))`` (R's
    ``confint`` defaults to the normal quantile; cxstats uses t with the
    design's degrees of freedom, as ``svyciprop`` does). For a group the
    degrees of freedom are those of the group's own rows, as ``svyby`` with
    ``svyciprop`` (R's ``svyby`` with ``svymean`` leaves the choice to
    ``confint(..., df = )``; cxstats uses the group's, the more cautious,
    for means and shares alike). :func:`compare_domains` uses the design's,
    since a difference of groups draws on all of it. The interval is the
    estimate plus or minus t standard errors, as R's; with few degrees of
    freedom it can reach beyond the scale (a bounded interval for a share is
    :func:`weighted_proportion`'s logit).

    References
    ----------
    Lumley, T. (2010). Complex Surveys: A Guide to Analysis Using R. Wiley, ch. 2-3.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"csat": [5, 4, 2, None], "w": [1.0, 1.0, 2.0, 1.0]})
    >>> weighted_mean(df, "csat", weight="w")[["estimate", "n", "n_missing"]]
       estimate  n  n_missing
    0      3.25  3          1
    """
    conf_level = check_open_unit("conf_level", conf_level)
    if by is None and scale is None and (found := weights_only(data, column, weight)):
        design, totals = found  # a DataFrame and its weights: the sums and the weights' check in one pass
        return _finish(design, domains(design, totals, []), "mean", conf_level, [])
    design, column = as_design(data, column, weight)
    by = by_columns(design, by, column)
    totals = _measure_totals(design, column, by, "mean", None, None, scale, lean=True)
    out = _finish_columns(design, domains(design, totals, by), "mean", conf_level, by)
    if scale is not None or isinstance(_column_dtype(design, column), pd.CategoricalDtype):  # a bounded scale
        points, scores = scales.scale_points(column, scale, _column_dtype(design, column))
        ends = scores if scores is not None else np.asarray(points, dtype=float)
        _beyond_scale(out, float(np.min(ends)), float(np.max(ends)), "")
    return pd.DataFrame(out)


def weighted_total(data, column=None, *, by=None, weight=None, level=None, conf_level=0.95):
    """Population total of an answer (e.g. total spend, or how many customers would say "yes").

    Parameters
    ----------
    data, column, by, weight, conf_level
        As :func:`weighted_mean`. With ``level``, the total counts the
        respondents giving that answer (the estimated number in the population).

    Returns
    -------
    pandas.DataFrame
        As :func:`weighted_mean`, with ``estimate`` the total. Missing answers
        count as absent (R's ``svytotal(..., na.rm = TRUE)``); a group with
        no answers has a total of 0.

    Raises
    ------
    ValueError
        As :func:`weighted_mean`; a ``level`` that no respondent gave (unless
        it is a declared category of a categorical column).

    Notes
    -----
    Equal to R's ``svytotal(~x, design, na.rm = TRUE, deff = "replace")`` and
    ``svyby``; t intervals with ``degf`` degrees of freedom.

    References
    ----------
    Horvitz, D. G. and Thompson, D. J. (1952). A generalization of sampling
    without replacement from a finite universe. JASA 47, 663-685.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"spend": [10.0, 20.0, None], "w": [100.0, 50.0, 50.0]})
    >>> weighted_total(df, "spend", weight="w")[["estimate", "n", "n_missing"]]
       estimate  n  n_missing
    0    2000.0  2          1
    """
    conf_level = check_open_unit("conf_level", conf_level)
    design, column = as_design(data, column, weight)
    by = by_columns(design, by, column)
    if level is None:
        totals = value_totals(design, column, by)
    else:
        totals = scored_totals(design, column, by, _level_of(design, column, level))
    return _finish(design, domains(design, totals, by, kind="total"), "total", conf_level, by)


def _level_of(design, column, level):
    """The scoring function counting answers equal to ``level`` (checked against the answers found)."""
    dtype = _column_dtype(design, column)
    declared = dtype.categories if isinstance(dtype, pd.CategoricalDtype) else \
        getattr(design, "_categories", {}).get(column)  # a Parquet file's categories, read where it lives

    def score(values):
        if any(isinstance(v, float | np.floating) and np.isinf(v) for v in values):
            _refuse_infinite(design, column)  # not an answer that differs from the level: an error, as for a mean
        return _indicator(values, level, column, declared)

    return score


def _refuse_infinite(design, column) -> None:
    """Raise the error that names ``column``'s infinite answers and some of their rows, on any engine."""
    if design.in_memory:
        numeric_values(design, column)
    else:
        from ._engine import refuse_infinite

        refuse_infinite(design, column)


def _indicator(values, level, column=None, declared=None):
    """1 where the answer equals ``level``, 0 elsewhere, NaN when missing; a level nobody gave is an error."""
    values = np.asarray(values, dtype=object)
    missing = pd.isna(values)
    given = {v for v, m in zip(values, missing, strict=True) if not m}
    binary = given and all(isinstance(v, bool | int | float | np.number) for v in given) and given <= {0, 1} and \
        isinstance(level, bool | int | float | np.number) and level in (0, 1)  # 0/1 answers: both levels exist
    if column is not None and not binary and not any(v == level for v in given) and \
            not (declared is not None and level in list(declared)):
        answers = [v for v, m in zip(values, missing, strict=True) if not m]
        raise ValueError(f"level={level!r} matches no answer of column {column!r}; its answers are "
                         f"{scales._shown(answers)} (a share that is truly 0 needs the level declared as a "
                         "category of a categorical column)")
    hit = np.array([(v == level) if not m else False for v, m in zip(values, missing, strict=True)], dtype=float)
    return np.where(missing, np.nan, hit)


def _binary(column, values):
    """0/1 answers as 0/1; anything else is an error naming the values."""
    values = np.asarray(values, dtype=object)
    missing = pd.isna(values)
    out = np.full(values.size, np.nan)
    bad = []
    for i, (v, m) in enumerate(zip(values, missing, strict=True)):
        if m:
            continue
        if isinstance(v, bool | np.bool_) or (scales._is_number(v) and v in (0, 1)):
            out[i] = float(v)
        else:
            bad.append(v)
    if bad:
        raise ValueError(f"column {column!r} must be 0/1 or boolean without level=; it has values "
                         f"{scales._shown(bad)} (give level= to count one answer)")
    return out


def _proportion_interval(est, se, df, n_kish, nrow, conf_level, method):
    """Interval for a design-based share, as R's ``svyciprop`` (t with ``df`` degrees of freedom)."""
    from scipy import special

    from .proportions import _interval

    z_cp = critical_value(conf_level)  # the exact interval's tails, alpha / 2 each, as a normal quantile
    with np.errstate(invalid="ignore", divide="ignore"):
        t = critical_value(conf_level, np.where(df > 0, df, np.nan))
        p = est
        if method == "logit":
            half = t * se / (p * (1 - p))
            low, high = special.expit(special.logit(p) - half), special.expit(special.logit(p) + half)
        elif method == "asin":
            centre = np.arcsin(np.sqrt(p))
            half = t * se / (2 * np.sqrt(p * (1 - p)))
            low, high = np.sin(np.clip(centre - half, 0, np.pi / 2)) ** 2, np.sin(np.clip(centre + half, 0,
                                                                                         np.pi / 2)) ** 2
        elif method == "wilson":
            n_eff = p * (1 - p) / se**2
            t2 = t * t
            denom = 1 + t2 / n_eff
            root = np.sqrt(4 * n_eff * p * (1 - p) + t2)
            low = (p + t2 / (2 * n_eff) - t / (2 * n_eff) * root) / denom
            high = (p + t2 / (2 * n_eff) + t / (2 * n_eff) * root) / denom
        elif method == "korn_graubard":
            # Korn and Graubard's effective base, rescaled from the t with nrow - 1 to the t with df, as R's "beta"
            n_eff = p * (1 - p) / se**2 * (critical_value(conf_level, nrow - 1) / t) ** 2
            low, high = _interval(n_eff * p, n_eff, z_cp, z_cp, "clopper_pearson")
        else:  # wald
            low, high = p - t * se, p + t * se
        edge = (p <= 0) | (p >= 1)
        if edge.any():  # no variance to linearize: Clopper-Pearson on Kish's effective base
            low[edge], high[edge] = _interval(p[edge] * n_kish[edge], n_kish[edge], z_cp, z_cp, "clopper_pearson")
    return low, high


def _proportion_frame(design, dom, by, conf_level, method):
    out = _finish_columns(design, dom, "mean", conf_level, by)
    D = len(dom.labels)
    with np.errstate(invalid="ignore", divide="ignore"):
        n_kish = dom.add("sw_y") ** 2 / dom.add("sw2_y")
    nrow = dom.counts["nrow"].astype(float) if by else np.full(D, float(design.n_rows))
    out["ci_low"], out["ci_high"] = _proportion_interval(out["estimate"], out["se"], out["df"], n_kish, nrow,
                                                         conf_level, method)
    for i, estimate in enumerate(out["estimate"]):  # a share of 0 or 1 has its own interval: say which
        if out["note"][i] == NO_SPREAD:
            out["note"][i] = SHARE_AT_END.format(f"{estimate:g}")
    _beyond_scale(out, 0, 1, " as a share")
    out["method"] = method
    return pd.DataFrame(out)


def weighted_proportion(data, column=None, *, level=None, by=None, weight=None, conf_level=0.95, method="logit"):
    """Share of respondents giving an answer, with a design-based interval.

    Parameters
    ----------
    data, by, weight, conf_level
        As :func:`weighted_mean`.
    column : str
        The answer. Without ``level`` it must be 0/1 or boolean.
    level : optional
        The answer to count (e.g. ``"Yes"`` or ``5``).
    method : {"logit", "wilson", "korn_graubard", "asin", "wald"}
        As R's ``svyciprop``: ``logit`` (default; on the log-odds scale,
        never outside [0, 1]), ``wilson`` (score interval on the effective
        base), ``korn_graubard`` (R's "beta": Clopper-Pearson on the
        effective base, with Korn and Graubard's degrees-of-freedom
        adjustment), ``asin`` (arcsine square root), ``wald`` (R's "mean": the
        estimate plus or minus t standard errors; may leave [0, 1]). A share
        of exactly 0 or 1 has no linearization variance: its interval is
        Clopper-Pearson on Kish's effective base.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`weighted_mean` (``estimate`` is the share, 0 to
        1), plus ``method``.

    Raises
    ------
    ValueError
        A column that is not 0/1 or boolean without ``level``; a ``level`` no
        respondent gave (unless a declared category); an unknown ``method``;
        the errors of :func:`weighted_mean`.

    Notes
    -----
    Equal to R's ``svyciprop(~I(x == level), design, method = ...)`` and
    ``svyby(..., svyciprop)``: t quantiles with ``degf`` degrees of freedom
    of the design (or of the group's rows).

    References
    ----------
    Korn, E. L. and Graubard, B. I. (1998). Confidence intervals for proportions
    with small expected number of positive counts. Survey Methodology 24, 193-201.
    Lumley, T. (2010). Complex Surveys: A Guide to Analysis Using R. Wiley, section 2.3.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"rec": [1, 0, 1, 1, None], "w": [1.0, 2.0, 1.0, 0.5, 1.0]})
    >>> weighted_proportion(df, "rec", weight="w")[["estimate", "n", "n_missing"]].round(3)
       estimate  n  n_missing
    0     0.556  4          1
    """
    check_choice("method", method, PROPORTION_METHODS)
    conf_level = check_open_unit("conf_level", conf_level)
    if by is None and level is None and (found := weights_only(data, column, weight, kinds="fiu")):
        design, totals = found  # a DataFrame and its weights: the sums and the weights' check in one pass
        _check_binary(design, column)
        return _proportion_frame(design, domains(design, totals, []), [], conf_level, method)
    design, column = as_design(data, column, weight)
    by = by_columns(design, by, column)
    if level is None and _is_plain_numeric(design, column):
        totals = value_totals(design, column, by)
        _check_binary(design, column)
    else:
        g = _level_of(design, column, level) if level is not None else (lambda v: _binary(column, v))
        totals = scored_totals(design, column, by, g)
    return _proportion_frame(design, domains(design, totals, by), by, conf_level, method)


def _is_plain_numeric(design, column) -> bool:
    if design.in_memory:
        dtype = design.data[column].dtype
        return pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype) and \
            not isinstance(dtype, pd.CategoricalDtype)
    kind = design.data.schema()[column]
    return kind.is_numeric()


def _check_binary(design, column):
    if design.in_memory:
        values = design.data[column]
        if isinstance(values.dtype, np.dtype) and values.dtype.kind in "iu":
            numbers = values.to_numpy()
            if 0 <= numbers.min() <= numbers.max() <= 1:
                return  # numpy integers (never missing) from 0 to 1
        y = values.to_numpy(dtype=float, na_value=np.nan)
        bad = ~((y == 0) | (y == 1) | np.isnan(y))
        if bad.any():
            raise ValueError(f"column {column!r} must be 0/1 or boolean without level=; it has values "
                             f"{scales._shown(np.unique(y[bad])[:8])} (give level= to count one answer)")
        return
    y = design.data[column]
    values = design.data.filter(y.notnull() & ~y.isin([0, 1])).select(column).distinct().limit(8).to_pandas()
    if len(values):
        raise ValueError(f"column {column!r} must be 0/1 or boolean without level=; it has values "
                         f"{scales._shown(values[column])} (give level= to count one answer)")


def nps(data, column=None, *, by=None, weight=None, scale=None, conf_level=0.95):
    """Net Promoter Score: promoters (9-10) minus detractors (0-6), in points from -100 to 100.

    Parameters
    ----------
    data, by, weight, conf_level
        As :func:`weighted_mean`.
    column : str
        Likelihood-to-recommend answers, 0 to 10, scored by their values (an
        SPSS item labelled only at 0 and 10 is still 0..10).
    scale : sequence, optional
        Only for answers stored as text: the 11 labels from 0 to 10.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`weighted_mean` with ``estimate``, ``se``,
        ``ci_low``, ``ci_high`` in NPS points, plus ``promoters``,
        ``passives``, ``detractors`` (weighted shares, 0 to 1).

    Raises
    ------
    ValueError
        An answer that is not a whole number from 0 to 10 (the values are
        named), text answers without ``scale=``.

    Notes
    -----
    NPS is the mean of +100 (promoter), 0 (passive) and -100 (detractor), so
    its standard error is that of a (weighted) mean; without weights it is
    ``100 sqrt((P + D - (P - D)^2) / (n - 1))``. Equal to R's
    ``svymean(~I(100 * ((x >= 9) - (x <= 6))), design)``.

    References
    ----------
    Reichheld, F. F. (2003). The one number you need to grow. Harvard Business Review 81(12).

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.Series([10, 9, 8, 7, 3, 10], name="ltr")
    >>> nps(s)[["estimate", "promoters", "detractors"]].round(2)
       estimate  promoters  detractors
    0     33.33        0.5        0.17
    """
    conf_level = check_open_unit("conf_level", conf_level)
    design, column = as_design(data, column, weight)
    by = by_columns(design, by, column)
    discrete, category = scored_groups(design, column, by, _nps_points(design, column, scale), lean=True)
    dom = domains(design, moments(discrete, by, category), by)
    out = _finish_columns(design, dom, "mean", conf_level, by)
    _beyond_scale(out, -100, 100, " points")
    _, index = domain_index(discrete, by)  # the same domains, for the discrete rows
    D = len(dom.labels)
    answered = np.bincount(index, weights=np.where(np.isnan(category), 0.0, discrete["sw"]), minlength=D)
    for name, points_hit in (("promoters", 100.0), ("passives", 0.0), ("detractors", -100.0)):
        hit = np.bincount(index, weights=np.where(category == points_hit, discrete["sw"], 0.0), minlength=D)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[name] = np.where(out["n"] > 0, hit / answered, np.nan)
    return pd.DataFrame(out)


def _nps_points(design, column, scale):
    """The scoring of an NPS answer: +100 for 9-10, 0 for 7-8, -100 for 0-6 (by value), NaN when missing."""
    points, scores = scales.scale_points(column, scale, _column_dtype(design, column), fixed=scales.NPS_POINTS)

    def points_of(values):
        value = scales.score(column, values, points, scores)
        return np.where(np.isnan(value), np.nan, np.where(value >= 9, 100.0, np.where(value <= 6, -100.0, 0.0)))

    return points_of


def _box_totals(design, column, by, k, scale, top, lean=False):
    """Sums of the in-box indicator (top or bottom ``k`` scale points) and the points counted."""
    points, _ = scales.scale_points(column, scale, _column_dtype(design, column), order_only=True)
    if points is None:
        raise ValueError(f"give scale= for {column!r}: the scale points from low to high, e.g. scale=range(1, 6) "
                         "for a 1-5 rating (the top box is the top k of these points, whether or not anyone "
                         "chose them)")
    if not isinstance(k, int | np.integer) or isinstance(k, bool) or not 1 <= k < len(points):
        raise ValueError(f"k must be a whole number from 1 to {len(points) - 1} (points in the box), got {k!r}")
    ranks = np.arange(len(points), dtype=float)
    box = ranks[-k:] if top else ranks[:k]

    def in_box(values):
        position = scales.score(column, values, points, ranks)
        return np.where(np.isnan(position), np.nan, np.isin(position, box).astype(float))

    return scored_totals(design, column, by, in_box, lean), (points[-k:] if top else points[:k])


def _box(data, column, k, scale, by, weight, conf_level, method, top):
    check_choice("method", method, PROPORTION_METHODS)
    conf_level = check_open_unit("conf_level", conf_level)
    design, column = as_design(data, column, weight)
    by = by_columns(design, by, column)
    totals, chosen = _box_totals(design, column, by, k, scale, top)
    out = _proportion_frame(design, domains(design, totals, by), by, conf_level, method)
    out["box"] = ", ".join(map(str, chosen))
    return out


def top_box(data, column=None, *, k=2, scale=None, by=None, weight=None, conf_level=0.95, method="logit"):
    """Share of answers in the top ``k`` points of a rating scale (e.g. 4-5 on 1-5), with its interval.

    Parameters
    ----------
    data, column, by, weight, conf_level
        As :func:`weighted_mean`.
    k : int, default 2
        Number of scale points in the box.
    scale : sequence, optional
        The scale points from low to high (``range(1, 6)`` or the labels); not
        needed for an ordered categorical, whose categories are the scale.
        Points nobody chose still count, so the top 2 of 1-5 is always 4-5.
    method : str, default "logit"
        Interval, as :func:`weighted_proportion` (the same route and numbers).

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`weighted_proportion`, plus ``box`` (the points counted).

    Raises
    ------
    ValueError
        A numeric answer without ``scale=``; an unordered categorical without
        ``scale=``; an answer not on the scale (named); ``k`` out of range.

    References
    ----------
    Lumley, T. (2010). Complex Surveys: A Guide to Analysis Using R. Wiley, section 2.3.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.Series([5, 4, 3, 2, 5, None], name="csat")
    >>> top_box(s, k=2, scale=range(1, 6))[["estimate", "n", "n_missing", "box"]]
       estimate  n  n_missing  box
    0       0.6  5          1  4, 5
    """
    return _box(data, column, k, scale, by, weight, conf_level, method, top=True)


def bottom_box(data, column=None, *, k=2, scale=None, by=None, weight=None, conf_level=0.95, method="logit"):
    """Share of answers in the bottom ``k`` points of a rating scale (e.g. 1-2 on 1-5), with its interval.

    Parameters
    ----------
    data, column, k, scale, by, weight, conf_level, method
        As :func:`top_box`; the box is the lowest ``k`` scale points.

    Returns
    -------
    pandas.DataFrame
        As :func:`top_box`.

    Raises
    ------
    ValueError
        As :func:`top_box`.

    References
    ----------
    Lumley, T. (2010). Complex Surveys: A Guide to Analysis Using R. Wiley, section 2.3.

    Examples
    --------
    >>> import pandas as pd
    >>> bottom_box(pd.Series([5, 4, 3, 2, 1], name="csat"), k=2, scale=range(1, 6))["estimate"].tolist()
    [0.4]
    """
    return _box(data, column, k, scale, by, weight, conf_level, method, top=False)


# ------------------------------------------------------------------ comparisons

def _measure_totals(design, column, by, measure, level, k, scale, lean=False):
    """Sums of the answer scored for ``measure`` ("mean", "proportion", "nps", "top_box", "bottom_box").

    ``lean``: only the sums of the estimates and their variances (no totals or Kish bases).
    """
    dtype = _column_dtype(design, column)
    if measure == "mean":
        if scale is None and not isinstance(dtype, pd.CategoricalDtype):
            return value_totals(design, column, by, lean)
        points, scores = scales.scale_points(column, scale, dtype)
        return scored_totals(design, column, by, lambda v: scales.score(column, v, points, scores), lean)
    if measure == "proportion":
        if level is None:
            return scored_totals(design, column, by, lambda v: _binary(column, v), lean)
        return scored_totals(design, column, by, _level_of(design, column, level), lean)
    if measure == "nps":
        return scored_totals(design, column, by, _nps_points(design, column, scale), lean)
    return _box_totals(design, column, by, k, scale, measure == "top_box", lean)[0]


def compare_domains(data, column=None, *, by=None, measure="mean", level=None, k=2, scale=None, weight=None,
                    conf_level=0.95, alternative="two-sided", adjust="holm"):
    """Differences between groups of one survey (segments, waves, regions) for a mean, share, NPS or top-box.

    Parameters
    ----------
    data : DataFrame, path, ibis.Table, SurveyDesign, or dict
        One survey whose groups (``by``) are compared, with their
        covariance from the shared design (two waves or two segments from the
        same clustered sample are compared correctly). For two or more
        INDEPENDENT samples, give ``{label: data}``; each is estimated on its
        own design and the variances add (``by`` is then not needed).
    column : str
        The answer.
    by : str or list of str
        The groups to compare (every pair).
    measure : {"mean", "proportion", "nps", "top_box", "bottom_box"}
        What is compared; ``level``, ``k`` and ``scale`` as in
        :func:`weighted_proportion`, :func:`top_box`, :func:`weighted_mean`.
    weight : str, optional
    conf_level : float, default 0.95
    alternative : {"two-sided", "less", "greater"}
        ``greater`` tests whether the first group of a pair is higher; the
        interval is then one-sided too (``ci_high`` infinite), so it excludes
        0 exactly when p < 1 - conf_level.
    adjust : str, default "holm"
        Multiple-comparison method over all pairs (as
        :func:`cxstats.adjust_pvalues`; "none" for none).

    Returns
    -------
    pandas.DataFrame
        One row per pair: ``group1``, ``group2``, ``estimate1``,
        ``estimate2``, ``diff`` (first minus second; NPS in points),
        ``se``, ``ci_low``, ``ci_high`` (t with ``df``), ``statistic`` (t),
        ``df`` (the design's degrees of freedom; for independent samples the
        Welch-Satterthwaite combination of the two designs'), ``p_value``,
        ``p_adjusted``, ``n1``, ``n2``, ``measure``. Groups without answers
        are left out of the pairs.

    Raises
    ------
    ValueError
        No ``by`` (and no dict of samples), ``by`` with a dict, fewer than two
        groups with answers, unknown ``measure``/``alternative``/``adjust``,
        and the errors of the estimate named by ``measure``.

    Notes
    -----
    The variance of a difference is ``V1 + V2 - 2 C12`` with the covariance
    of the two domain estimates over the full design, as R's
    ``svyby(..., covmat = TRUE)`` followed by ``svycontrast``; intervals and
    p-values use t with ``degf(design)`` degrees of freedom (R's
    ``svyttest`` uses one fewer, from its regression). For independent
    samples the variances add and the degrees of freedom are
    Satterthwaite's, ``(v1 + v2)^2 / (v1^2 / df1 + v2^2 / df2)``, so a small
    sample is not given the large one's precision (Welch's t test when both
    are simple random samples).

    References
    ----------
    Lumley, T. (2010). Complex Surveys: A Guide to Analysis Using R. Wiley, section 3.5.
    Satterthwaite, F. E. (1946). An approximate distribution of estimates of
    variance components. Biometrics Bulletin 2, 110-114.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"ltr": [10, 9, 3, 10] * 25 + [10, 7, 3, 3] * 25, "wave": ["Q1"] * 100 + ["Q2"] * 100})
    >>> compare_domains(df, "ltr", by="wave", measure="nps")[["group1", "group2", "diff"]]
      group1 group2  diff
    0     Q1     Q2  75.0
    """
    from .multiple import ADJUST_METHODS, _adjusted

    check_choice("measure", measure, MEASURES)
    check_choice("alternative", alternative, ALTERNATIVES)
    if adjust not in ADJUST_METHODS:
        raise ValueError(f"adjust={adjust!r} is not valid; choose one of: {', '.join(map(repr, ADJUST_METHODS))}")
    conf_level = check_open_unit("conf_level", conf_level)
    if isinstance(data, dict):
        if len(data) < 2:
            raise ValueError("give at least two independent samples as {label: data}")
        if by is not None:
            raise ValueError("with independent samples ({label: data}) the samples are the groups; drop by=")
        labels, estimates, variances, ns, dfs, lowest, offset = [], [], [], [], [], [], []
        for label, sample in data.items():
            design, col = as_design(sample, column, weight)
            dom = domains(design, _measure_totals(design, col, [], measure, level, k, scale, lean=True), [])
            labels.append(label)
            estimates.append(dom.estimate[0])
            lowest.append(dom.lowest[0])
            offset.append(dom.offset[0])
            variances.append(domain_variance(design, dom)[0])
            ns.append(int(dom.counts["n"][0]))
            dfs.append(design.degf)
        estimates, ns = np.array(estimates), np.array(ns)
        cov = np.diag(variances)
        difference = lambda i, j: (np.array(lowest)[i] - np.array(lowest)[j]) + (np.array(offset)[i]  # noqa: E731
                                                                                  - np.array(offset)[j])

        def pair_df(i, j):  # Welch-Satterthwaite: the two variances come with their own degrees of freedom
            v1, v2 = variances[i], variances[j]
            with np.errstate(invalid="ignore", divide="ignore"):
                return (v1 + v2) ** 2 / (v1**2 / dfs[i] + v2**2 / dfs[j])
    else:
        design, column = as_design(data, column, weight)
        by = by_columns(design, by, column)
        if not by:
            raise ValueError("give by= (the groups to compare), or a dict of independent samples")
        dom = domains(design, _measure_totals(design, column, by, measure, level, k, scale, lean=True), by)
        cov = domain_variance(design, dom, diagonal=False)
        labels = [tuple(r) if len(by) > 1 else r[0] for r in dom.labels.itertuples(index=False)]
        estimates, ns = dom.estimate, dom.counts["n"]
        pair_df = lambda i, j: design.degf  # noqa: E731
        difference = dom.differences
    answered = [label for label, n in zip(labels, ns, strict=True) if n > 0]
    if len(answered) < 2:
        raise ValueError(f"need at least two groups with answers to compare; groups with answers: {answered} "
                         f"of {labels}")
    i, j = np.triu_indices(len(labels), k=1)
    empty = (ns[i] == 0) | (ns[j] == 0)  # pairs with an empty group are listed, not tested
    diff = np.where(empty, np.nan, difference(i, j))
    with np.errstate(invalid="ignore"):
        se = np.sqrt(np.maximum(cov[i, i] + cov[j, j] - 2 * cov[i, j], 0.0))
        se[empty] = np.nan
        df = np.array([pair_df(a, b) for a, b in zip(i, j, strict=True)], dtype=float)
        stat = diff / se
        crit = critical_value(conf_level, df, alternative)
        p = p_value(stat, alternative, df)
        low = np.full(diff.shape, -np.inf) if alternative == "less" else diff - crit * se
        high = np.full(diff.shape, np.inf) if alternative == "greater" else diff + crit * se
    out = pd.DataFrame({
        "group1": [labels[a] for a in i], "group2": [labels[b] for b in j], "estimate1": estimates[i],
        "estimate2": estimates[j], "diff": diff, "se": se, "ci_low": low, "ci_high": high,
        "statistic": stat, "df": df, "p_value": p, "n1": ns[i], "n2": ns[j], "measure": measure,
        "note": [_pair_note(labels[a], labels[b], ns[a], ns[b]) for a, b in zip(i, j, strict=True)]})
    tested = np.isfinite(p)
    out["p_adjusted"] = np.nan
    if tested.any():
        out.loc[tested, "p_adjusted"] = _adjusted(p[tested], adjust) if adjust != "none" else p[tested]
    return out[["group1", "group2", "estimate1", "estimate2", "diff", "se", "ci_low", "ci_high", "statistic", "df",
                "p_value", "p_adjusted", "n1", "n2", "measure", "note"]]


def _pair_note(label1, label2, n1, n2) -> str:
    """Why a comparison is not tested (an empty group) or rests on a single respondent."""
    empty = [repr(label) for label, n in ((label1, n1), (label2, n2)) if n == 0]
    if empty:
        return f"not tested: group {' and '.join(empty)} has no answers"
    single = [repr(label) for label, n in ((label1, n1), (label2, n2)) if n == 1]
    if single:
        return f"group {' and '.join(single)} has one respondent: its own sampling error is not in the standard error"
    return ""


def compare_nps(data, column=None, *, by=None, weight=None, scale=None, conf_level=0.95, alternative="two-sided",
                adjust="holm"):
    """Differences in NPS between groups or waves, in points; :func:`compare_domains` with ``measure="nps"``.

    Parameters
    ----------
    data : DataFrame, path, ibis.Table, SurveyDesign, or dict
        One survey whose groups (``by``) are compared, their covariance from
        the shared design included (two waves of one panel-free sample, two
        segments); or ``{label: data}`` for independent samples.
    column : str
        The 0-10 likelihood-to-recommend answers.
    by, weight, scale, conf_level, alternative, adjust
        As :func:`compare_domains` and :func:`nps`.

    Returns
    -------
    pandas.DataFrame
        One row per pair of groups, as :func:`compare_domains`; ``diff``,
        ``se``, ``ci_low`` and ``ci_high`` in NPS points.

    Raises
    ------
    ValueError
        As :func:`compare_domains` and :func:`nps`.

    Notes
    -----
    Two answers from the same respondents (the same panel before and
    after) are neither groups of one design nor independent samples: neither
    form applies to them.

    References
    ----------
    Reichheld, F. F. (2003). The one number you need to grow. Harvard Business Review 81(12).
    Lumley, T. (2010). Complex Surveys: A Guide to Analysis Using R. Wiley, section 3.5.

    Examples
    --------
    >>> import pandas as pd
    >>> q1 = pd.DataFrame({"ltr": [10, 10, 9, 3] * 50})
    >>> q2 = pd.DataFrame({"ltr": [10, 7, 3, 3] * 50})
    >>> compare_nps({"Q1": q1, "Q2": q2}, "ltr")[["group1", "group2", "diff"]]
      group1 group2  diff
    0     Q1     Q2  75.0
    """
    return compare_domains(data, column, by=by, measure="nps", scale=scale, weight=weight, conf_level=conf_level,
                           alternative=alternative, adjust=adjust)


# ------------------------------------------------------------------ raking

@dataclass(frozen=True)
class RakeResult:
    """Result of :func:`rake`.

    Attributes
    ----------
    weights : pandas.Series
        Calibrated weights, indexed like the data.
    iterations : int
        Passes over the margins until convergence.
    efficiency : float
        Weighting efficiency, (sum w)^2 / (n sum w^2), from 0 to 1: the
        effective base is ``efficiency * n`` (Kish's).
    margins : pandas.DataFrame
        Per column and category: ``column``, ``category``, ``target`` and
        ``achieved`` weighted shares.
    """

    weights: pd.Series
    iterations: int
    efficiency: float
    margins: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """The margins table."""
        return self.margins


def rake(data, targets, *, weight=None, max_iter=100, tol=1e-10) -> RakeResult:
    """Calibrate weights so that weighted margins match population targets (raking, iterative proportional fitting).

    Parameters
    ----------
    data : pandas.DataFrame or SurveyDesign
        One row per respondent (a design's weights are the starting weights).
    targets : dict
        ``{column: {category: target}}``. Targets are shares (each margin
        summing to 1; the weights then sum to the number of respondents) or
        population counts (every margin with the same total, which the weights
        then sum to).
    weight : str, optional
        Starting (design) weights; default 1.
    max_iter : int, default 100
    tol : float, default 1e-10
        Largest allowed difference between achieved and target shares.

    Returns
    -------
    RakeResult
        ``weights``, ``iterations``, ``efficiency``, ``margins``.

    Raises
    ------
    ValueError
        A column or a target category absent from the data, a respondent in a
        category with no target, a missing value in a raking column, margins
        with different totals, or no convergence within ``max_iter``.

    Notes
    -----
    The fixed point is the same as R's ``survey::rake``. The standard errors
    of estimates on raked weights treat the weights as fixed (no calibration
    adjustment), which is conservative for variables related to the margins.

    References
    ----------
    Deming, W. E. and Stephan, F. F. (1940). On a least squares adjustment of
    a sampled frequency table when the expected marginal totals are known.
    Annals of Mathematical Statistics 11, 427-444.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"age": ["young"] * 6 + ["old"] * 4})
    >>> res = rake(df, {"age": {"young": 0.4, "old": 0.6}})
    >>> res.weights.groupby(df.age).sum().round(6).to_dict()
    {'old': 6.0, 'young': 4.0}
    """
    if isinstance(data, SurveyDesign):
        if weight is not None:
            raise ValueError("data is a survey design, which carries its weights; drop weight=")
        if not data.in_memory:
            raise ValueError("rake needs the respondents in memory (a DataFrame), to return one weight per row")
        df, w0 = data.data, data.weights
    elif isinstance(data, pd.DataFrame):
        df, w0 = data, check_weights(data, weight)
    else:
        raise ValueError(f"rake needs a DataFrame of respondents (or an in-memory survey design), got "
                         f"{type(data).__name__}")
    if not isinstance(targets, dict) or not targets:
        raise ValueError("targets must be a dict {column: {category: target}}")
    check_columns(df, *targets)
    totals, codes, goals, names = [], [], [], []
    for column, margin in targets.items():
        values = df[column]
        if values.isna().any():
            raise ValueError(f"raking column {column!r} has {values.isna().sum()} missing value(s); "
                             "impute or drop them")
        margin = pd.Series(margin, dtype=float)
        if (margin < 0).any() or not np.isfinite(margin).all() or margin.sum() <= 0:
            raise ValueError(f"targets for {column!r} must be non-negative numbers, not all zero; got "
                             f"{margin.to_dict()}")
        if (margin < 1).all() and abs(margin.sum() - 1) > 1e-6:
            raise ValueError(f"targets for {column!r} look like shares (all below 1) but sum to "
                             f"{margin.sum():.6g}; shares must sum to 1 (or give population counts)")
        present = set(values.unique())
        absent = [c for c in margin.index if c not in present]
        if absent:
            found = scales._shown(present)
            hint = "" if len(absent) < len(margin) else (
                "; none of the targets is an answer of the column: are the answers codes (SPSS/Stata value codes "
                "are the data; read with categorical= or give targets by code)?")
            raise ValueError(f"target categories {absent} of {column!r} have no respondents (its answers are "
                             f"{found}); they cannot be weighted{hint}")
        untargeted = sorted(map(str, present - set(margin.index)))
        if untargeted:
            raise ValueError(f"column {column!r} has categories {untargeted} with no target")
        codes.append(pd.Categorical(values, categories=margin.index).codes)
        goals.append(margin.to_numpy())
        totals.append(float(margin.sum()))
        names.append((column, list(margin.index)))
    shares_given = all(abs(t - 1) < 1e-9 for t in totals)
    if not shares_given and max(totals) - min(totals) > 1e-6 * max(totals):
        raise ValueError(f"target margins must all be shares (sum 1) or counts with one total; totals are {totals}")
    total = len(df) if shares_given else totals[0]
    goals = [g / g.sum() * total for g in goals]
    w = w0 * total / w0.sum()
    iterations, error = 0, np.inf
    while iterations < max_iter:
        iterations += 1
        for code, goal in zip(codes, goals, strict=True):
            current = np.bincount(code, weights=w, minlength=goal.size)
            w = w * np.where(current > 0, goal / np.where(current > 0, current, 1), 0.0)[code]
        error = max(np.max(np.abs(np.bincount(c, weights=w, minlength=g.size) - g)) / total
                    for c, g in zip(codes, goals, strict=True))
        if error < tol:
            break
    if error >= tol:
        raise ValueError(f"raking did not converge in {max_iter} iterations (largest margin error {error:.2g}); "
                         "check for empty cells or conflicting targets, or raise max_iter")
    rows = []
    for (column, categories), code, goal in zip(names, codes, goals, strict=True):
        achieved = np.bincount(code, weights=w, minlength=goal.size)
        rows += [{"column": column, "category": c, "target": t / total, "achieved": a / total}
                 for c, t, a in zip(categories, goal, achieved, strict=True)]
    efficiency = float(w.sum() ** 2 / (len(w) * np.sum(w**2)))
    return RakeResult(pd.Series(w, index=df.index, name="weight"), iterations, efficiency, pd.DataFrame(rows))
