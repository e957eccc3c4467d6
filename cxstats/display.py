"""What a report page shows: tables formatted for readers and figures with alt text and a caption.

``show_table`` turns any DataFrame a cxstats function returns into a pandas Styler: human column labels from
:data:`LABELS` (one label per column of the README's column glossary), shares as percentages, p-values as
``< 0.001`` or two significant digits, counts as whole numbers with thousands separators, missing values as an em
dash with a footnote, no running index, text left-aligned and numbers right-aligned, and a table too wide for a
page turned on its side. Only what the page shows changes: the DataFrame itself is not touched.

``show_figure`` shows a matplotlib figure as a PNG whose alt text is stored in the output's metadata (the report
template writes it into ``<img alt=...>``), with its caption beneath.

This module imports pandas' Styler (and so jinja2) when a table is first shown, and matplotlib never: a figure is
drawn by its caller.
"""

from __future__ import annotations

import html
import math
import numbers
from pathlib import Path

MISSING = "\u2014"  # em dash
DEFAULT_MISSING_NOTE = "\u2014 no value: missing, or not applicable to this row."
FORMATS = ("percent", "percent_points", "published", "points", "pp", "p_value", "count", "number", "text")
TEMPLATES = Path(__file__).parent / "templates" / "styler"

# One human label per column of the README's column glossary (tests/test_glossary.py checks every glossary column
# has one). Units are added from the column's format: " (%)" for shares, " (points)", " (percentage points)".
LABELS = {
    "achieved": "Achieved share", "adjust": "Adjustment", "aic": "AIC", "alpha": "Significance level",
    "alpha_if_deleted": "Alpha if item deleted", "alternative": "Alternative hypothesis", "answer": "Answer",
    "answered": "Answered", "approximate": "Approximate", "base": "Base", "basis": "Set by",
    "bic": "BIC", "box": "Scale points in box", "breakeven_n": "Break-even base", "category": "Category",
    "cheap": "Cheap", "ci_high": "CI high", "ci_high_bonferroni": "CI high (Bonferroni)", "ci_low": "CI low",
    "ci_low_bonferroni": "CI low (Bonferroni)", "citation": "Citation", "cohen_h": "Cohen's h",
    "column": "Column", "column_label": "Question", "conf_level": "Confidence level", "confidence": "Confidence",
    "converged": "Converged", "count": "Count", "count1": "Count 1", "count2": "Count 2",
    "count_high": "Highest count", "count_low": "Lowest count", "cramers_v": "Cramér's V",
    "criterion": "Criterion", "decimals": "Decimals printed", "declared_missing": "Declared missing",
    "deff": "Design effect", "description": "Description", "detractors": "Detractors", "df": "df",
    "df_denom": "df (denominator)", "diff": "Difference", "diff_high": "Highest difference",
    "diff_low": "Lowest difference", "discordant_max": "Most changed answers",
    "discordant_min": "Fewest changed answers", "driver": "Driver", "driver1": "Driver 1", "driver2": "Driver 2",
    "efficiency": "Weighting efficiency", "elasticity": "Elasticity", "entropy": "Entropy",
    "estimate": "Estimate", "estimate1": "Estimate 1", "estimate2": "Estimate 2", "expensive": "Expensive",
    "figure": "Figure", "figure1": "Figure 1", "figure2": "Figure 2", "group": "Group", "group1": "Group 1",
    "group2": "Group 2", "higher_than": "Higher than", "i2": "I²", "in_rest": "In the rest",
    "in_segment": "In the segment", "item": "Item", "item_rest_corr": "Item-rest correlation", "k": "Segments",
    "kind": "Kind", "kr_high": "Krinsky-Robb high", "kr_low": "Krinsky-Robb low", "label": "Label",
    "letter": "Letter", "letters": "Letters", "logit": "Logit", "loglik": "Log-likelihood",
    "margin": "Margin of error", "mc_error": "Monte Carlo error", "measure": "Measure", "method": "Method",
    "min_expected": "Smallest expected count", "missing_codes": "Missing codes", "missing_share": "Missing",
    "n": "Respondents", "n1": "Respondents 1", "n2": "Respondents 2", "n_effective": "Effective base",
    "n_figures": "Figures", "n_kish": "Kish effective base", "n_missing": "No answer", "n_psu": "PSUs",
    "n_psu_positive": "PSUs with weight", "n_respondents": "Respondents", "n_rows": "Rows",
    "n_studies": "Surveys", "n_zero_weight": "Zero weights", "name": "Name", "nobs": "Base",
    "nobs1": "Base 1", "nobs1_known": "Base 1 known", "nobs2": "Base 2", "not_cheap": "Not cheap",
    "n_ticked": "Ticked", "not_expensive": "Not expensive", "note": "Note", "notes": "Notes",
    "null_value": "Null value",
    "odds_ratio": "Odds ratio", "odds_ratio_ci_high": "Odds ratio CI high",
    "odds_ratio_ci_low": "Odds ratio CI low", "option": "Option", "option_label": "Option text", "p1": "Share 1",
    "p2": "Share 2", "p_adjusted": "Adjusted p-value",
    "p_heterogeneity": "Heterogeneity p-value", "p_value": "p-value", "p_value_max": "Largest p-value",
    "p_value_min": "Smallest p-value", "passives": "Passives", "percent": "Published", "percent1": "Published 1",
    "percent2": "Published 2", "performance": "Performance", "pi_high": "Prediction interval high",
    "pi_low": "Prediction interval low", "point": "Price point", "popsize": "PSUs in population",
    "population": "Population", "power": "Power", "price": "Price", "prior_a": "Prior a", "prior_b": "Prior b",
    "prob_greater": "P(first larger)", "probability": "Probability", "promoters": "Promoters",
    "proportion": "Share", "publisher": "Publisher", "q": "Cochran's Q", "quadrant": "Quadrant",
    "question": "Question", "rank": "Rank", "reach": "Reach", "reason": "Reason", "reject": "Rejected",
    "refits_converged": "Refits converged",
    "revenue": "Revenue", "risk_ratio": "Risk ratio", "robust_se": "Robust SE", "sabic": "Sample-size adj. BIC",
    "se": "SE", "segment": "Segment", "share": "Share", "share_ci_high": "Share CI high",
    "share_ci_low": "Share CI low", "significant": "Significant", "silhouette": "Silhouette",
    "small_base": "Small base", "smallest_share": "Smallest segment", "solved_for": "Solved for",
    "source": "Source", "stability": "Stability", "statement": "Statement", "statistic": "Statistic",
    "statistic_type": "Statistic type", "stratum": "Stratum", "study_weight": "Weight", "suggested": "Suggested",
    "survey": "Survey", "survey1": "Survey 1", "survey2": "Survey 2", "target": "Target share", "tau2": "τ²",
    "term": "Term", "testable": "Testable", "title": "Title", "too_cheap": "Too cheap",
    "too_expensive": "Too expensive", "unit": "Unit", "value": "Value", "warning": "Caveat",
    "weight_max": "Largest weight", "weight_min": "Smallest weight", "weight_ratio": "Largest / smallest weight",
    "weighted_base": "Weighted base", "weighted_missing_share": "Weighted missing", "weighted_n": "Weighted base",
    "wording": "Wording", "wtp": "Willingness to pay", "year": "Year",
}

P_VALUES = {"p_value", "p_adjusted", "p_heterogeneity", "p_value_min", "p_value_max"}
PERCENTS = {"proportion", "p1", "p2", "null_value", "promoters", "passives", "detractors", "share", "share_ci_low",
            "share_ci_high", "missing_share", "weighted_missing_share", "efficiency", "target", "achieved",
            "too_cheap", "cheap", "not_cheap", "expensive", "not_expensive", "too_expensive", "reach",
            "probability", "smallest_share", "power", "conf_level", "prob_greater"}
PUBLISHED = {"percent", "percent1", "percent2"}  # a percentage as its source printed it: no decimals added
PERCENTS_AS_PRINTED = {"study_weight", "i2"}  # already 0 to 100
POINTS = {"margin"}  # already in percentage points
SHARE_GAPS = {"diff_low", "diff_high"}  # differences of two shares, 0 to 1: shown in percentage points
COUNTS = {"n", "count", "nobs", "count1", "nobs1", "count2", "nobs2", "n1", "n2", "n_missing", "answered",
          "weighted_n", "n_effective", "n_kish", "n_zero_weight", "declared_missing", "n_respondents",
          "n_figures", "count_low", "count_high", "n_rows", "n_psu", "n_psu_positive", "popsize", "base",
          "weighted_base", "n_studies", "breakeven_n", "discordant_min", "discordant_max", "k", "rank", "n_ticked"}
TEXTS = {"year", "decimals"}
# Columns shown in their estimate's format: {column: the columns it follows, first present wins}
FOLLOWS = {"ci_low": ("estimate", "diff", "diff_low", "proportion", "percent"),
           "ci_high": ("estimate", "diff", "diff_low", "proportion", "percent"),
           "estimate1": ("estimate",), "estimate2": ("estimate",), "pi_low": ("estimate", "proportion"),
           "pi_high": ("estimate", "proportion"), "odds_ratio_ci_low": ("odds_ratio",),
           "odds_ratio_ci_high": ("odds_ratio",), "kr_low": ("wtp",), "kr_high": ("wtp",),
           "ci_low_bonferroni": ("diff", "estimate"), "ci_high_bonferroni": ("diff", "estimate"),
           "diff": ("estimate1", "p1", "estimate"), "se": ("estimate",)}
# A difference (or standard error) of shares is in percentage points, not a percentage
AS_GAP = {"diff", "ci_low_bonferroni", "ci_high_bonferroni", "se"}
UNITS = {"percent": "%", "percent_points": "%", "published": "%", "points": "points", "pp": "percentage points"}


# ---------------------------------------------------------------------------------------------------------------
# Formatting one value


def is_missing(value) -> bool:
    """True for None, NaN, pandas' NA and NaT: the values a table shows as an em dash."""
    import numpy as np
    import pandas as pd

    if value is None:
        return True
    try:
        missing = pd.isna(value)
    except (TypeError, ValueError):
        return False
    return isinstance(missing, bool | np.bool_) and bool(missing)


def format_value(value, kind: str = "number", decimals: int | None = None) -> str:
    """One value as a table shows it.

    Parameters
    ----------
    value : number, text, bool or missing
    kind : str
        One of ``"percent"`` (a share from 0 to 1, shown as a percentage with one decimal), ``"percent_points"``
        (a percentage already from 0 to 100, one decimal), ``"published"`` (a published percentage, 0 to 100,
        shown as printed: with the decimals it has, none added, so 83 is "83%" and 45.5 is "45.5%"), ``"points"``
        (NPS or a gap already in points, one decimal), ``"pp"``
        (a difference of two shares from 0 to 1, shown in percentage points), ``"p_value"`` (``< 0.001``, else
        two significant digits), ``"count"`` (a whole number with thousands separators), ``"number"`` (with
        ``decimals`` decimals, never e-notation) or ``"text"``.
    decimals : int, optional
        Decimals of a ``"number"`` (default 2).

    Returns
    -------
    str
        The text shown; an em dash for a missing value.

    Examples
    --------
    >>> format_value(5.841564e-215, "p_value"), format_value(0.0123, "p_value"), format_value(0.5, "p_value")
    ('< 0.001', '0.012', '0.50')
    >>> format_value(2003.0, "count"), format_value(0.4567, "percent"), format_value(float("nan"), "percent")
    ('2,003', '45.7%', '—')
    >>> format_value(70000000.0, "number", 0), format_value(-0.344, "pp"), format_value(True, "text")
    ('70,000,000', '-34.4', 'yes')
    >>> format_value(83.0, "published"), format_value(45.5, "published"), format_value(83.0, "percent_points")
    ('83%', '45.5%', '83.0%')
    """
    import numpy as np

    if kind not in FORMATS:
        raise ValueError(f"kind must be one of {', '.join(FORMATS)}; got {kind!r}")
    if is_missing(value):
        return MISSING
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if not isinstance(value, numbers.Real):
        return str(value)
    x = float(value)
    if math.isinf(x):
        return "\u221e" if x > 0 else "-\u221e"
    if kind == "text":  # a number shown as a label: a whole number without separators (a year, a segment)
        return str(int(x)) if x.is_integer() else _fixed(x, _decimals([x]))
    if kind == "p_value":
        if x < 0.001:
            return "< 0.001"
        return f"{x:#.2g}".rstrip(".") if x < 1 else _fixed(x, 1)  # over 1 only by a rounding error (or a bug)
    if kind == "count":
        return f"{round(x):,}"
    if kind == "percent":
        return f"{_fixed(100 * x, 1)}%"
    if kind == "percent_points":
        return f"{_fixed(x, 1)}%"
    if kind == "published":  # the decimals the value has (at most 4), none added
        digits = next(d for d in range(5) if d == 4 or abs(x - round(x, d)) < 1e-9)
        return f"{_fixed(x, digits)}%"
    if kind in ("points", "pp"):
        return _fixed(100 * x if kind == "pp" else x, 1)
    return _fixed(x, 2 if decimals is None else decimals)  # a number


def _fixed(x: float, decimals: int) -> str:
    """``x`` with ``decimals`` decimals and thousands separators; a value that would round to zero says so."""
    text = f"{x:,.{decimals}f}"
    if float(text.replace(",", "")) == 0:
        if x == 0:
            return text.lstrip("-")
        tiny = f"{10.0 ** -decimals:.{decimals}f}"
        return f"< {tiny}" if x > 0 else f"> -{tiny}"
    return text


def _decimals(values) -> int:
    """Decimals that show about three significant digits of a column's typical value (0 for whole numbers)."""
    finite = [abs(float(v)) for v in values if not is_missing(v) and not isinstance(v, bool)
              and isinstance(v, numbers.Real) and math.isfinite(float(v))]
    if not finite or all(v.is_integer() for v in finite):
        return 0
    nonzero = sorted(v for v in finite if v > 0)
    if not nonzero:
        return 0
    typical = nonzero[len(nonzero) // 2]
    return min(4, max(0, 2 - math.floor(math.log10(typical))))


# ---------------------------------------------------------------------------------------------------------------
# Which format each column gets


def _parse_format(spec, column) -> tuple[str, int | None]:
    if not isinstance(spec, str):
        raise ValueError(f"formats[{column!r}] must be a text such as 'percent' or 'number:2'; got {spec!r}")
    kind, _, digits = spec.partition(":")
    if kind not in FORMATS or (digits and (kind != "number" or not digits.isdigit())):
        raise ValueError(f"formats[{column!r}] must be one of {', '.join(FORMATS)} or number:DECIMALS "
                         f"(e.g. number:2); got {spec!r}")
    return kind, int(digits) if digits else None


def _guess(column, series) -> tuple[str, int | None]:
    """The format of a column from its glossary name, else from its values."""
    import pandas as pd

    name = str(column)
    if name in P_VALUES or name.startswith("p_value"):
        return "p_value", None
    if name in PERCENTS or name.endswith("_share") or name.startswith("share_"):
        return "percent", None
    if name in PUBLISHED:
        return "published", None
    if name in PERCENTS_AS_PRINTED:
        return "percent_points", None
    if name in POINTS:
        return "points", None
    if name in SHARE_GAPS:
        return "pp", None
    if name in TEXTS:
        return "text", None
    if (pd.api.types.is_bool_dtype(series) or not pd.api.types.is_numeric_dtype(series)
            or isinstance(series.dtype, pd.CategoricalDtype)):
        return "text", None
    if name in COUNTS or name.startswith(("n_", "count", "nobs")) or name.endswith("_n"):
        return "count", None
    return "number", None


def column_formats(table, formats=None) -> dict:
    """``{column: (kind, decimals)}``: the formats given, else the glossary's, with intervals, differences and
    standard errors following their estimate (a gap between two shares in percentage points)."""
    formats = dict(formats or {})
    unknown = [c for c in formats if c not in table.columns]
    if unknown:
        raise ValueError(f"formats names columns the table does not have: {unknown}; its columns are "
                         f"{list(map(str, table.columns))}")
    chosen = {c: _parse_format(spec, c) for c, spec in formats.items()}
    for column in table.columns:
        if column not in chosen and str(column) not in FOLLOWS:
            chosen[column] = _guess(column, table[column])
    for column in table.columns:  # second pass: what follows an estimate, in table order
        if column in chosen:
            continue
        lead = next((c for c in FOLLOWS[str(column)] if c in table.columns and c != column), None)
        if lead is None or lead not in chosen:
            chosen[column] = _guess(column, table[column])
            continue
        kind, digits = chosen[lead]
        if lead == "percent" and kind in ("percent_points", "published"):  # its interval is a share, 0 to 1
            kind = "percent"
        if str(column) in AS_GAP and kind == "percent":
            kind = "pp"
        if kind == "p_value":
            kind = "number"
        chosen[column] = (kind, digits)
    for column, (kind, digits) in chosen.items():
        if kind == "number" and digits is None:  # one number of decimals per column, from its own values
            chosen[column] = (kind, _decimals(table[column].tolist()))
    return chosen


def header(column, kind: str, labels: dict) -> str:
    """A column's header: the label given, else the glossary's label with the unit of its format."""
    if column in labels:
        return str(labels[column])
    label = LABELS.get(str(column), str(column))
    unit = UNITS.get(kind)
    return f"{label} ({unit})" if unit and not label.endswith(")") else label


# ---------------------------------------------------------------------------------------------------------------
# The table


_STYLER = None


def _styler_class():
    """pandas' Styler with a template that puts a footnote under the table (imported on first use)."""
    global _STYLER
    if _STYLER is None:
        from pandas.io.formats.style import Styler

        base = Styler.from_custom_template(str(TEMPLATES), html_table="cxstats_table.tpl")

        class ReaderTable(base):
            """A Styler that renders its ``footnote`` (text, HTML-escaped) beneath the table."""

            footnote = ""
            plain_text = ""  # the table as plain text: its text/plain output, the same on every run

            def to_html(self, buf=None, **kwargs):
                kwargs.setdefault("footnote", self.footnote)
                return super().to_html(buf, **kwargs)

            def __repr__(self):
                return self.plain_text or super().__repr__()

        _STYLER = ReaderTable
    return _STYLER


def _kept_index(table, index):
    """The table with the index levels to show moved into ordinary left columns."""
    import pandas as pd

    names = [n for n in table.index.names]
    if index is None:  # keep named levels (a grouping), hide an unnamed one (a running number)
        keep = [n for n in names if n is not None]
    elif index is True:
        keep = [n if n is not None else "index" for n in names]
        table = table.rename_axis(keep)
    elif index is False:
        keep = []
    else:
        keep = [index] if isinstance(index, str) else list(index)
        missing = [n for n in keep if n not in names]
        if missing:
            raise ValueError(f"index names levels the table's index does not have: {missing}; its levels are "
                             f"{names}")
    if not keep:
        return table.reset_index(drop=True)
    clash = [n for n in keep if n in table.columns]
    if clash:
        raise ValueError(f"index levels {clash} are also columns of the table: rename one, or pass index=False")
    drop = [n for n in names if n not in keep]
    table = table.reset_index(level=keep)
    return table.reset_index(drop=True) if drop or not isinstance(table.index, pd.RangeIndex) else table


def show_table(table, *, caption, formats=None, labels=None, missing_note=None, index=None, max_columns=8):
    """A table formatted for readers: a pandas Styler, shown when it is a notebook cell's last expression.

    Parameters
    ----------
    table : pandas.DataFrame (or Series)
        Any table, e.g. one a cxstats function returned; it is not changed.
    caption : str
        What the table compares, in a sentence; shown above it.
    formats : dict, optional
        ``{column: format}`` overriding the glossary's: ``"percent"`` (a share 0-1 shown as 45.7%),
        ``"percent_points"`` (already 0-100, shown with %), ``"points"`` (NPS or a gap in points, one decimal),
        ``"pp"`` (a difference of two shares 0-1, shown in percentage points), ``"p_value"`` (< 0.001, else 2
        significant digits), ``"count"`` (whole number, thousands separators), ``"number:2"`` (2 decimals) or
        ``"text"``. Intervals, differences and standard errors follow their estimate's format.
    labels : dict, optional
        ``{column: header}`` overriding :data:`LABELS` (used as given, units included).
    missing_note : str, optional
        Footnote explaining the em dashes, shown only when a value is missing; default: missing or not applicable.
    index : None, bool, str or list of str
        Index levels shown as left columns: by default the named levels (a running, unnamed index is hidden);
        ``True`` all, ``False`` none, or the names of the levels to keep.
    max_columns : int
        A table with more columns than this is transposed (its columns become rows) so no page scrolls sideways.

    Returns
    -------
    pandas.io.formats.style.Styler
        Numbers right-aligned, text left-aligned, missing values as an em dash with the footnote beneath.

    Raises
    ------
    ValueError
        When ``caption`` is empty, ``formats`` or ``index`` name what the table does not have, a format is
        unknown, column names repeat, or the table is too wide and too long to fit a page either way.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"group": ["a", "b"], "proportion": [0.4567, None], "n": [2003.0, 12],
    ...                   "p_value": [5.841564e-215, 0.0123]})
    >>> html = show_table(t, caption="Share agreeing, by group").to_html()
    >>> [s in html for s in ("45.7%", "2,003", "&lt; 0.001", "0.012", "Share (%)", "\u2014", "missing")]
    [True, True, True, True, True, True, True]
    """
    import pandas as pd

    if not isinstance(caption, str) or not caption.strip():
        raise ValueError("caption must say what the table compares, e.g. 'Share agreeing, by group'; got "
                         f"{caption!r}")
    if isinstance(max_columns, bool) or not isinstance(max_columns, numbers.Integral) or max_columns < 2:
        raise ValueError(f"max_columns must be a whole number of at least 2; got {max_columns!r}")
    if isinstance(table, pd.Series):
        table = table.to_frame()
    if not isinstance(table, pd.DataFrame):
        raise ValueError(f"table must be a pandas DataFrame or Series; got {type(table).__name__}")
    labels = dict(labels or {})
    shown = _kept_index(table, index)
    if isinstance(shown.columns, pd.MultiIndex):
        shown.columns = [" ".join(str(p) for p in c if str(p)) for c in shown.columns]
    repeated = sorted({str(c) for c in shown.columns if list(shown.columns).count(c) > 1})
    if repeated:
        raise ValueError(f"table has repeated column names {repeated}: rename them before showing the table")
    kinds = column_formats(shown, formats)
    heads = {c: header(c, kinds[c][0], labels) for c in shown.columns}
    missing = bool(shown.isna().to_numpy().any()) if len(shown) else False
    note = missing_note if missing_note is not None else DEFAULT_MISSING_NOTE
    if shown.shape[1] > max_columns:
        return _transposed(shown, kinds, heads, caption, note if missing else "", max_columns)
    styler = _new_styler(shown, caption)
    styler.format({c: _formatter(*kinds[c]) for c in shown.columns})
    styler.hide(axis="index")
    styler.relabel_index([heads[c] for c in shown.columns], axis="columns")
    text_columns = [j for j, c in enumerate(shown.columns) if kinds[c][0] == "text"]
    styler.set_table_styles(_styles(text_columns, shown.shape[1]))
    styler.set_caption(html.escape(caption))
    styler.footnote = note if missing else ""
    styler.plain_text = _plain_text(caption, pd.DataFrame(
        {heads[c]: [format_value(v, *kinds[c]) for v in shown[c]] for c in shown.columns}), styler.footnote)
    return styler


def _plain_text(caption, shown, footnote, index=False) -> str:
    """Caption, table (of formatted texts) and footnote as text: what a console shows."""
    table = shown.to_string(index=index)
    return "\n".join(part for part in (caption, table, footnote) if part)


def _new_styler(data, caption):
    """A Styler whose HTML is the same on every run (its id comes from the caption and the data, not a random
    number), with the table classes the report pages style."""
    import hashlib

    digest = hashlib.sha1((caption + data.to_csv()).encode("utf-8")).hexdigest()[:10]
    return _styler_class()(data, uuid=f"cx{digest}", cell_ids=False,
                           table_attributes='class="cxstats-table"')


def _formatter(kind, decimals):
    return lambda value: html.escape(format_value(value, kind, decimals))


def _styles(text_columns, n_columns, index_text=False, text_rows=()) -> list:
    left = "text-align: left; white-space: normal;"
    right = "text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap;"
    styles = [
        {"selector": "", "props": "border-collapse: collapse; margin: 0.5em 0 0.25em 0; max-width: 100%;"},
        {"selector": "caption", "props": "caption-side: top; text-align: left; font-weight: 600; "
                                         "padding: 0 0 0.4em 0; color: #222;"},
        {"selector": "thead th", "props": "border-bottom: 1px solid #888; vertical-align: bottom; "
                                          "padding: 0.3em 0.6em; font-weight: 600;"},
        {"selector": "td, tbody th", "props": "padding: 0.3em 0.6em; border-bottom: 1px solid #e4e4e4;"},
    ]
    for j in range(n_columns):
        props = left if j in text_columns else right
        styles.append({"selector": f"th.col_heading.col{j}, td.col{j}", "props": props})
        if j not in text_columns:  # a long header wraps between words; the numbers beneath do not
            styles.append({"selector": f"th.col_heading.col{j}", "props": "white-space: normal;"})
    if index_text:
        styles.append({"selector": "th.row_heading", "props": left + " font-weight: 600;"})
        styles.append({"selector": "th.blank", "props": left})
    for i in text_rows:
        styles.append({"selector": f"td.row{i}", "props": left})
    return styles


def _transposed(shown, kinds, heads, caption, footnote, max_columns):
    """A wide table turned on its side: one row per column, one column per row (named by its text columns)."""
    import pandas as pd

    ids = []
    for c in shown.columns:  # the leading text columns name the rows
        if kinds[c][0] != "text" or len(ids) == 2:
            break
        ids.append(c)
    if len(shown) + (1 if ids else 0) > max_columns:
        raise ValueError(f"table is too wide to show ({shown.shape[1]} columns, over max_columns={max_columns}) "
                         f"and too long to turn on its side ({len(shown)} rows): show fewer columns, e.g. "
                         "table[[...]], or several tables")
    values = shown.drop(columns=ids)
    names = [" \u00b7 ".join(format_value(row[c], *kinds[c]) for c in ids) for _, row in shown.iterrows()] \
        if ids else ["Value"] if len(shown) == 1 else [f"Row {i + 1}" for i in range(len(shown))]
    rotated = pd.DataFrame(values.T.to_numpy(), index=list(values.columns), columns=range(len(shown)))
    styler = _new_styler(rotated, caption)
    for c in values.columns:
        styler.format(_formatter(*kinds[c]), subset=pd.IndexSlice[[c], :])
    styler.relabel_index([heads[c] for c in values.columns], axis="index")
    styler.relabel_index([html.escape(n) for n in names], axis="columns")
    text_rows = [i for i, c in enumerate(values.columns) if kinds[c][0] == "text"]
    styler.set_table_styles(_styles([], len(shown), index_text=True, text_rows=text_rows))
    styler.set_caption(html.escape(caption))
    styler.footnote = footnote
    text = pd.DataFrame({n: [format_value(v, *kinds[c]) for c, v in values.iloc[i].items()]
                         for i, n in enumerate(names)}, index=[heads[c] for c in values.columns])
    styler.plain_text = _plain_text(caption, text, footnote, index=True)
    return styler


# ---------------------------------------------------------------------------------------------------------------
# Figures


def show_figure(fig_or_ax, *, alt, caption, dpi=110):
    """Show a matplotlib figure as a PNG with alt text, its caption beneath, and close it (so it shows once).

    Parameters
    ----------
    fig_or_ax : matplotlib Figure or Axes (or an array of Axes)
    alt : str
        What the figure shows, written from the data, for a reader who cannot see it (the ``<img alt>``).
    caption : str
        What to see in the figure, shown beneath it.
    dpi : int
        Resolution of the PNG.

    Returns
    -------
    None

    Raises
    ------
    ValueError
        When ``alt`` or ``caption`` is empty, or ``fig_or_ax`` is not a figure or axes.
    ImportError
        Outside an environment with IPython (the report extra).

    Examples
    --------
    >>> show_figure(None, alt="", caption="x")
    Traceback (most recent call last):
    ...
    ValueError: alt must describe what the figure shows, from its data (text for readers who cannot see it); got ''
    """
    from io import BytesIO

    for name, value in (("alt", alt), ("caption", caption)):
        if not isinstance(value, str) or not value.strip():
            what = ("describe what the figure shows, from its data (text for readers who cannot see it)"
                    if name == "alt" else "say what to see in the figure")
            raise ValueError(f"{name} must {what}; got {value!r}")
    fig = _figure_of(fig_or_ax)
    try:  # IPython comes with the report extra (and with every notebook kernel)
        from IPython.display import HTML, Image, display
    except ImportError:
        raise ImportError("show_figure shows a figure in a notebook and needs IPython: "
                          "pip install 'cxstats[report]'") from None

    buffer = BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    display(Image(data=buffer.getvalue(), format="png", alt=" ".join(alt.split())))
    display(HTML(f'<p class="cxstats-figure-caption">{html.escape(caption)}</p>'))


def _figure_of(fig_or_ax):
    obj = fig_or_ax
    if hasattr(obj, "flat"):  # an array of Axes, as plt.subplots returns
        obj = next(iter(obj.flat), None)
    if hasattr(obj, "savefig"):
        return obj
    fig = getattr(obj, "figure", None)
    if fig is not None and hasattr(fig, "savefig"):
        return getattr(fig, "get_figure", lambda: fig)() or fig
    raise ValueError(f"fig_or_ax must be a matplotlib Figure or Axes; got {type(fig_or_ax).__name__}")
