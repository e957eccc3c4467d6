"""Select-all (multiple-response) questions: each option's share of respondents, the options ticked, comparisons.

A select-all question ("Which channels did you use? Tick all that apply") is
exported as one column per option: ticked holds the option's label or 1,
unticked is blank or 0. Read column by column, a blank is a missing answer, so
the share ticking an option would come out as 1.0; here the columns are one
question and a blank is "not ticked". Estimates come from the package's one
aggregation and its design-based (linearization) variances, as
:func:`cxstats.weighted_proportion`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ._aggregate import aggregate
from ._exports import ANY, _shown, tick_values
from ._inference import critical_value, p_value
from ._validate import check_choice, check_open_unit
from .design import SurveyDesign, check_columns, survey_design
from .multiple import ADJUST_METHODS, _adjusted
from .survey import (
    ESTIMATE_COLUMNS,
    _finish,
    _pair_note,
    _proportion_frame,
    as_design,
    by_columns,
    check_group_names,
    domain_variance,
    domains,
    moments,
)

BASES = ("all", "answered")
OPTION_COLUMNS = ("option", "option_label", "n_ticked")
PAIR_COLUMNS = ("option", "option_label", "group1", "group2", "estimate1", "estimate2", "diff", "se", "ci_low",
                "ci_high", "statistic", "df", "p_value", "p_adjusted", "n1", "n2", "note")


@dataclass(frozen=True)
class MultipleResponseResult:
    """Result of :func:`multiple_response`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per option (per group with ``by=``): the ``by`` columns,
        ``option`` (its column), ``option_label``, ``estimate`` (share of the
        base ticking it, 0 to 1), ``se``, ``ci_low``, ``ci_high`` (logit
        interval, as :func:`cxstats.weighted_proportion`), ``n`` (respondents
        in the base with an answer to the option and a positive weight),
        ``n_ticked`` (of them, those who ticked it), ``n_missing``
        (respondents left out: with ``base="answered"`` those who ticked no
        option, and those whose answer to the option is missing, a blank in
        a column that writes 0 for "not ticked"), ``deff``,
        ``n_effective``, ``df``, ``weighted_n``, ``note``, ``method``. The
        shares add up to more than 1 when respondents tick several options.
    count : pandas.DataFrame
        The mean number of options ticked per respondent of the base with an
        answer to every option, one row (per group), with the columns of
        :func:`cxstats.weighted_mean`.
    comparisons : pandas.DataFrame
        With ``by=``: every pair of groups for every option (``option``,
        ``option_label``, then the columns of :func:`cxstats.compare_domains`),
        the p-values adjusted together over all options and pairs; empty
        without ``by=``.
    base : str
        ``"all"`` or ``"answered"``.
    columns : tuple of str
        The option columns, in order.
    """

    table: pd.DataFrame
    count: pd.DataFrame
    comparisons: pd.DataFrame
    base: str
    columns: tuple

    def to_frame(self) -> pd.DataFrame:
        """The options' shares."""
        return self.table


def _attrs(data) -> dict:
    if isinstance(data, pd.DataFrame):
        return data.attrs
    if isinstance(data, SurveyDesign) and data.in_memory:
        return data.data.attrs
    return {}


def set_columns(data, columns, counted=None) -> tuple[list, object]:
    """The option columns named by ``columns`` (a list, or the name of a set in ``data.attrs``) and the value that
    marks a tick: ``counted``, else the set's own (an SPSS file's counted value, or an export's per-column rule
    such as ``{"Q5_5": "any"}`` for typed "Other" text), also when the set's columns are given as a list."""
    attrs = _attrs(data)
    sets = attrs.get("multiple_response_sets") or {}
    rules = attrs.get("multiple_response_counted") or {}
    if isinstance(columns, str):
        if columns not in sets:
            if sets:
                known = f"name one of the sets found in the data: {', '.join(map(repr, sets))}"
            elif not isinstance(data, pd.DataFrame) and not (isinstance(data, SurveyDesign) and data.in_memory):
                known = ("a file read where it lies (or an Ibis table) lists no sets: read it with "
                         "cxstats.read_responses and pass the DataFrame, whose attrs list a survey tool's sets")
            else:
                known = "the data lists no sets (df.attrs['multiple_response_sets'] is empty)"
            raise ValueError(f"columns={columns!r} names no multiple-response set; give the option columns as a list, "
                             f"or {known}")
        if counted is None:
            counted = rules.get(columns)
        columns = sets[columns]
    if not isinstance(columns, list | tuple) or not all(isinstance(c, str) for c in columns):
        raise ValueError(f"columns must be a list of option column names or a set name, got {columns!r}")
    if len(columns) < 2 or len(set(columns)) < len(columns):
        raise ValueError(f"a multiple-response question needs two or more different option columns, got {columns!r}")
    if counted is None:  # the columns of a listed set, given by hand: its rule still applies
        for name, members in sets.items():
            if name in rules and set(columns) <= set(members):
                counted = rules[name]
                if isinstance(counted, dict):
                    counted = {c: v for c, v in counted.items() if c in columns} or None
                break
    if isinstance(counted, dict):
        unknown = [c for c in counted if c not in columns]
        if unknown:
            raise ValueError(f"counted= names {unknown}, which are not among the option columns {list(columns)}")
    return list(columns), counted


def set_labels(data, columns) -> list:
    """Each option's label: the file's option label, else its column label, else the column name."""
    attrs = _attrs(data)
    options = attrs.get("option_labels") or {}
    labels = attrs.get("column_labels") or {}
    found = [options.get(c) or labels.get(c) or c for c in columns]
    return found if len(set(found)) == len(found) else list(columns)


def counted_values(data, columns, counted) -> list:
    """The value marking a tick in each column: ``counted`` (one value, or ``{column: value}`` with None for the
    others), shown by its value label in a labelled categorical (an SPSS set read with ``categorical=``, whose
    counted value is a code)."""
    frame = data.data if isinstance(data, SurveyDesign) else data
    labels = _attrs(data).get("value_labels") or {}
    out = []
    for column in columns:
        mark = counted.get(column) if isinstance(counted, dict) else counted
        is_categorical = isinstance(frame, pd.DataFrame) and isinstance(frame[column].dtype, pd.CategoricalDtype)
        out.append(labels.get(column, {}).get(mark, mark) if is_categorical and mark is not None else mark)
    return out


def ticks(discrete, columns, labels, counted) -> np.ndarray:
    """Per group of the aggregation, 1 where the option is ticked, 0 where not and NaN where the answer is missing
    (groups x options).

    ``counted`` is one value per column (None: the default rule of
    :func:`cxstats._exports.tick_values`). A blank is "not ticked" in a
    column that leaves unticked options blank; in a 0/1 column (0 written for
    "not ticked"), a blank is a missing answer. With ``counted``, every value
    but the counted one, blank included, is "not ticked" (SPSS's rule for a
    multiple-dichotomy set). A ``counted`` value that no column holds is an error.
    """
    out, given = [], {}
    for column, label, mark in zip(columns, labels, counted, strict=True):
        codes = discrete.codes[column]
        present = np.unique(codes)  # answers given, not a categorical's unused categories
        score = np.full(len(discrete.labels[column]), np.nan)
        score[present] = tick_values(discrete.labels[column][present], column, label, mark)
        given[column] = discrete.labels[column][present]
        out.append(score[codes])
    out = np.column_stack(out)
    marks = [m for m in counted if m is not None and not (isinstance(m, str) and m == ANY)]
    if marks and not (out == 1).any():
        shown = {c: _shown(v) for c, v in given.items()}
        raise ValueError(f"counted={marks[0]!r} is not an answer in any of the option columns; they hold {shown}. "
                         "Give the value that marks a tick as it is in the data")
    # a column that writes 0 for "not ticked": there a blank is a missing answer (with counted=, as SPSS counts
    # a dichotomy set, every value but the counted one is "not ticked")
    explicit = (out == 0).any(axis=0) & np.array([m is None for m in counted])
    return np.where(np.isnan(out) & ~explicit[None, :], 0.0, out)


def multiple_response(data, columns, *, by=None, weight=None, base="all", conf_level=0.95, counted=None,
                      adjust="holm") -> MultipleResponseResult:
    """Share of respondents ticking each option of a select-all question, with design-based intervals.

    Parameters
    ----------
    data : DataFrame, path, ibis.Table or SurveyDesign
        Respondents, one row each (see :func:`cxstats.survey_design`).
    columns : list of str, or str
        The option columns (two or more), or the name of a set that
        :func:`cxstats.read_responses` found in a survey tool's export or an
        SPSS file (``df.attrs["multiple_response_sets"]``, e.g. ``"Q5"``;
        also when ``data`` is the export's path).
    by : str or list of str, optional
        Groups (domains); every option is compared between every pair.
    weight : str, optional
        Survey weights (not with a design).
    base : {"all", "answered"}
        ``"all"``: every respondent in the data (a respondent who ticked
        nothing counts as not ticking each option); ``"answered"``: those
        who ticked at least one option.
    conf_level : float, default 0.95
    counted : optional
        The value that marks a tick, every other value (blank included)
        being "not ticked", as SPSS counts a multiple-dichotomy set (whose
        counted value is taken from the file); ``"any"`` ticks every
        non-blank answer (typed "Other, please specify" text); a dict
        ``{column: value}`` gives it for some columns, the others keeping
        the default. A set's own rule (``df.attrs["multiple_response_counted"]``,
        e.g. ``{"Q5": {"Q5_5": "any"}}`` for a SurveyMonkey "Other" column)
        applies when its columns are named. By default a ticked option holds
        its label (or any one value, e.g. a code) or 1, and an unticked one
        is blank or 0; in a column that writes 0 for "not ticked", a blank
        is a missing answer (counted in ``n_missing``), elsewhere "not
        ticked".
    adjust : str, default "holm"
        Multiple-comparison method over every option and pair of groups (as
        :func:`cxstats.adjust_pvalues`; "none" for none).

    Returns
    -------
    MultipleResponseResult
        ``table`` (each option's share), ``count`` (mean number of options
        ticked) and, with ``by=``, ``comparisons``.

    Raises
    ------
    ValueError
        Fewer than two option columns, a set name the data does not list, a
        column that does not hold select-all answers (e.g. two different
        labels, or codes besides 0), a ``counted`` value no option column
        holds (the message lists the answers found), an unknown ``base`` or
        ``adjust``, and the errors of :func:`cxstats.weighted_proportion`.

    Notes
    -----
    Each share is the design-based mean of a 0/1 indicator over the base, as
    R's ``svymean(~I(option == 1), design)`` (``svyciprop`` for the logit
    interval, ``svyby`` for groups); with ``base="answered"`` it is a domain
    estimate on the respondents who ticked something (``subset(design,
    ticked > 0)``), never a subset of the rows. Comparisons are design-based
    t tests of a difference with the covariance of the two groups (as
    ``svyby(..., covmat = TRUE)`` + ``svycontrast``, ``degf(design)``
    degrees of freedom), the p-values adjusted together: the options of one
    question are answered by the same respondents, so their tests are not
    independent, and Holm's method controls the family-wise error rate under
    any dependence.

    References
    ----------
    Lumley, T. (2010). Complex Surveys: A Guide to Analysis Using R. Wiley, section 2.3 (design-based means and
    proportions) and section 3.5 (domains: subpopulation estimates).
    Agresti, A. and Liu, I.-M. (1999). Modeling a categorical variable allowing arbitrarily many category choices.
    Biometrics 55, 936-943 (the marginal shares of a pick-any question, each over all respondents).
    Holm, S. (1979). A simple sequentially rejective multiple test procedure. Scandinavian Journal of
    Statistics 6, 65-70.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"phone": [1, None, 1, None], "chat": ["Chat", "Chat", None, None]})
    >>> res = multiple_response(df, ["phone", "chat"])
    >>> res.table[["option", "estimate", "n", "n_ticked"]]
      option  estimate  n  n_ticked
    0  phone       0.5  4         2
    1   chat       0.5  4         2
    >>> multiple_response(df, ["phone", "chat"], base="answered").table["estimate"].round(3).tolist()
    [0.667, 0.667]
    >>> float(res.count["estimate"].iloc[0])
    1.0
    """
    check_choice("base", base, BASES)
    conf_level = check_open_unit("conf_level", conf_level)
    if adjust not in ADJUST_METHODS:
        raise ValueError(f"adjust={adjust!r} is not valid; choose one of: {', '.join(map(repr, ADJUST_METHODS))}")
    if isinstance(data, str | Path):  # a survey-tool export is read with its sets; other files where they lie
        data, weight = survey_design(data, weight=weight), None
    columns, counted = set_columns(data, columns, counted)
    labels = set_labels(data, columns)
    design, _ = as_design(data, columns[0], weight)
    check_columns(design.data, *columns, where=design.source)
    by = by_columns(design, by)
    inside = [b for b in by if b in columns]
    if inside:
        raise ValueError(f"by={inside!r} is one of the option columns")
    check_group_names(by, (*ESTIMATE_COLUMNS, *OPTION_COLUMNS))
    discrete = aggregate(design, keys=(*by, *columns))
    ticked = ticks(discrete, columns, labels, counted_values(data, columns, counted))
    number = ticked.sum(axis=1)  # NaN when an option's answer is missing
    in_base = np.nansum(ticked, axis=1) > 0 if base == "answered" else np.ones(len(number), dtype=bool)
    tables, pairs = [], []
    for k, (column, label) in enumerate(zip(columns, labels, strict=True)):
        dom = domains(design, moments(discrete, by, np.where(in_base, ticked[:, k], np.nan)), by)
        frame = _proportion_frame(design, dom, by, conf_level, "logit")
        hits = domains(design, moments(discrete, by, np.where(in_base & (ticked[:, k] > 0), 1.0, np.nan)), by)
        frame.insert(len(by), "option", column)
        frame.insert(len(by) + 1, "option_label", label)
        frame.insert(frame.columns.get_loc("n") + 1, "n_ticked", hits.counts["n"])
        tables.append(frame)
        if by:
            pairs.append(_pairs(design, dom, by, conf_level, column, label))
    count = _finish(design, domains(design, moments(discrete, by, np.where(in_base, number, np.nan)), by), "mean",
                    conf_level, by)
    comparisons = pd.concat(pairs, ignore_index=True) if pairs else pd.DataFrame(columns=list(PAIR_COLUMNS))
    tested = comparisons["p_value"].notna().to_numpy()
    comparisons["p_adjusted"] = np.nan
    if tested.any():
        p = comparisons["p_value"].to_numpy(dtype=float)[tested]
        comparisons.loc[tested, "p_adjusted"] = _adjusted(p, adjust) if adjust != "none" else p
    return MultipleResponseResult(table=pd.concat(tables, ignore_index=True), count=count,
                                  comparisons=comparisons[list(PAIR_COLUMNS)], base=base, columns=tuple(columns))


def _pairs(design, dom, by, conf_level, column, label) -> pd.DataFrame:
    """Every pair of groups for one option: difference, its design-based SE (covariance included), t test."""
    cov = domain_variance(design, dom, diagonal=False)
    names = [tuple(r) if len(by) > 1 else r[0] for r in dom.labels.itertuples(index=False)]
    estimate, n = dom.estimate, dom.counts["n"]
    i, j = np.triu_indices(len(names), k=1)
    empty = (n[i] == 0) | (n[j] == 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        diff = np.where(empty, np.nan, estimate[i] - estimate[j])
        se = np.where(empty, np.nan, np.sqrt(np.maximum(cov[i, i] + cov[j, j] - 2 * cov[i, j], 0.0)))
        flat = se == 0  # every share 0 or 1 in both groups: no spread to test a difference against
        statistic = np.where(flat, np.nan, diff / se)
        crit = critical_value(conf_level, float(design.degf))
        p = p_value(statistic, "two-sided", float(design.degf))
    notes = [_pair_note(names[a], names[b], n[a], n[b]) for a, b in zip(i, j, strict=True)]
    notes = [f"not tested: the share is 0 or 1 in both groups (no standard error){'; ' + note if note else ''}"
             if f else note for f, note in zip(flat, notes, strict=True)]
    return pd.DataFrame({
        "option": column, "option_label": label, "group1": [names[a] for a in i], "group2": [names[b] for b in j],
        "estimate1": estimate[i], "estimate2": estimate[j], "diff": diff, "se": se, "ci_low": diff - crit * se,
        "ci_high": diff + crit * se, "statistic": statistic, "df": float(design.degf), "p_value": p,
        "p_adjusted": np.nan, "n1": n[i], "n2": n[j], "note": notes})
