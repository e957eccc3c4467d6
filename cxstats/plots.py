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


def _finish(ax, title, xlabel, ylabel, caption):
    ax.set_title(title, loc="left", fontweight="bold")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if caption:
        ax.annotate(caption, xy=(0, 0), xycoords="axes fraction", xytext=(0, -42), textcoords="offset points",
                    ha="left", va="top", fontsize=9, color="0.3", wrap=True)
    return ax


def plot_figures(table, label="statement", reference=None, ax=None, title="Published figures with their intervals",
                 caption=None):
    """Dot-and-interval chart of published shares (the output of :func:`cxstats.analyze_figures`).

    Points are the printed percentages; bars span the interval over every count
    the rounding allows. Untestable figures (no base) are drawn as hollow
    points without a bar.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`cxstats.analyze_figures`.
    label : str, default "statement"
        Column used for the row labels.
    reference : float, optional
        A percentage to mark with a vertical line (e.g. 50).
    ax : matplotlib Axes, optional
    title, caption : str

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import cxstats
    >>> ax = plot_figures(cxstats.analyze_figures(cxstats.load("amex_2014")), reference=50)
    >>> ax.get_xlabel()
    'Percent of respondents'
    """
    ax = _axes(ax, height=0.45 * len(table) + 1.5)
    rows = table.iloc[::-1].reset_index(drop=True)
    y = np.arange(len(rows))
    testable = rows["testable"].to_numpy(bool)
    pct = rows["percent"].to_numpy(float)
    low = 100 * rows["ci_low"].to_numpy(float)
    high = 100 * rows["ci_high"].to_numpy(float)
    ax.errorbar(pct[testable], y[testable], xerr=[pct[testable] - low[testable], high[testable] - pct[testable]],
                fmt="o", color="C0", ecolor="C0", capsize=3, label="printed value and interval")
    if (~testable).any():
        ax.plot(pct[~testable], y[~testable], "o", mfc="white", color="0.5", label="no base published: no interval")
    if reference is not None:
        ax.axvline(reference, color="0.4", linestyle="--", linewidth=1)
    ax.set_yticks(y, [_short(text) for text in rows[label].astype(str)])
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.set_xlim(0, 100)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
    return _finish(ax, title, "Percent of respondents", "Published figure", caption)


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
    ax = _axes(ax, height=1.0 * table["figure"].nunique() + 1.5)
    wide = table[table["group"].isin(groups)].pivot(index="figure", columns="group")
    figures = list(wide.index)
    y = np.arange(len(figures))
    for i, fig in enumerate(figures):
        ax.plot([wide.loc[fig, ("percent", g)] for g in groups], [i, i], color="0.7", linewidth=3, zorder=1)
    for k, group in enumerate(groups):
        pct = wide[("percent", group)].to_numpy(float)
        low = 100 * wide[("ci_low", group)].to_numpy(float)
        high = 100 * wide[("ci_high", group)].to_numpy(float)
        ax.errorbar(pct, y, xerr=[pct - low, high - pct], fmt="o", color=f"C{k}", capsize=4, markersize=8,
                    label=group, zorder=2)
    statements = table.drop_duplicates("figure").set_index("figure")["statement"]
    ax.set_yticks(y, [_short(statements.get(f, f)) for f in figures])
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

    studies, pooled = result.studies, result.pooled.iloc[0]
    ax = _axes(ax, height=0.5 * len(studies) + 2)
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
    ax.set_yticks([*y, 0], [_short(s) for s in studies["label"]] + ["pooled (random effects)"])
    ax.set_xlim(0, 100)
    ax.set_ylim(-0.8, len(studies) + 0.8)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
    return _finish(ax, title, "Percent of respondents", "Survey", caption)


def plot_power_curve(p1, p2, nobs, alpha=0.05, target=0.8, ax=None, title="Power against base per group",
                     caption=None):
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

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> ax = plot_power_curve([0.50], [0.55], nobs=range(100, 3001, 100))
    >>> ax.get_ylabel()
    'Power'
    """
    from .power import power_proportions

    ax = _axes(ax)
    nobs = np.asarray(list(nobs), dtype=float)
    for a, b in zip(np.atleast_1d(p1), np.atleast_1d(p2), strict=True):
        power = power_proportions(a, b, nobs1=nobs, alpha=alpha)["power"]
        (line,) = ax.plot(nobs, power, label=f"{100 * a:g}% vs {100 * b:g}%")
        needed = power_proportions(a, b, power=target, alpha=alpha)["nobs1"].iloc[0]
        if needed <= nobs.max():
            ax.axvline(needed, color=line.get_color(), linestyle=":", linewidth=1)
    ax.axhline(target, color="0.4", linestyle="--", linewidth=1)
    ax.set_ylim(0, 1)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
    return _finish(ax, title, "Respondents per group", "Power", caption)


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
    'Percent of respondents'
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
    return _finish(ax, title, "Percent of respondents", "Item", caption)


def plot_segment_profiles(table, labels=None, ax=None, title="What sets each segment apart", caption=None):
    """Heatmap of a :func:`cxstats.profile` table: each answer's share (or mean) by segment.

    Shares are shown as percentages and means as numbers; cells are coloured
    by the difference from the rest of the sample, scaled by the largest
    difference of that answer, so what makes a segment distinctive stands out
    whatever the answer's units.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd, cxstats
    >>> df = pd.DataFrame({"human": [1, 1, 0, 0], "fast": [0, 1, 1, 1], "segment": [0, 0, 1, 1]})
    >>> ax = plot_segment_profiles(cxstats.profile(df, "segment"))
    >>> ax.get_xlabel()
    'Segment'
    """
    import seaborn as sns

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
    ax = _axes(ax, height=0.45 * len(order) + 2)
    # colour each answer by its difference scaled to that answer's largest, so shares and means compare
    scale = diffs.abs().max(axis=1).replace(0, 1)
    sns.heatmap(diffs.div(scale, axis=0).astype(float), annot=text.to_numpy(), fmt="", cmap="RdBu", center=0,
                vmin=-1, vmax=1, cbar_kws={"label": "difference from the rest (scaled per answer)"}, ax=ax,
                linewidths=0.5)
    ax.set_yticklabels([_short(labels.get(c, c), 45) for c in order], rotation=0)
    return _finish(ax, title, "Segment", "Answer", caption)


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
    available; entropy, silhouette and stability (0 to 1) on the right.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"k": [2, 3], "bic": [10.0, 8.0], "sabic": [9.0, 7.5], "entropy": [0.9, 0.95],
    ...                   "silhouette": [float("nan")] * 2, "stability": [0.9, 0.99], "suggested": [False, True]})
    >>> plot_selection(t).get_xlabel()
    'Number of segments (k)'
    """
    ax = _axes(ax)
    k = table["k"].to_numpy()
    if table["bic"].notna().any():
        ax.plot(k, table["bic"], "o-", label="BIC")
        ax.plot(k, table["sabic"], "s--", label="sample-size adjusted BIC")
        ylabel = "Information criterion (lower is better)"
    else:
        ylabel = "Score"
    right = ax.twinx() if table["bic"].notna().any() else ax
    for column, style in (("entropy", "^:"), ("silhouette", "v:"), ("stability", "d-.")):
        if column in table and table[column].notna().any():
            right.plot(k, table[column], style, label=column, color={"entropy": "C2", "silhouette": "C4",
                                                                      "stability": "C3"}[column])
    if right is not ax:
        right.set_ylabel("Entropy, silhouette, stability (0 to 1)")
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


def plot_van_westendorp(result, ax=None, title="Van Westendorp price sensitivity meter", caption=None):
    """The four cumulative curves of a :class:`cxstats.VanWestendorpResult`, with the price points marked.

    Examples
    --------
    >>> import pandas as pd, cxstats
    >>> df = pd.DataFrame({"tc": [1, 2, 3, 4, 5], "c": [3, 4, 5, 6, 7], "e": [5, 6, 7, 8, 9], "te": [8, 9, 10, 11, 12]})
    >>> plot_van_westendorp(cxstats.van_westendorp(df, "tc", "c", "e", "te")).get_ylabel()
    'Percent of respondents'
    """
    ax = _axes(ax)
    c = result.curves
    for column, style, label in (("too_cheap", ":", "too cheap"), ("not_cheap", "-", "not cheap"),
                                 ("not_expensive", "-", "not expensive"), ("too_expensive", ":", "too expensive")):
        ax.plot(c["price"], 100 * c[column], style, label=label, linewidth=2)
    points = result.price_points.set_index("point")["price"]
    ax.axvspan(points["pmc"], points["pme"], color="0.9", zorder=0, label="acceptable range")
    for name in ("opp", "idp"):
        ax.axvline(points[name], color="0.3", linestyle="--", linewidth=1)
        ax.annotate(name.upper(), (points[name], 100), xytext=(3, -12), textcoords="offset points", fontsize=8)
    ax.set_ylim(0, 100)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
    return _finish(ax, title, "Price", "Percent of respondents", caption)


def _short(text, width=60):
    text = str(text)
    return text if len(text) <= width else text[: width - 1] + "\u2026"


__all__ = [
    "plot_dumbbell", "plot_figures", "plot_forest", "plot_likert", "plot_power_curve", "plot_segment_profiles",
    "plot_segment_sizes", "plot_selection", "plot_van_westendorp",
]
