"""Figures for the reports: each function draws on a matplotlib Axes and returns it.

Every figure gets a title, labelled axes and, when given, a caption under the
plot, so a figure lifted out of a report still says what it shows. seaborn
sets the style; matplotlib is imported only when a plot is drawn.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def _axes(ax, height=None):
    import matplotlib.pyplot as plt
    import seaborn as sns

    sns.set_theme(style="whitegrid", context="notebook")
    if ax is None:
        _, ax = plt.subplots(figsize=(8, height or 4.5))
    return ax


def _require_frame(name, value, columns=(), source=None):
    """``value`` as a non-empty DataFrame holding ``columns``, or a ValueError naming ``name`` and what is valid."""
    made_by = f" (the output of {source})" if source else ""
    if not isinstance(value, pd.DataFrame):
        raise ValueError(f"{name} must be a pandas DataFrame{made_by}, got {type(value).__name__}")
    missing = [c for c in columns if c not in value.columns]
    if missing:
        raise ValueError(f"{name} is missing column(s) {missing}; expected {list(columns)}{made_by}, "
                         f"got columns {list(value.columns)}")
    if not len(value):
        raise ValueError(f"{name} is empty: nothing to plot")
    return value


def _require_result(name, value, cls, source):
    """``value`` if an instance of ``cls``, else a ValueError naming ``name`` and the function that makes one."""
    if not isinstance(value, cls):
        raise ValueError(f"{name} must be a {cls.__name__} (the output of {source}), got {type(value).__name__}")
    return value


def _finish(ax, title, xlabel, ylabel, caption):
    ax.set_title(title, loc="left", fontweight="bold")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if caption:
        ax.annotate(caption, xy=(0, 0), xycoords="axes fraction", xytext=(0, -42), textcoords="offset points",
                    ha="left", va="top", fontsize=9, color="0.3", wrap=True)
    return ax


def plot_figures(table, label="statement", reference=None, ax=None, title="Published figures with their intervals",
                 caption=None, base="respondents"):
    """Dot-and-interval chart of published shares (the output of :func:`cxstats.analyze_figures`).

    Points are the printed percentages; bars span the interval over every count
    the rounding allows. Untestable figures (no base) are drawn as hollow
    points without a bar. Long labels are wrapped, never cut short, and the
    figure grows with them.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`cxstats.analyze_figures`.
    label : str, default "statement"
        Column used for the row labels.
    reference : float, optional
        A percentage to mark with a vertical line (e.g. 50), labelled in the legend.
    ax : matplotlib Axes, optional
    title, caption : str
    base : str, default "respondents"
        What the shares are shares of, for the x axis label "Percent of {base}" (e.g. "companies",
        "organisations", or "each figure's base (people or companies)" for a mix).

    Returns
    -------
    matplotlib.axes.Axes
        The x axis is the percentage (0 to 100), one row per figure, top to bottom in table order.

    Raises
    ------
    ValueError
        ``table`` not a DataFrame, empty, or without the columns of :func:`cxstats.analyze_figures` and ``label``.

    Examples
    --------
    >>> import cxstats
    >>> ax = plot_figures(cxstats.analyze_figures(cxstats.load("amex_2014")), reference=50)
    >>> ax.get_xlabel()
    'Percent of respondents'
    """
    _require_frame("table", table, ("percent", "ci_low", "ci_high", "testable", label), "cxstats.analyze_figures")
    rows = table.iloc[::-1].reset_index(drop=True)
    texts = [_wrap(text, _LABEL_WIDTH) for text in rows[label].astype(str)]
    ax = _axes(ax, height=_rows_height(texts))
    y = np.arange(len(rows))
    testable = rows["testable"].to_numpy(bool)
    pct = rows["percent"].to_numpy(float)
    low = 100 * rows["ci_low"].to_numpy(float)
    high = 100 * rows["ci_high"].to_numpy(float)
    if testable.any():
        ax.errorbar(pct[testable], y[testable], xerr=[pct[testable] - low[testable], high[testable] - pct[testable]],
                    fmt="o", color="C0", ecolor="C0", capsize=3, label="printed value and interval")
    if (~testable).any():
        ax.plot(pct[~testable], y[~testable], "o", mfc="white", color="0.5", label="no base published: no interval")
    if reference is not None:
        ax.axvline(reference, color="0.4", linestyle="--", linewidth=1, label=f"reference: {reference:g}%")
    ax.set_yticks(y, texts)
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.set_xlim(0, 100)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
    return _finish(ax, title, f"Percent of {base}", "Published figure", caption)


def plot_dumbbell(table, groups, ax=None, title="Gaps between groups", caption=None):
    """Dumbbell chart: for each figure, the two groups' printed shares joined by a line, each with its interval.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`cxstats.analyze_figures` for one survey.
    groups : tuple of two str
        The groups to draw, e.g. ("managers", "consumers").

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import cxstats
    >>> ax = plot_dumbbell(cxstats.analyze_figures(cxstats.load("calabrio_2022")), ("managers", "consumers"))
    >>> len(ax.get_yticks())
    3
    """
    _require_frame("table", table, ("figure", "group", "statement", "percent", "ci_low", "ci_high"),
                   "cxstats.analyze_figures")
    if isinstance(groups, str) or len(groups) != 2:
        raise ValueError(f"groups must be two group names, e.g. ('managers', 'consumers'), got {groups!r}")
    available = list(dict.fromkeys(table["group"]))
    unknown = [g for g in groups if g not in available]
    if unknown:
        raise ValueError(f"groups {unknown} not in table; available groups: {available}")
    wide = table[table["group"].isin(groups)].pivot(index="figure", columns="group")
    figures = list(wide.index)
    statements = table.drop_duplicates("figure").set_index("figure")["statement"]
    texts = [_wrap(statements.get(f, f), _LABEL_WIDTH) for f in figures]
    ax = _axes(ax, height=max(_rows_height(texts), 0.8 * len(figures) + 1.5))
    y = np.arange(len(figures))
    for i, fig in enumerate(figures):
        ax.plot([wide.loc[fig, ("percent", g)] for g in groups], [i, i], color="0.7", linewidth=3, zorder=1)
    for k, group in enumerate(groups):
        pct = wide[("percent", group)].to_numpy(float)
        low = 100 * wide[("ci_low", group)].to_numpy(float)
        high = 100 * wide[("ci_high", group)].to_numpy(float)
        ax.errorbar(pct, y, xerr=[pct - low, high - pct], fmt="o", color=f"C{k}", capsize=4, markersize=8,
                    label=group, zorder=2)
    ax.set_yticks(y, texts)
    ax.set_ylim(-0.6, len(figures) - 0.4)
    ax.set_xlim(0, 100)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
    return _finish(ax, title, "Percent who agree", "Question", caption)


def plot_forest(result, ax=None, title="Figures from several surveys, pooled", caption=None):
    """Forest plot of a :class:`cxstats.MetaResult`: each survey's share and interval, and the pooled diamond.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import cxstats
    >>> ax = plot_forest(cxstats.meta_proportions([901, 2075], [2003, 2500], labels=["A", "B"]))
    >>> ax.get_title(loc="left")
    'Figures from several surveys, pooled'
    """
    from matplotlib.patches import Polygon

    from .meta import MetaResult

    _require_result("result", result, MetaResult, "cxstats.meta_proportions")

    studies, pooled = result.studies, result.pooled.iloc[0]
    texts = [_wrap(s, _LABEL_WIDTH) for s in studies["label"]] + ["pooled (random effects)"]
    ax = _axes(ax, height=max(_rows_height(texts), 0.5 * len(studies) + 2))
    y = np.arange(len(studies), 0, -1)
    pct = 100 * studies["proportion"].to_numpy(float)
    low, high = 100 * studies["ci_low"].to_numpy(float), 100 * studies["ci_high"].to_numpy(float)
    ax.errorbar(pct, y, xerr=[pct - low, high - pct], fmt="none", ecolor="C0", capsize=3)
    ax.scatter(pct, y, s=20 + 2 * studies["study_weight"].to_numpy(float), marker="s", color="C0", zorder=3,
               label="each survey (size: weight)")
    centre, lo, hi = 100 * pooled["proportion"], 100 * pooled["ci_low"], 100 * pooled["ci_high"]
    ax.add_patch(Polygon([[lo, 0], [centre, 0.25], [hi, 0], [centre, -0.25]], color="C3", label="pooled"))
    ax.hlines(0, 100 * pooled["pi_low"], 100 * pooled["pi_high"], color="C3", linestyle=":",
              label="prediction interval")
    ax.set_yticks([*y, 0], texts)
    ax.set_xlim(0, 100)
    ax.set_ylim(-0.8, len(studies) + 0.8)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
    return _finish(ax, title, "Percent of respondents", "Survey", caption)


def plot_power_curve(p1, p2, nobs, alpha=0.05, target=0.8, ax=None, title="Power against base per group",
                     caption=None, mark=None):
    """Power of a two-sided two-proportion test against the base per group, one line per (p1, p2) pair.

    Parameters
    ----------
    p1, p2 : float or sequence
        Pairs of shares to detect.
    nobs : array-like
        Bases per group to draw.
    alpha : float, default 0.05
    target : float, default 0.8
        Power to mark with a horizontal line and, per pair, the base that reaches it.
    mark : float, optional
        A base per group to mark with a solid vertical line, e.g. a study's own base (labelled in the legend).

    Returns
    -------
    matplotlib.axes.Axes
        One line per pair, labelled "p1% vs p2%"; every reference line is named in the legend.

    Raises
    ------
    ValueError
        ``p1``/``p2`` not equally many shares strictly between 0 and 1, ``nobs`` empty, or ``mark`` not a
        positive number.

    Examples
    --------
    >>> ax = plot_power_curve([0.50], [0.55], nobs=range(100, 3001, 100))
    >>> ax.get_ylabel()
    'Power (%)'
    """
    from .power import power_proportions

    try:
        p1, p2 = np.atleast_1d(p1).astype(float), np.atleast_1d(p2).astype(float)
    except (TypeError, ValueError):
        raise ValueError(f"p1 and p2 must be shares between 0 and 1, got {p1!r} and {p2!r}") from None
    if len(p1) != len(p2) or not len(p1) or not (((p1 > 0) & (p1 < 1)).all() and ((p2 > 0) & (p2 < 1)).all()):
        raise ValueError(f"p1 and p2 must be equally many shares between 0 and 1, got {p1.tolist()} and "
                         f"{p2.tolist()}")
    if isinstance(nobs, str) or not np.iterable(nobs) or not len(nobs := list(nobs)):
        raise ValueError(f"nobs must be a non-empty sequence of bases per group, e.g. range(100, 3001, 100), "
                         f"got {nobs!r}")
    if mark is not None and (isinstance(mark, bool) or not isinstance(mark, int | float | np.number)
                             or not mark > 0):
        raise ValueError(f"mark must be a positive base per group, e.g. 250, got {mark!r}")

    ax = _axes(ax)
    nobs = np.asarray(list(nobs), dtype=float)
    for a, b in zip(np.atleast_1d(p1), np.atleast_1d(p2), strict=True):
        power = power_proportions(a, b, nobs1=nobs, alpha=alpha)["power"]
        (line,) = ax.plot(nobs, power, label=f"{100 * a:g}% vs {100 * b:g}%")
        needed = power_proportions(a, b, power=target, alpha=alpha)["nobs1"].iloc[0]
        if needed <= nobs.max():
            ax.axvline(needed, color=line.get_color(), linestyle=":", linewidth=1,
                       label=f"{np.ceil(needed):,.0f} per group: {100 * target:g}% power")
    ax.axhline(target, color="0.4", linestyle="--", linewidth=1, label=f"power {100 * target:g}%")
    if mark is not None:
        ax.axvline(mark, color="black", linewidth=1, label=f"{mark:,g} per group")
    ax.set_ylim(0, 1)
    from matplotlib.ticker import PercentFormatter

    ax.yaxis.set_major_formatter(PercentFormatter(xmax=1))  # power as a percentage, as the pages' tables show it
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
    return _finish(ax, title, "Respondents per group", "Power (%)", caption)


def plot_datasets(table, ax=None, title="What the bundled surveys hold", caption=None):
    """Stacked bars, one per survey: its shares with a published base, its shares without one, and its figures
    that are not shares at all (counts, growth rates).

    Parameters
    ----------
    table : pandas.DataFrame
        The figures of :func:`cxstats.load` (one row per figure and group): ``survey``, ``kind``, ``n``, and
        ``publisher`` and ``year`` when present (they name the bars; else the survey id does).
    ax : matplotlib Axes, optional
    title, caption : str

    Returns
    -------
    matplotlib.axes.Axes
        One bar per survey, top to bottom in the order of ``table``; the segments are, left to right, shares
        with a base, shares without one, and figures that are not shares; the total is written at each bar's end.

    Raises
    ------
    ValueError
        ``table`` not a DataFrame, empty, or without ``survey``, ``kind`` and ``n``.

    Examples
    --------
    >>> import cxstats
    >>> ax = plot_datasets(cxstats.load())
    >>> ax.get_xlabel()
    'Figures (one per figure and group)'
    """
    table = _require_frame("table", table, ("survey", "kind", "n"), "cxstats.load")
    share = table["kind"].eq("share").to_numpy()
    based = table["n"].notna().to_numpy()
    parts = pd.DataFrame({"survey": table["survey"].to_numpy(), "with_base": share & based,
                          "no_base": share & ~based, "not_share": ~share})
    counts = parts.groupby("survey", sort=False).sum()
    if {"publisher", "year"} <= set(table.columns):
        first = table.drop_duplicates("survey").set_index("survey")
        names = [f"{first.at[s, 'publisher']}" + (f" ({int(first.at[s, 'year'])})"
                                                  if pd.notna(first.at[s, "year"]) else "") for s in counts.index]
    else:
        names = [str(s) for s in counts.index]
    texts = [_wrap(name, _LABEL_WIDTH) for name in names]
    ax = _axes(ax, height=_rows_height(texts, per_row=0.2))
    y = np.arange(len(counts))[::-1]
    left = np.zeros(len(counts))
    for column, name, color in (("with_base", "share with a published base", "C0"),
                                ("no_base", "share without a base", "#9ecae1"),
                                ("not_share", "not a share (count or growth)", "0.6")):
        width = counts[column].to_numpy(float)
        ax.barh(y, width, left=left, color=color, edgecolor="white", label=name, height=0.7)
        left = left + width
    for yi, total in zip(y, left, strict=True):
        ax.annotate(f"{total:g}", xy=(total, yi), xytext=(4, 0), textcoords="offset points", va="center",
                    fontsize=9)
    ax.set_yticks(y, texts)
    ax.set_ylim(-0.6, len(counts) - 0.4)
    ax.set_xlim(0, 1.12 * left.max() + 1)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
    return _finish(ax, title, "Figures (one per figure and group)", "Survey", caption)


def plot_rounding(table, label="statement", decimals=0, ax=None, title="What a rounded percentage stands for",
                  caption=None):
    """For each published share: the range of true percentages its rounding allows, and its interval if any.

    A percentage printed as 96 stands for anything from 95.5 to 96.5. Two
    printed figures whose rounding ranges touch may be the same number. The
    x axis is zoomed to the ranges, so a one-point gap can be seen.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`cxstats.analyze_figures` (``percent``, ``ci_low``, ``ci_high``, ``testable`` and
        ``label``; ``approximate`` and ``decimals`` when present).
    label : str, default "statement"
        Column used for the row labels.
    decimals : int, default 0
        Decimal places the percentages were printed with; a ``decimals`` column in ``table`` overrides it.
    ax : matplotlib Axes, optional
    title, caption : str

    Returns
    -------
    matplotlib.axes.Axes
        One row per figure, top to bottom in table order: a shaded band from ``percent - 0.5 * 10**-decimals``
        to ``percent + 0.5 * 10**-decimals`` (hatched when the figure was printed as approximate: its rounding
        may be wider), a point at the printed value, and a thin bar for the interval where the base is known.

    Raises
    ------
    ValueError
        ``table`` not a DataFrame, empty, or without those columns; ``decimals`` not a whole number from 0 to 4.

    Examples
    --------
    >>> import cxstats
    >>> ax = plot_rounding(cxstats.analyze_figures(cxstats.load("microsoft_2017")))
    >>> [round(float(p.get_x()), 1) for p in ax.patches]
    [95.5, 71.5, 76.5]
    """
    from matplotlib.patches import Patch

    _require_frame("table", table, ("percent", "ci_low", "ci_high", "testable", label), "cxstats.analyze_figures")
    places = table["decimals"].to_numpy(float) if "decimals" in table.columns else np.full(len(table), decimals)
    if np.isnan(places).any() or not np.isin(places, range(5)).all():
        raise ValueError(f"decimals must be a whole number from 0 to 4 (printed decimal places), got "
                         f"{sorted(set(places.tolist()))}")
    pct = table["percent"].to_numpy(float)
    half = 0.5 * 10.0 ** -places
    low_ci, high_ci = 100 * table["ci_low"].to_numpy(float), 100 * table["ci_high"].to_numpy(float)
    testable = table["testable"].to_numpy(bool)
    about = table["approximate"].fillna(False).to_numpy(bool) if "approximate" in table.columns else \
        np.zeros(len(table), bool)
    texts = [_wrap(text, _LABEL_WIDTH) for text in table[label].astype(str)]
    ax = _axes(ax, height=_rows_height(texts, per_row=0.35))
    y = np.arange(len(table))[::-1]
    for yi, p, h, approx in zip(y, pct, half, about, strict=True):
        ax.barh(yi, 2 * h, left=p - h, height=0.45, color="C1", alpha=0.35, edgecolor="C1",
                hatch="//" if approx else None)
    ax.plot(pct, y, "o", color="C1", zorder=3)
    if testable.any():
        ax.errorbar(pct[testable], y[testable], xerr=[pct[testable] - low_ci[testable],
                                                      high_ci[testable] - pct[testable]],
                    fmt="none", ecolor="C0", capsize=4, zorder=2)
    handles = [Patch(color="C1", alpha=0.35, label="percentages the rounding allows"),
               ax.plot([], [], "o", color="C1", label="printed value")[0]]
    if testable.any():
        handles.append(ax.errorbar([], [], xerr=[], fmt="none", ecolor="C0", capsize=4,
                                   label="interval (base known)"))
    if about.any():
        handles.append(Patch(facecolor="none", edgecolor="C1", hatch="//",
                             label="printed as approximate: may be wider"))
    ends = np.concatenate([pct - half, pct + half, low_ci[testable], high_ci[testable]])
    ax.set_xlim(max(0.0, np.floor(ends.min()) - 1), min(100.0, np.ceil(ends.max()) + 1))
    ax.set_yticks(y, texts)
    ax.set_ylim(-0.6, len(table) - 0.4)
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
    return _finish(ax, title, "Percent of respondents", "Published figure", caption)


def likert_shares(data, columns, *, scale=None, weight=None) -> pd.DataFrame:
    """Weighted share of each scale point for each rating item (items x points), from the one aggregation.

    Parameters as :func:`plot_likert`. Missing answers are left out of each
    item's shares; an answer off the scale is an error naming it.

    Returns
    -------
    pandas.DataFrame
        One row per item (index: the item), one column per scale point, shares summing to 1.

    Examples
    --------
    >>> import pandas as pd
    >>> likert_shares(pd.DataFrame({"speed": [3, 4, 5, 5]}), ["speed"], scale=range(1, 6)).loc["speed"].tolist()
    [0.0, 0.0, 0.25, 0.25, 0.5]
    """
    from ._aggregate import aggregate
    from .design import check_columns
    from .scales import scale_points, score
    from .survey import as_design, score_answers

    if isinstance(columns, str) or not columns:
        raise ValueError(f"columns must be a list of rating items, got {columns!r}")
    design, first = as_design(data, columns[0], weight)
    check_columns(design.data, *columns, where=design.source)
    rows, points = [], None
    for column in columns:  # one aggregation per item: items x points is a small table
        dtype = design.data[column].dtype if design.in_memory else None
        item_points, _ = scale_points(column, scale, dtype, order_only=True)
        if item_points is None:
            raise ValueError(f"give scale= for {column!r}: the scale points from low to high, e.g. range(1, 6)")
        if points is None:
            points = item_points
        elif list(item_points) != list(points):
            raise ValueError(f"items have different scales: {column!r} has {item_points}, others {points}; "
                             "plot them separately or give one scale=")
        totals = aggregate(design, keys=(column,))
        ranks = np.arange(len(points), dtype=float)
        position = score_answers(totals, column, lambda v, c=column, p=points, r=ranks: score(c, v, p, r))
        answered = ~np.isnan(position)
        shares = np.bincount(position[answered].astype(int), weights=totals["sw"][answered], minlength=len(points))
        rows.append(shares / shares.sum())
    return pd.DataFrame(rows, index=list(columns), columns=list(points))


def plot_likert(data, columns, *, scale=None, labels=None, weight=None, ax=None, title="Answers on a rating scale",
                caption=None):
    """Diverging stacked bar chart of rating-scale answers, centred on the neutral point.

    Disagreeing answers extend to the left of zero and agreeing ones to the
    right; the middle answer of an odd scale is split across zero.

    Parameters
    ----------
    data : DataFrame, path, ibis.Table or SurveyDesign
        One row per respondent.
    columns : list of str
        Rating items on one scale.
    scale : sequence, optional
        The scale points from low to high (``range(1, 6)`` or the labels);
        not needed for ordered categoricals. Answers are placed by their
        values, never by category position.
    labels : list of str, optional
        Names of the scale points, lowest first (default: the points).
    weight : str, optional
        Survey weights (not with a design).

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        A missing column, items on different scales, a numeric item without
        ``scale=``, an answer off the scale (named), ``labels`` of the wrong length.

    References
    ----------
    Robbins, N. B. and Heiberger, R. M. (2011). Plotting Likert and other
    rating scales. JSM Proceedings, Section on Survey Research Methods.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"speed": [1, 2, 5, 4, 4], "empathy": [3, 3, 5, 5, 2]})
    >>> ax = plot_likert(df, ["speed", "empathy"], scale=range(1, 6))
    >>> ax.get_xlabel()
    'Percent of those who answered'
    """
    import matplotlib.pyplot as plt

    shares_table = likert_shares(data, columns, scale=scale, weight=weight)
    points = list(shares_table.columns)
    n_points = len(points)
    labels = labels or [str(p) for p in points]
    if len(labels) != n_points:
        raise ValueError(f"labels has {len(labels)} names for a {n_points}-point scale")
    shares = shares_table.to_numpy()
    ax = _axes(ax, height=0.6 * len(columns) + 2)
    colors = plt.get_cmap("RdBu")(np.linspace(0.1, 0.9, n_points))
    middle = n_points // 2
    left = -(shares[:, :middle].sum(axis=1) + (shares[:, middle] / 2 if n_points % 2 else 0))
    y = np.arange(len(columns))[::-1]
    for k in range(n_points):
        ax.barh(y, 100 * shares[:, k], left=100 * left, color=colors[k], label=labels[k], edgecolor="white")
        left = left + shares[:, k]
    ax.axvline(0, color="0.3", linewidth=1)
    ax.set_yticks(y, [_short(c) for c in columns])
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
    from matplotlib.ticker import FuncFormatter

    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{abs(value):g}"))  # shares left of 0 are positive
    return _finish(ax, title, "Percent of those who answered", "Item", caption)


def plot_segment_profiles(table, labels=None, ax=None, title="What sets each segment apart", caption=None,
                          alpha=0.05, ylabel="Answer"):
    """Heatmap of a :func:`cxstats.profile` table: each answer's share (or mean) by segment.

    Shares are shown as percentages and means as numbers. Share cells are
    coloured by their difference from the rest of the sample in percentage
    points, on one scale for every row, so a small difference looks small;
    a tested cell whose Holm-adjusted p-value is ``alpha`` or more, and every
    mean (its units are not percentage points), is left grey. Row labels are wrapped, never cut, and two
    answers with the same label get their column names added. When the table
    marks the answers the segments were formed from (``profile(basis=...)``),
    a line separates them from the other answers below.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`cxstats.profile`.
    labels : dict, optional
        ``{column: plain-words label}`` for the rows.
    ax : matplotlib Axes, optional
    title, caption : str
    alpha : float, default 0.05
        Tested cells with ``p_adjusted`` at or above it are not coloured.
    ylabel : str, default "Answer"

    Returns
    -------
    matplotlib.axes.Axes
        One row per answer (in table order), one column per segment ("Segment <label>").

    Raises
    ------
    ValueError
        ``table`` not a DataFrame, empty, or without the columns of :func:`cxstats.profile`.

    Examples
    --------
    >>> import pandas as pd, cxstats
    >>> df = pd.DataFrame({"human": [1, 1, 0, 0], "fast": [0, 1, 1, 1], "segment": [0, 0, 1, 1]})
    >>> ax = plot_segment_profiles(cxstats.profile(df, "segment"))
    >>> ax.get_xlabel()
    'Segment'
    """
    import seaborn as sns

    _require_frame("table", table, ("column", "measure", "in_segment", "diff"), "cxstats.profile")

    labels = labels or {}
    segment = table.columns[0]
    values = table.pivot(index="column", columns=segment, values="in_segment")
    diffs = table.pivot(index="column", columns=segment, values="diff")
    order = list(dict.fromkeys(table["column"]))
    values, diffs = values.loc[order], diffs.loc[order]
    kinds = table.drop_duplicates("column").set_index("column")["measure"].loc[order]
    text = values.copy().astype(object)
    for column in order:
        fmt = "{:.0%}" if kinds[column] == "proportion" else "{:.2g}"
        text.loc[column] = [fmt.format(v) for v in values.loc[column]]
    names = [str(labels.get(c, c)) for c in order]
    names = [f"{name} ({c})" if names.count(name) > 1 else name for name, c in zip(names, order, strict=True)]
    texts = [_wrap(name, 40) for name in names]
    ax = _axes(ax, height=_rows_height(texts, per_row=0.22))
    # one colour scale, in percentage points, for the shares; means and non-significant tested cells stay grey
    colour = diffs.astype(float) * 100
    colour.loc[kinds.to_numpy() != "proportion"] = np.nan
    if "p_adjusted" in table.columns:
        p_adjusted = table.pivot(index="column", columns=segment, values="p_adjusted").loc[order].astype(float)
        colour = colour.mask(p_adjusted >= alpha)
    limit = float(np.nanmax(np.abs(colour.to_numpy()))) if colour.notna().any().any() else 1.0
    sns.heatmap(colour, mask=colour.isna(), cmap="RdBu", center=0, vmin=-limit, vmax=limit, ax=ax, linewidths=0.5,
                cbar_kws={"label": "difference from the rest (percentage points)"})
    ax.set_facecolor("0.9")
    ax.grid(False)
    for i, j in np.ndindex(text.shape):
        strong = abs(colour.iat[i, j]) > 0.6 * limit if pd.notna(colour.iat[i, j]) else False
        ax.text(j + 0.5, i + 0.5, text.iat[i, j], ha="center", va="center", fontsize=9,
                color="white" if strong else "black")
    ax.set_yticks(np.arange(len(order)) + 0.5, texts, rotation=0)
    ax.set_xticks(np.arange(values.shape[1]) + 0.5, [f"Segment {s}" for s in values.columns], rotation=0)
    if "note" in table.columns:
        from .profile import BASIS_NOTE

        formed = table.drop_duplicates("column").set_index("column")["note"].loc[order].eq(BASIS_NOTE).to_numpy()
        if formed.any() and not formed.all():
            ax.axhline(int(formed.sum()), color="black", linewidth=2)
    return _finish(ax, title, "Segment", ylabel, caption)


def plot_segment_sizes(table, ax=None, title="Segment sizes", caption=None):
    """Each segment's share of respondents with its interval, from a :func:`cxstats.profile` table.

    Examples
    --------
    >>> import pandas as pd, cxstats
    >>> df = pd.DataFrame({"human": [1, 1, 0, 0, 1], "segment": [0, 0, 1, 1, 1]})
    >>> ax = plot_segment_sizes(cxstats.profile(df, "segment"))
    >>> ax.get_ylabel()
    'Percent of respondents'
    """
    _require_frame("table", table, ("share", "share_ci_low", "share_ci_high"), "cxstats.profile")
    segment = table.columns[0]
    sizes = table.drop_duplicates(segment)
    ax = _axes(ax)
    share = 100 * sizes["share"].to_numpy(float)
    low, high = 100 * sizes["share_ci_low"].to_numpy(float), 100 * sizes["share_ci_high"].to_numpy(float)
    x = np.arange(len(sizes))
    ax.bar(x, share, color="C0", alpha=0.8)
    ax.errorbar(x, share, yerr=[share - low, high - share], fmt="none", ecolor="black", capsize=4)
    ax.set_xticks(x, [str(s) for s in sizes[segment]])
    return _finish(ax, title, "Segment", "Percent of respondents", caption)


def plot_selection(table, ax=None, title="Choosing the number of segments", caption=None):
    """Criteria from :func:`cxstats.select_segments` against k, the suggested k marked.

    BIC and sample-size adjusted BIC (lower is better) on the left axis when
    available; on the right, those of entropy, silhouette and stability (0 to
    1) the table holds values for, and only those are named on the axis.

    Returns
    -------
    matplotlib.axes.Axes
        The left axis (the criteria); a right axis, when drawn, is ``ax.figure.axes[1]``.

    Raises
    ------
    ValueError
        ``table`` not a DataFrame, empty, or without ``k``, ``bic``, ``sabic`` and ``suggested``.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"k": [2, 3], "bic": [10.0, 8.0], "sabic": [9.0, 7.5], "entropy": [0.9, 0.95],
    ...                   "silhouette": [float("nan")] * 2, "stability": [0.9, 0.99], "suggested": [False, True]})
    >>> plot_selection(t).get_xlabel()
    'Number of segments (k)'
    """
    _require_frame("table", table, ("k", "bic", "sabic", "suggested"), "cxstats.select_segments")
    ax = _axes(ax)
    k = table["k"].to_numpy()
    if table["bic"].notna().any():
        ax.plot(k, table["bic"], "o-", label="BIC")
        ax.plot(k, table["sabic"], "s--", label="sample-size adjusted BIC")
        ylabel = "Information criterion (lower is better)"
    else:
        ylabel = "Score"
    scores = [c for c in ("entropy", "silhouette", "stability") if c in table and table[c].notna().any()]
    right = ax.twinx() if table["bic"].notna().any() and scores else ax
    for column, style in (("entropy", "^:"), ("silhouette", "v:"), ("stability", "d-.")):
        if column in scores:
            right.plot(k, table[column], style, label=column, color={"entropy": "C2", "silhouette": "C4",
                                                                      "stability": "C3"}[column])
    if right is not ax:
        right.set_ylabel(f"{', '.join(scores).capitalize()} (0 to 1)".replace(", " + scores[-1],
                                                                              " and " + scores[-1]))
        right.set_ylim(0, 1.05)
        right.grid(False)
    chosen = table.loc[table["suggested"], "k"]
    if len(chosen):
        ax.axvline(chosen.iloc[0], color="0.4", linestyle="--", linewidth=1)
    handles = ax.get_legend_handles_labels()
    if right is not ax:
        extra = right.get_legend_handles_labels()
        handles = (handles[0] + extra[0], handles[1] + extra[1])
    ax.legend(*handles, loc="upper left", bbox_to_anchor=(1.12, 1), fontsize=8, frameon=False)
    ax.set_xticks(k)
    return _finish(ax, title, "Number of segments (k)", ylabel, caption)


def plot_van_westendorp(result, ax=None, title="Van Westendorp price sensitivity meter", caption=None, *,
                        unit=None, coverage=0.9):
    """The four cumulative curves of a :class:`cxstats.VanWestendorpResult`, with the price points marked.

    The price axis shows where the answers are, not the longest tail: from
    the price that ``coverage`` of respondents still call too cheap to the
    price that ``coverage`` call too expensive (always including the four
    price points). The four points (PMC, OPP, IDP, PME) are labelled at the
    top, each on its own line, so close points do not print over each other.

    Parameters
    ----------
    result : VanWestendorpResult
        Output of :func:`cxstats.van_westendorp`.
    ax : matplotlib Axes, optional
    title, caption : str
    unit : str, optional
        The price's unit for the axis, e.g. "$ a month".
    coverage : float, default 0.9
        Share of answers the axis must span at each end (0.5 to 1; 1 shows every price asked).

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        ``result`` not a Van Westendorp result; ``coverage`` outside 0.5 to 1.

    Examples
    --------
    >>> import pandas as pd, cxstats
    >>> df = pd.DataFrame({"tc": [1, 2, 3, 4, 5], "c": [3, 4, 5, 6, 7], "e": [5, 6, 7, 8, 9], "te": [8, 9, 10, 11, 12]})
    >>> plot_van_westendorp(cxstats.van_westendorp(df, "tc", "c", "e", "te")).get_ylabel()
    'Percent of respondents'
    """
    from .wtp import VanWestendorpResult

    _require_result("result", result, VanWestendorpResult, "cxstats.van_westendorp")
    if isinstance(coverage, bool) or not isinstance(coverage, int | float) or not 0.5 <= coverage <= 1:
        raise ValueError(f"coverage must be a share from 0.5 to 1 (of answers the price axis spans), got "
                         f"{coverage!r}")
    ax = _axes(ax)
    c = result.curves
    for column, style, label in (("too_cheap", ":", "too cheap"), ("not_cheap", "-", "not cheap"),
                                 ("not_expensive", "-", "not expensive"), ("too_expensive", ":", "too expensive")):
        ax.plot(c["price"], 100 * c[column], style, label=label, linewidth=2)
    points = result.price_points.set_index("point")["price"]
    ax.axvspan(points["pmc"], points["pme"], color="0.9", zorder=0, label="acceptable range")
    price = c["price"].to_numpy(float)
    cheap_end = price[c["too_cheap"].to_numpy(float) >= coverage]  # still too cheap for `coverage` of them
    dear_end = price[c["too_expensive"].to_numpy(float) >= coverage]  # already too expensive for `coverage`
    low = min(cheap_end.max() if len(cheap_end) else price.min(), points.min())
    high = max(dear_end.min() if len(dear_end) else price.max(), points.max())
    pad = 0.04 * (high - low) if high > low else 1.0
    ax.set_xlim(low - pad, high + pad)
    ordered = points.loc[["pmc", "opp", "idp", "pme"]].sort_values(kind="stable")
    for row, (name, value) in enumerate(ordered.items()):
        ax.axvline(value, color="0.3", linestyle="--" if name in ("opp", "idp") else ":", linewidth=1)
        ax.annotate(f"{name.upper()} {value:,.2f}", (value, 100), xytext=(3, -11 - 11 * row),
                    textcoords="offset points", fontsize=8, ha="left", va="center", gid="price_point",
                    bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.85})
    ax.set_ylim(0, 100)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
    return _finish(ax, title, f"Price ({unit})" if unit else "Price", "Percent of respondents", caption)


QUADRANTS = {  # (importance high, performance high) -> what an analyst calls it (Martilla and James 1977)
    (True, False): "concentrate here",
    (True, True): "keep up the good work",
    (False, False): "low priority",
    (False, True): "possible overkill",
}
PERFORMANCES = ("mean", "top_box")


def _driver_table(result):
    """The driver table of a key-driver result, or a ValueError naming ``result``."""
    table = getattr(result, "table", None)
    needed = {"driver", "share", "share_ci_low", "share_ci_high"}
    if not isinstance(table, pd.DataFrame) or not needed <= set(table.columns):
        raise ValueError(f"result must be the result of cxstats.key_drivers (with a .table of drivers and shares), "
                         f"got {type(result).__name__}")
    if not len(table):
        raise ValueError("result has no drivers to plot")
    return table


def _driver_weight(result, data, weight):
    """The weight for performance: the key-driver analysis's own by default; a conflicting one is an error."""
    from .design import SurveyDesign

    used = getattr(result, "weight", None)
    if isinstance(data, SurveyDesign):
        if weight is None and data.weight != used:
            raise ValueError(f"data is a survey design weighted by {data.weight!r}, but key_drivers used weight "
                             f"{used!r}; pass data weighted as in key_drivers so importance and performance agree")
        return weight  # a weight with a design is refused by the survey functions
    if weight is None:
        return used
    if weight != used:
        raise ValueError(f"weight={weight!r} differs from the weight key_drivers used ({used!r}); importance and "
                         "performance must be weighted alike: drop weight= to use the result's, or refit key_drivers "
                         "with this weight")
    return weight


def _driver_labels(labels, drivers) -> list:
    """One label per driver from a {driver: label} mapping (drivers not in it keep their names) or a list."""
    if labels is None:
        return [str(d) for d in drivers]
    if isinstance(labels, dict):
        return [str(labels.get(d, d)) for d in drivers]
    if isinstance(labels, list | tuple) and len(labels) == len(drivers):
        return [str(label) for label in labels]
    raise ValueError(f"labels must be a dict {{driver: label}} or a list of {len(drivers)} labels (one per driver, "
                     f"in the order {list(drivers)}), got {labels!r}")


def driver_quadrants(result, data, *, performance="mean", scale=None, k=2, weight=None) -> pd.DataFrame:
    """Importance and performance of each key driver, and its quadrant: the numbers :func:`plot_drivers` draws.

    Parameters
    ----------
    result : KeyDriversResult
        Output of :func:`cxstats.key_drivers`.
    data : DataFrame, path, ibis.Table or SurveyDesign
        The respondents the drivers were rated by (usually those given to
        ``key_drivers``).
    performance : {"mean", "top_box"}, default "mean"
        How well each driver is rated: its (weighted) mean, or the (weighted)
        share of answers in its top ``k`` scale points.
    scale : sequence, optional
        The scale points from low to high (e.g. ``range(1, 11)``); needed for
        ``"top_box"`` on numeric ratings, and checks the answers for ``"mean"``.
    k : int, default 2
        Scale points in the top box.
    weight : str, optional
        Survey weight column. By default the one ``key_drivers`` used
        (``result.weight``), so importance and performance are weighted
        alike; a different one is an error. Not with a survey design, which
        carries its own (and must carry the result's).

    Returns
    -------
    pandas.DataFrame
        One row per driver, in the result's order: ``driver``, ``share``,
        ``share_ci_low``, ``share_ci_high`` (importance: share of R², 0 to 1),
        ``performance`` (the mean rating, or the top-box share from 0 to 1),
        ``quadrant`` ("concentrate here": importance at or above the mean
        importance, performance below the mean performance; "keep up the good
        work": both at or above; "low priority": both below; "possible
        overkill": importance below, performance at or above). The two
        cut-offs are ``attrs["mean_importance"]`` (the mean of the shares,
        1 / number of drivers) and ``attrs["mean_performance"]`` (the mean of
        the drivers' performances); ``attrs["performance"]`` names the measure
        and ``attrs["box"]`` the top-box points.

    Raises
    ------
    ValueError
        ``result`` not a key-driver result, an unknown ``performance`` (named),
        a driver missing from ``data``, ``"top_box"`` on numbers without ``scale=``,
        a ``weight`` (or a design's weight) other than the one ``key_drivers`` used.

    Notes
    -----
    Each driver's performance is computed from everyone who rated it, which
    can be more respondents than the key-driver analysis used (it drops, by
    default, anyone who skipped the outcome or any driver). Cutting at the
    means is a convention: the quadrants are relative to these drivers and
    move when a driver is added or dropped.

    Examples
    --------
    >>> import numpy as np, pandas as pd, cxstats
    >>> rng = np.random.default_rng(1)
    >>> df = pd.DataFrame(rng.integers(1, 6, size=(300, 3)), columns=["staff", "speed", "price"])
    >>> df["overall"] = (df.staff + df.speed + rng.integers(0, 3, 300)).clip(1, 10)
    >>> res = cxstats.key_drivers(df, "overall", ["staff", "speed", "price"], n_boot=0)
    >>> driver_quadrants(res, df, scale=range(1, 6))[["driver", "share", "performance", "quadrant"]].round(3)
      driver  share  performance               quadrant
    0  staff  0.466        2.897       concentrate here
    1  speed  0.530        3.060  keep up the good work
    2  price  0.003        3.027      possible overkill
    """
    from ._validate import check_choice
    from .survey import top_box, weighted_mean

    check_choice("performance", performance, PERFORMANCES)
    table = _driver_table(result)
    weight = _driver_weight(result, data, weight)
    values, box = [], None
    for driver in table["driver"]:
        if performance == "mean":
            values.append(float(weighted_mean(data, driver, weight=weight, scale=scale)["estimate"].iloc[0]))
        else:
            row = top_box(data, driver, k=k, scale=scale, weight=weight).iloc[0]
            values.append(float(row["estimate"]))
            box = row["box"]
    out = table[["driver", "share", "share_ci_low", "share_ci_high"]].reset_index(drop=True).copy()
    out["performance"] = values
    mean_importance, mean_performance = float(out["share"].mean()), float(out["performance"].mean())
    out["quadrant"] = [QUADRANTS[(s >= mean_importance, p >= mean_performance)]
                       for s, p in zip(out["share"], out["performance"], strict=True)]
    out.attrs.update(mean_importance=mean_importance, mean_performance=mean_performance, performance=performance,
                     box=box)
    return out


def plot_drivers(result, data, *, performance="mean", scale=None, k=2, labels=None, weight=None, ax=None,
                 title="Importance and performance of each driver", caption=None):
    """Importance-performance chart of key drivers: share of R² against how well each driver is rated.

    Each driver is a point: up the page its importance (share of the
    outcome's R², from :func:`cxstats.key_drivers`, with its interval as a
    whisker), across the page its performance (mean rating, or top-box
    share). Dashed lines at the mean importance and the mean performance of
    the drivers cut the chart into four quadrants, named in the corners
    (Martilla and James 1977). Labels are moved apart until none overlaps
    another, a point, a whisker, a quadrant line or a quadrant name; a thin
    line joins a moved label to its point.

    Parameters
    ----------
    result : KeyDriversResult
    data, performance, scale, k, weight
        As :func:`driver_quadrants`.
    labels : dict or list, optional
        Text for each driver: ``{driver: label}`` (drivers not in it keep
        their names), or one label per driver in the result's order.
    ax : matplotlib Axes, optional
    title : str
    caption : str, optional
        Text under the plot; by default it states where the quadrant lines are
        (the two means) and what the whiskers are. Give ``""`` for none.

    Returns
    -------
    matplotlib.axes.Axes
        The points are the collection with gid ``"drivers"`` (x performance,
        y importance in percent, in the result's order); the labels are texts
        with gid ``"driver_label"``, the quadrant lines have gid ``"quadrant"``
        and the quadrant names ``"quadrant_name"``.

    Raises
    ------
    ValueError
        As :func:`driver_quadrants`; ``labels`` neither a dict nor one label per driver.

    References
    ----------
    Martilla, J. A. and James, J. C. (1977). Importance-performance analysis.
    Journal of Marketing 41(1), 77-79.

    Examples
    --------
    >>> import numpy as np, pandas as pd, cxstats
    >>> rng = np.random.default_rng(1)
    >>> df = pd.DataFrame(rng.integers(1, 6, size=(300, 3)), columns=["staff", "speed", "price"])
    >>> df["overall"] = (df.staff + df.speed + rng.integers(0, 3, 300)).clip(1, 10)
    >>> res = cxstats.key_drivers(df, "overall", ["staff", "speed", "price"], n_boot=0)
    >>> ax = plot_drivers(res, df, scale=range(1, 6))
    >>> ax.get_ylabel()
    'Importance: percent of R²'
    """
    quadrants = driver_quadrants(result, data, performance=performance, scale=scale, k=k, weight=weight)
    texts = _driver_labels(labels, list(quadrants["driver"]))
    ax = _axes(ax, height=5.5)
    scale_pct = 1.0 if performance == "mean" else 100.0  # top-box shares drawn in percent
    x = scale_pct * quadrants["performance"].to_numpy(float)
    y = 100 * quadrants["share"].to_numpy(float)
    low, high = 100 * quadrants["share_ci_low"].to_numpy(float), 100 * quadrants["share_ci_high"].to_numpy(float)
    has_ci = np.isfinite(low) & np.isfinite(high)
    if has_ci.any():
        ax.errorbar(x[has_ci], y[has_ci], yerr=[y[has_ci] - low[has_ci], high[has_ci] - y[has_ci]], fmt="none",
                    ecolor="0.65", elinewidth=1, capsize=3, zorder=2)  # caps: where a whisker ends is clear
    ax.scatter(x, y, s=36, color="C0", zorder=3, gid="drivers")
    mean_x = scale_pct * quadrants.attrs["mean_performance"]
    mean_y = 100 * quadrants.attrs["mean_importance"]
    for line in (ax.axvline(mean_x, color="0.4", linestyle="--", linewidth=1, zorder=1),
                 ax.axhline(mean_y, color="0.4", linestyle="--", linewidth=1, zorder=1)):
        line.set_gid("quadrant")
    top = np.nanmax(np.where(has_ci, high, y))
    ax.set_ylim(0, 1.2 * top)
    spread = np.ptp(x) or max(abs(mean_x) * 0.1, 1.0)
    ax.set_xlim(x.min() - 0.2 * spread, x.max() + 0.35 * spread)  # room on the right for the labels
    names = []
    for (high_importance, high_performance), name in QUADRANTS.items():
        names.append(ax.text(0.98 if high_performance else 0.02, 0.97 if high_importance else 0.03, name.capitalize(),
                             transform=ax.transAxes, ha="right" if high_performance else "left",
                             va="top" if high_importance else "bottom", fontsize=8, color="0.45", style="italic",
                             gid="quadrant_name"))
    labelled = [ax.annotate(_wrap(text), (xi, yi), xytext=(5, 4), textcoords="offset points", fontsize=8,
                            va="bottom", ha="left", gid="driver_label", zorder=4,
                            arrowprops={"arrowstyle": "-", "color": "C0", "alpha": 0.6, "linewidth": 0.6,
                                        "linestyle": (0, (2, 2)), "shrinkA": 1, "shrinkB": 3})  # dotted, not grey
                for text, xi, yi in zip(texts, x, y, strict=True)]
    if performance == "mean":
        xlabel = "Performance: mean rating" + (f" ({_ends(scale)})" if _ends(scale) else "")
        perf_words = f"{mean_x:.2f}"
    else:
        xlabel = f"Performance: percent in the top {k} boxes ({quadrants.attrs['box']})"
        perf_words = f"{mean_x:.1f}%"
    if caption is None:
        caption = (f"Dashed lines: the mean importance ({mean_y:.1f}% of R², 100% / {len(x)} drivers) and the mean "
                   f"performance ({perf_words}) of the drivers; they cut the four quadrants.")
        if has_ci.any():
            caption += f" Whiskers: {100 * getattr(result, 'conf_level', 0.95):g}% bootstrap intervals of the shares."
    _finish(ax, title, xlabel, "Importance: percent of R²", caption)
    whiskers = [((xi, lo), (xi, hi)) for xi, lo, hi in zip(x[has_ci], low[has_ci], high[has_ci], strict=True)]
    (x_low, x_high), (y_low, y_high) = ax.get_xlim(), ax.get_ylim()
    cuts = [((mean_x, y_low), (mean_x, y_high)), ((x_low, mean_y), (x_high, mean_y))]  # the dashed quadrant lines
    _repel(ax, labelled, fixed=names, segments=whiskers + cuts, dividers=([mean_x], [mean_y]))  # on the finished figure
    return ax


def plot_driver_shares(result, *, labels=None, ax=None, title="Each driver's share of the explained variance",
                       caption=None, ylabel="Driver"):
    """Horizontal bars of each key driver's share of R², largest on top, with its interval.

    Parameters
    ----------
    result : KeyDriversResult
        Output of :func:`cxstats.key_drivers` (intervals need ``n_boot`` > 0;
        without them only the bars are drawn).
    labels : dict or list, optional
        As :func:`plot_drivers`.
    ax : matplotlib Axes, optional
    title, caption : str
    ylabel : str, default "Driver"
        What the bars are, in the page's words (e.g. "Rating").

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        ``result`` not a key-driver result; ``labels`` neither a dict nor one label per driver.

    Examples
    --------
    >>> import numpy as np, pandas as pd, cxstats
    >>> rng = np.random.default_rng(1)
    >>> df = pd.DataFrame(rng.normal(size=(300, 3)), columns=["staff", "speed", "price"])
    >>> df["overall"] = df.staff + 0.5 * df.speed + rng.normal(size=300)
    >>> ax = plot_driver_shares(cxstats.key_drivers(df, "overall", ["staff", "speed", "price"], n_boot=0))
    >>> [t.get_text() for t in ax.get_yticklabels()][::-1]  # top to bottom
    ['staff', 'speed', 'price']
    """
    table = _driver_table(result)
    texts = _driver_labels(labels, list(table["driver"]))
    order = np.argsort(-table["share"].to_numpy(float), kind="stable")[::-1]  # smallest first: drawn bottom-up
    rows = table.iloc[order]
    share = 100 * rows["share"].to_numpy(float)
    low, high = 100 * rows["share_ci_low"].to_numpy(float), 100 * rows["share_ci_high"].to_numpy(float)
    ax = _axes(ax, height=0.45 * len(rows) + 1.5)
    y = np.arange(len(rows))
    ax.barh(y, share, color="C0", alpha=0.8)
    if np.isfinite(low).all() and np.isfinite(high).all():
        ax.errorbar(share, y, xerr=[share - low, high - share], fmt="none", ecolor="black", capsize=3)
    ax.set_yticks(y, [_short(texts[i], 45) for i in order])
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.set_xlim(0, 1.1 * np.nanmax(np.concatenate([share, high])))
    return _finish(ax, title, "Share of R² (percent of the explained variance)", ylabel, caption)


def _ends(scale) -> str:
    """'1 to 10' for a scale given as numbers, else ''."""
    points = list(scale) if scale is not None and not isinstance(scale, dict) else []
    return f"{points[0]} to {points[-1]}" if points else ""


def _wrap(text, width=24) -> str:
    import textwrap

    return textwrap.fill(str(text), width) or str(text)


_LABEL_WIDTH = 46  # characters per line of a wrapped row label


def _rows_height(texts, per_line=0.2, per_row=0.25, extra=1.6) -> float:
    """Figure height in inches that gives every (wrapped) row label room: its lines, a gap, and the frame."""
    return extra + sum(per_row + per_line * (str(t).count("\n") + 1) for t in texts)


def _repel(ax, labels, fixed=(), segments=(), dividers=((), ()), pad=2.0, line_pad=2.0, max_iter=500):
    """Move annotation labels (offsets in points) until none overlaps another, a point, a ``fixed`` text or a line.

    Works in display pixels on the drawn figure: the labels' boxes are
    measured once; each label is first put at the nearest free place around
    its point (:func:`_greedy_places`), clear of the points, the ``fixed``
    texts, the ``segments`` (pairs of data points: whiskers, reference
    lines; each kept ``line_pad`` pixels clear) and the labels placed before
    it, on its point's side of the ``dividers`` (data x of vertical lines, y
    of horizontal ones) if it can. Then any overlap left is resolved by pushing: each overlapping pair
    apart along the direction of least overlap, each label off the
    obstacles, and inside the axes. Deterministic; stops when nothing
    overlaps or after ``max_iter`` rounds.
    """
    from matplotlib.text import Text

    figure = ax.figure
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer() if hasattr(figure.canvas, "get_renderer") else figure._get_renderer()
    points = ax.transData.transform(np.array([label.xy for label in labels], dtype=float))
    boxes = []
    for label in labels:
        label.update_positions(renderer)
        boxes.append(Text.get_window_extent(label, renderer).padded(pad).extents)
    boxes = np.array(boxes)  # x0, y0, x1, y1 per label
    initial = boxes.copy()
    marker = 5.0  # half the size of a point's square, in pixels
    obstacles = [np.concatenate([points - marker, points + marker], axis=1)]
    obstacles += [np.array([t.get_window_extent(renderer).extents for t in fixed]).reshape(-1, 4)]
    for start, end in segments:  # a line's box is widened, or a horizontal (vertical) one would have no height (width)
        (x0, y0), (x1, y1) = ax.transData.transform(np.array([start, end], dtype=float))
        obstacles.append(np.array([[min(x0, x1) - line_pad, min(y0, y1) - line_pad, max(x0, x1) + line_pad,
                                    max(y0, y1) + line_pad]]))
    obstacles = np.concatenate(obstacles)
    frame = ax.get_window_extent(renderer).extents
    to_pixels = ax.transData.transform
    pixel_dividers = ([to_pixels((x, 0))[0] for x in dividers[0]], [to_pixels((0, y))[1] for y in dividers[1]])
    boxes = _greedy_places(boxes, points, obstacles, frame, pixel_dividers)
    n = len(labels)
    above = points[:, None, 1] > points[None, :, 1]
    order = np.arange(n)
    prefer_up = above | ((points[:, None, 1] == points[None, :, 1]) & (order[:, None] < order[None, :]))
    moved = boxes[:, :2] - initial[:, :2]
    for _ in range(max_iter):
        shift = _separation(boxes, boxes, prefer_up).sum(axis=1) / 2  # the diagonal (a box on itself) is zero
        shift += _separation(boxes, obstacles, True).sum(axis=1)
        shift[:, 0] += np.maximum(frame[0] - boxes[:, 0], 0) + np.minimum(frame[2] - boxes[:, 2], 0)
        shift[:, 1] += np.maximum(frame[1] - boxes[:, 1], 0) + np.minimum(frame[3] - boxes[:, 3], 0)
        if not np.abs(shift).max() > 0.05:
            break
        step = 1.05 * shift  # a little beyond the overlap, so pairs part in one round
        boxes += np.concatenate([step, step], axis=1)
        moved += step
    to_points = 72.0 / figure.dpi
    for label, (dx, dy) in zip(labels, moved, strict=True):
        ox, oy = label.xyann
        label.xyann = (ox + dx * to_points, oy + dy * to_points)
    return labels


def _greedy_places(boxes, points, obstacles, frame, dividers=((), ())):
    """First free place of each label near its point, trying positions around it at growing distances.

    Boxes (x0, y0, x1, y1, pixels) are placed one at a time, each where it
    overlaps no obstacle and no label placed before it and stays inside
    ``frame``; places on the point's side of every divider (pixel x of
    vertical lines, y of horizontal ones: a label stays in its point's
    quadrant) are tried first. A label with no free place keeps its box (the
    push rounds of :func:`_repel` then move it).
    """
    placed = boxes.copy()
    taken = []
    directions = [(1, 1), (1, -1), (-1, 1), (-1, -1), (1, 0), (-1, 0), (0, 1), (0, -1)]

    def free(box):
        inside = frame[0] <= box[0] and box[2] <= frame[2] and frame[1] <= box[1] and box[3] <= frame[3]
        others = np.concatenate([obstacles, np.array(taken).reshape(-1, 4)])
        hit = (np.minimum(box[2], others[:, 2]) > np.maximum(box[0], others[:, 0])) & \
              (np.minimum(box[3], others[:, 3]) > np.maximum(box[1], others[:, 1]))
        return inside and not hit.any()

    def same_side(box, px, py):
        return all((box[0] > d) == (px > d) and (box[2] > d) == (px > d) for d in dividers[0]) and \
            all((box[1] > d) == (py > d) and (box[3] > d) == (py > d) for d in dividers[1])

    def candidates(px, py, w, h):
        for r in (6, 10, 16, 24, 34, 46, 60, 80, 105, 135):
            for sx, sy in directions:
                x0 = px + r if sx > 0 else px - r - w if sx < 0 else px - w / 2
                y0 = py + r / 2 if sy > 0 else py - r / 2 - h if sy < 0 else py - h / 2
                yield np.array([x0, y0, x0 + w, y0 + h])

    for i, ((px, py), box) in enumerate(zip(points, boxes, strict=True)):
        w, h = box[2] - box[0], box[3] - box[1]
        if free(box) and same_side(box, px, py):
            taken.append(box)
            continue
        found = next((c for c in candidates(px, py, w, h) if free(c) and same_side(c, px, py)), None)
        if found is None:
            found = next((c for c in candidates(px, py, w, h) if free(c)), box)
        placed[i] = found
        taken.append(found)
    return placed


def _separation(a, b, prefer_up) -> np.ndarray:
    """Smallest moves (pixels) taking each box of ``a`` off each box of ``b`` (x0, y0, x1, y1 rows): (len a, len b, 2).

    Zero for boxes that do not overlap (and for a box on itself). A box is
    moved vertically when that is the shorter way out, which keeps labels
    beside their points; ties go up where ``prefer_up`` (and to the right).
    """
    ox = np.minimum(a[:, None, 2], b[None, :, 2]) - np.maximum(a[:, None, 0], b[None, :, 0])
    oy = np.minimum(a[:, None, 3], b[None, :, 3]) - np.maximum(a[:, None, 1], b[None, :, 1])
    cx = (a[:, None, 0] + a[:, None, 2]) - (b[None, :, 0] + b[None, :, 2])
    cy = (a[:, None, 1] + a[:, None, 3]) - (b[None, :, 1] + b[None, :, 3])
    overlap = (ox > 0) & (oy > 0)
    vertical = oy <= ox
    same = np.eye(len(a), dtype=bool) if a is b else np.zeros(ox.shape, dtype=bool)  # a box on itself
    up = (cy > 0) | ((cy == 0) & prefer_up)
    right = (cx > 0) | ((cx == 0) & prefer_up)
    out = np.zeros((*ox.shape, 2))
    out[..., 0] = np.where(overlap & ~vertical & ~same, np.where(right, ox, -ox), 0.0)
    out[..., 1] = np.where(overlap & vertical & ~same, np.where(up, oy, -oy), 0.0)
    return out


def _short(text, width=60):
    text = str(text)
    return text if len(text) <= width else text[: width - 1] + "\u2026"


def plot_nps(table, *, labels=None, axes=None, title="Net Promoter Score", caption=None):
    """NPS with its interval beside the promoters, passives and detractors behind it, one row per row of an NPS table.

    Parameters
    ----------
    table : pandas.DataFrame
        The output of :func:`cxstats.nps`: ``estimate`` (NPS in points),
        ``promoters``, ``passives``, ``detractors`` (shares, 0 to 1), with the
        group columns of ``by=`` first when there are groups; ``ci_low`` and
        ``ci_high`` (points) draw the intervals and ``n`` is added to each
        row's name when present.
    labels : list of str, optional
        A name for each row (default: the group values, or "All respondents").
    axes : pair of matplotlib Axes, optional
        Where to draw the bars and the scores (default: a new figure with both).
    title, caption : str

    Returns
    -------
    numpy.ndarray of two matplotlib Axes
        Left: one bar per row spanning 100% of the answers, detractors (0-6)
        on the left, passives (7-8), promoters (9-10) on the right. Right:
        the NPS (promoters minus detractors, in points, -100 to +100) as a
        point with its interval, a line at 0. A row without answers gets an
        empty bar and no point, and is marked "no answers".

    Raises
    ------
    ValueError
        ``table`` not a DataFrame, without those columns, or empty; ``labels``
        not one name per row; ``axes`` not two Axes.

    References
    ----------
    Reichheld, F. F. (2003). The one number you need to grow. Harvard Business Review 81(12).

    Examples
    --------
    >>> import pandas as pd, cxstats
    >>> df = pd.DataFrame({"ltr": [10, 9, 3, 0, 7, 8, 10, 6], "region": list("NNNNSSSS")})
    >>> bars, scores = plot_nps(cxstats.nps(df, "ltr", by="region"))
    >>> [t.get_text() for t in bars.get_yticklabels()], scores.get_xlabel()
    (['N\\n(n = 4)', 'S\\n(n = 4)'], 'NPS (points, -100 to +100)')
    """
    table = _require_frame("table", table, ("estimate", "promoters", "passives", "detractors"), "cxstats.nps")
    groups = list(table.columns[:list(table.columns).index("estimate")])
    if labels is None:
        labels = [", ".join(map(str, row)) for row in table[groups].itertuples(index=False)] if groups else \
            ["All respondents"] * len(table)
    elif isinstance(labels, str) or len(labels) != len(table):
        raise ValueError(f"labels must be a list of one name per row of table ({len(table)}), got {labels!r}")
    texts = [_wrap(label, 30) for label in labels]
    if "n" in table.columns:
        texts = [f"{text}\n(n = {int(n):,})" for text, n in zip(texts, table["n"], strict=True)]
    if axes is None:
        import matplotlib.pyplot as plt
        import seaborn as sns

        sns.set_theme(style="whitegrid", context="notebook")
        _, axes = plt.subplots(1, 2, figsize=(9.5, _rows_height(texts, per_row=0.3)), sharey=True,
                               gridspec_kw={"width_ratios": [3, 2], "wspace": 0.08})
    axes = np.asarray(axes, dtype=object).ravel()
    if len(axes) != 2 or not all(hasattr(a, "barh") for a in axes):
        raise ValueError(f"axes must be two matplotlib Axes (bars, scores), got {axes!r}")
    bars, scores = axes
    parts = [("detractors", "Detractors (0-6)", "#c0392b"), ("passives", "Passives (7-8)", "#bdc3c7"),
             ("promoters", "Promoters (9-10)", "#27ae60")]
    y = np.arange(len(table))[::-1]
    left = np.zeros(len(table))
    for column, name, color in parts:
        share = 100 * np.nan_to_num(table[column].to_numpy(float))
        bars.barh(y, share, left=left, color=color, label=name, edgecolor="white")
        left = left + share
    estimate = table["estimate"].to_numpy(float)
    for yi in y[np.isnan(estimate)]:
        bars.annotate("no answers", xy=(50, yi), ha="center", va="center", fontsize=9, color="0.3")
    bars.set_xlim(0, 100)
    bars.set_yticks(y, texts)
    bars.set_ylim(-0.6, len(table) - 0.4)
    has_ci = {"ci_low", "ci_high"} <= set(table.columns)
    low = table["ci_low"].to_numpy(float) if has_ci else estimate
    high = table["ci_high"].to_numpy(float) if has_ci else estimate
    shown = ~np.isnan(estimate)
    whisker = shown & np.isfinite(low) & np.isfinite(high)
    scores.errorbar(estimate[whisker], y[whisker], xerr=[estimate[whisker] - low[whisker],
                                                        high[whisker] - estimate[whisker]],
                    fmt="o", color="black", ecolor="black", capsize=4, label="NPS and its interval")
    if (shown & ~whisker).any():  # a score without an interval (one answer, or no spread to measure)
        scores.plot(estimate[shown & ~whisker], y[shown & ~whisker], "o", mfc="white", color="black",
                    label="NPS, no interval")
    scores.axvline(0, color="0.4", linewidth=1)
    ends = np.concatenate([[0.0], estimate[shown], low[whisker], high[whisker]])
    pad = max(5.0, 0.08 * (ends.max() - ends.min()))
    scores.set_xlim(max(-100.0, ends.min() - pad), min(100.0, ends.max() + pad))
    scores.set_xlabel("NPS (points, -100 to +100)")
    handles = [h for a in (bars, scores) for h in a.get_legend_handles_labels()[0]]
    names = [n for a in (bars, scores) for n in a.get_legend_handles_labels()[1]]
    scores.legend(handles, names, loc="upper left", bbox_to_anchor=(1.02, 1), fontsize=8, frameon=False)
    _finish(bars, title, "Percent of answers", "", caption)
    return axes



def plot_intervals(table, *, label, estimate="estimate", low="ci_low", high="ci_high", scale=1.0, xlabel="Estimate",
                   reference=None, xlim=None, ax=None, title="Estimates with their intervals", caption=None):
    """Dot-and-interval chart: one row per row of ``table``, its estimate as a point and its interval as a bar.

    Parameters
    ----------
    table : pandas.DataFrame
        Any table of estimates, e.g. from :func:`cxstats.top_box`, :func:`cxstats.nps` or a choice model's WTP.
    label : str or list of str
        The column naming each row, or one name per row.
    estimate, low, high : str
        Columns of the point and of the interval's ends (a row whose interval is missing gets a hollow point).
    scale : float, default 1.0
        Multiplies every value drawn (100 draws shares 0-1 as percentages).
    xlabel : str
        The axis label, with its unit, e.g. "Top-2-box share (percent of answers)".
    reference : float, optional
        A value (after ``scale``) to mark with a dashed line, e.g. 0; labelled in the legend.
    xlim : pair of float, optional
        The axis range (default: the intervals, padded, and ``reference``).
    ax : matplotlib Axes, optional
    title, caption : str

    Returns
    -------
    matplotlib.axes.Axes
        Rows top to bottom in table order; labels wrapped, never cut.

    Raises
    ------
    ValueError
        ``table`` not a DataFrame, empty, or without the columns named; ``label`` neither a column nor one name
        per row; ``scale`` not a positive number.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"item": ["speed", "empathy"], "estimate": [0.41, 0.55], "ci_low": [0.37, 0.51],
    ...                   "ci_high": [0.45, 0.59]})
    >>> ax = plot_intervals(t, label="item", scale=100, xlabel="Percent of answers")
    >>> [t.get_text() for t in ax.get_yticklabels()], ax.get_xlabel()  # top to bottom
    (['speed', 'empathy'], 'Percent of answers')
    """
    table = _require_frame("table", table, (estimate, low, high) + ((label,) if isinstance(label, str) else ()))
    if isinstance(label, str):
        names = table[label].astype(str).tolist()
    elif np.iterable(label) and len(label := list(label)) == len(table):
        names = [str(x) for x in label]
    else:
        raise ValueError(f"label must be a column of table or a list of one name per row ({len(table)}), "
                         f"got {label!r}")
    if isinstance(scale, bool) or not isinstance(scale, int | float) or not scale > 0:
        raise ValueError(f"scale must be a positive number (100 draws shares as percentages), got {scale!r}")
    texts = [_wrap(name, _LABEL_WIDTH) for name in names]
    ax = _axes(ax, height=_rows_height(texts))
    y = np.arange(len(table))[::-1]
    point = scale * table[estimate].to_numpy(float)
    lo, hi = scale * table[low].to_numpy(float), scale * table[high].to_numpy(float)
    whisker = np.isfinite(point) & np.isfinite(lo) & np.isfinite(hi)
    ax.errorbar(point[whisker], y[whisker], xerr=[point[whisker] - lo[whisker], hi[whisker] - point[whisker]],
                fmt="o", color="C0", ecolor="C0", capsize=4, label="estimate and interval")
    bare = np.isfinite(point) & ~whisker
    if bare.any():
        ax.plot(point[bare], y[bare], "o", mfc="white", color="C0", label="estimate, no interval")
    if reference is not None:
        ax.axvline(reference, color="0.4", linestyle="--", linewidth=1, label=f"reference: {reference:g}")
    if xlim is None:
        ends = np.concatenate([point[np.isfinite(point)], lo[whisker], hi[whisker]]
                              + ([[reference]] if reference is not None else []))
        pad = 0.08 * (ends.max() - ends.min()) if ends.max() > ends.min() else 1.0
        xlim = (ends.min() - pad, ends.max() + pad)
    ax.set_xlim(*xlim)
    ax.set_yticks(y, texts)
    ax.set_ylim(-0.6, len(table) - 0.4)
    if len(ax.get_legend_handles_labels()[0]) > 1:  # one kind of mark needs no legend: the caption says what it is
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
    return _finish(ax, title, xlabel, "", caption)

def plot_trend(table, *, x, hue=None, estimate="estimate", low="ci_low", high="ci_high", scale=1.0,
               ylabel="Estimate", reference=None, ax=None, title="Trend with intervals", caption=None,
               xlabel=None, legend_title=None, limits=None):
    """Lines of estimates over waves (months, quarters) with their intervals as shaded bands, one line per group.

    Parameters
    ----------
    table : pandas.DataFrame
        Estimates by wave (and group), e.g. :func:`cxstats.nps` or :func:`cxstats.top_box` with
        ``by=["month", "channel"]``.
    x : str
        The wave column; waves are placed in sorted order, evenly spaced, labelled by their values.
    hue : str, optional
        The group column: one line and band per group, in order of first appearance.
    estimate, low, high : str
        Columns of the point and of the interval's ends. A missing estimate breaks its line (a wave without
        answers is a gap, never joined over); a missing interval leaves the point without a band.
    scale : float, default 1.0
        Multiplies every value drawn (100 draws shares 0-1 as percentages).
    ylabel : str
        The axis label, with its unit, e.g. "NPS (points)".
    xlabel, legend_title : str, optional
        The wave axis label and the legend's title, in plain words (default: the column names ``x`` and ``hue``).
    reference : float, optional
        A value (after ``scale``) to mark with a dashed line, e.g. 0.
    limits : (float, float), optional
        The value axis's range (after ``scale``), e.g. ``(-100, 100)`` for NPS: a band reaching beyond it is cut at
        the edge (say so in the caption). Default: the range of the lines and bands.
    ax : matplotlib Axes, optional
    title, caption : str

    Returns
    -------
    matplotlib.axes.Axes
        One line per group (its label the group's value), each with its band.

    Raises
    ------
    ValueError
        ``table`` not a DataFrame, empty, or without the columns named; a wave repeated within a group;
        ``scale`` not a positive number; ``limits`` not two finite numbers, low below high.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"month": ["2024-01", "2024-02"] * 2, "channel": ["app", "app", "chat", "chat"],
    ...                   "estimate": [20.0, 25.0, 10.0, 8.0], "ci_low": [15.0, 20.0, 5.0, 3.0],
    ...                   "ci_high": [25.0, 30.0, 15.0, 13.0]})
    >>> ax = plot_trend(t, x="month", hue="channel", ylabel="NPS (points)")
    >>> [line.get_label() for line in ax.get_lines()], [t.get_text() for t in ax.get_xticklabels()]
    (['app', 'chat'], ['2024-01', '2024-02'])
    """
    table = _require_frame("table", table, (x, estimate, low, high) + ((hue,) if hue is not None else ()))
    if isinstance(scale, bool) or not isinstance(scale, int | float) or not scale > 0:
        raise ValueError(f"scale must be a positive number (100 draws shares as percentages), got {scale!r}")
    if limits is not None:
        ends = np.asarray(limits, dtype=float) if isinstance(limits, list | tuple) and len(limits) == 2 else None
        if ends is None or not np.isfinite(ends).all() or not ends[0] < ends[1]:
            raise ValueError(f"limits must be (low, high), two finite numbers with low < high, e.g. (-100, 100) for "
                             f"NPS; got {limits!r}")
    keys = [x] if hue is None else [hue, x]
    repeated = table.duplicated(keys)
    if repeated.any():
        row = table.loc[repeated, keys].iloc[0].tolist()
        raise ValueError(f"table has more than one row for {dict(zip(keys, row, strict=True))}; give one row per "
                         f"{' and '.join(keys)}")
    waves = sorted(table[x].dropna().unique())
    position = {w: i for i, w in enumerate(waves)}
    ax = _axes(ax)
    groups = [(None, table)] if hue is None else list(table.groupby(hue, sort=False, dropna=False))
    for k, (name, rows) in enumerate(groups):
        rows = rows[rows[x].notna()]
        at = rows[x].map(position).to_numpy(int)
        point, lo, hi = (np.full(len(waves), np.nan) for _ in range(3))
        for values, column in ((point, estimate), (lo, low), (hi, high)):
            values[at] = scale * rows[column].to_numpy(float)
        color = f"C{k % 10}"
        ax.plot(np.arange(len(waves)), point, marker="o", markersize=3, color=color,
                label=str(name) if hue is not None else estimate)
        ax.fill_between(np.arange(len(waves)), lo, hi, color=color, alpha=0.18, linewidth=0)
    if reference is not None:
        ax.axhline(reference, color="0.4", linestyle="--", linewidth=1)
    if limits is not None:
        ax.set_ylim(*ends)
    ax.set_xticks(np.arange(len(waves)), [str(w) for w in waves], rotation=45 if len(waves) > 6 else 0,
                  ha="right" if len(waves) > 6 else "center")
    ax.legend(title=hue if legend_title is None else legend_title, loc="upper left", bbox_to_anchor=(1.01, 1),
              fontsize=8, frameon=False)
    return _finish(ax, title, x if xlabel is None else xlabel, ylabel, caption)


__all__ = [
    "driver_quadrants", "plot_datasets", "plot_driver_shares", "plot_drivers", "plot_dumbbell", "plot_figures",
    "plot_forest", "plot_rounding",
    "plot_intervals", "plot_likert", "plot_nps", "plot_power_curve", "plot_segment_profiles", "plot_segment_sizes",
    "plot_selection",
    "plot_trend",
    "plot_van_westendorp",
]
