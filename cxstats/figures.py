"""Significance for published figures: intervals and gaps over every count the rounding allows.

A printed "45% of 250" is any whole count from 112 to 113, so an interval or a
test on it is a range, not a number. These functions take the tidy table of
:func:`cxstats.load` and report, for each figure, the widest interval and the
range of p-values over all counts consistent with the printed percentages, and
say plainly when a figure cannot be tested (unknown base, not a share).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._inference import cohen_h, verdict
from ._validate import check_choice, check_open_unit
from .counts import count_range
from .proportions import COMPARE_METHODS, compare_proportions, proportion_ci, test_proportion

REQUIRED = ("survey", "figure", "group", "kind", "percent", "n", "count_low", "count_high")
LABELS = ("survey", "figure", "group", "statement")


def _flag(rows: pd.DataFrame, column: str) -> np.ndarray:
    """A boolean column of the figure table as an array (False where absent)."""
    if column not in rows.columns:
        return np.zeros(len(rows), dtype=bool)
    return rows[column].fillna(False).astype(bool).to_numpy()


def _check_table(df: pd.DataFrame) -> None:
    if not isinstance(df, pd.DataFrame):
        raise ValueError(f"expected the DataFrame from cxstats.load(), got {type(df).__name__}")
    missing = [c for c in REQUIRED if c not in df.columns]
    if missing:
        raise ValueError(f"figure table lacks column(s) {missing}; pass the DataFrame from cxstats.load()")


def _untestable_reason(rows: pd.DataFrame) -> pd.Series:
    reason = pd.Series(pd.NA, index=rows.index, dtype="object")
    reason[rows["n"].isna()] = "base n unknown: no interval or test without assuming a base"
    reason[rows["kind"] != "share"] = "not a share of respondents (" + rows["kind"].astype(str) + ")"
    return reason


def analyze_figures(df, *, conf_level=0.95, method="wilson", deff=1.0, value=None):
    """Interval for every share figure, over all counts consistent with the printed percentage.

    Parameters
    ----------
    df : pandas.DataFrame
        Figures as returned by :func:`cxstats.load`.
    conf_level : float, default 0.95
    method : str, default "wilson"
        Interval method, as in :func:`cxstats.proportion_ci`.
    deff : float, default 1.0
        Design effect applied to every base (e.g. 1.5 for a weighted opt-in panel).
    value : float, optional
        A benchmark to test every figure against with the exact binomial test
        (e.g. 0.5: "is it really a majority?"); fills ``p_value_min`` and
        ``p_value_max``.

    Returns
    -------
    pandas.DataFrame
        One row per share figure and group: ``survey``, ``figure``, ``group``,
        ``statement``, ``percent``, ``n``, ``count_low``, ``count_high``,
        ``ci_low`` (lowest bound over the consistent counts), ``ci_high``
        (highest), ``margin`` (half the width of that interval, in
        percentage points), ``p_value_min``, ``p_value_max`` (range over the
        counts; missing without ``value``), ``testable``, ``reason`` (why a
        figure cannot be tested), ``approximate``.

    Notes
    -----
    Every interval method here gives bounds that rise with the count, so the
    extremes are reached at ``count_low`` and ``count_high``.

    References
    ----------
    Brown, N. J. L. and Heathers, J. A. J. (2017). The GRIM test. Social
    Psychological and Personality Science 8(4), 363-369.
    Brown, L. D., Cai, T. T. and DasGupta, A. (2001). Interval estimation for a
    binomial proportion. Statistical Science 16(2), 101-133.

    Examples
    --------
    >>> import cxstats
    >>> out = analyze_figures(cxstats.load("calabrio_2022"))
    >>> out[["group", "count_low", "count_high", "ci_low", "ci_high"]].head(2).round(4)
           group  count_low  count_high  ci_low  ci_high
    0   managers        199         201  0.7417   0.8484
    1  consumers        112         113  0.3876   0.5140
    """
    _check_table(df)
    conf_level = check_open_unit("conf_level", conf_level)
    rows = df[df["kind"] == "share"].copy()
    reason = _untestable_reason(rows)
    testable = reason.isna().to_numpy()
    ok = rows[testable]
    low = np.full(len(rows), np.nan)
    high = np.full(len(rows), np.nan)
    p_min = np.full(len(rows), np.nan)
    p_max = np.full(len(rows), np.nan)
    if testable.any():
        lo_counts = ok["count_low"].to_numpy(dtype=float)
        hi_counts = ok["count_high"].to_numpy(dtype=float)
        bases = ok["n"].to_numpy(dtype=float)
        options = {"conf_level": conf_level, "method": method, "deff": deff}
        low[testable] = proportion_ci(lo_counts, bases, **options)["ci_low"].to_numpy()
        high[testable] = proportion_ci(hi_counts, bases, **options)["ci_high"].to_numpy()
        if value is not None:
            p_range = _p_range_one_sample(lo_counts, hi_counts, bases, value)
            p_min[testable], p_max[testable] = p_range
    out = rows.reindex(columns=[*LABELS, "percent", "n", "count_low", "count_high"]).reset_index(drop=True)
    return out.assign(
        ci_low=low, ci_high=high, margin=100 * (high - low) / 2, p_value_min=p_min, p_value_max=p_max,
        testable=testable, reason=reason.to_numpy(), approximate=_flag(rows, "approximate"),
    )


def _expand(low, high):
    """All whole counts between low and high (inclusive) for every row: (row id, count) arrays."""
    sizes = (high - low + 1).astype(int)
    row = np.repeat(np.arange(low.size), sizes)
    offset = np.arange(sizes.sum()) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    return row, low[row] + offset


def _p_range_one_sample(lo_counts, hi_counts, bases, value):
    row, counts = _expand(lo_counts, hi_counts)
    p = test_proportion(counts, bases[row], value=value, method="exact")["p_value"].to_numpy()
    return (pd.Series(p).groupby(row).min().to_numpy(), pd.Series(p).groupby(row).max().to_numpy())


def _compare_rows(first: pd.DataFrame, second: pd.DataFrame, method, conf_level):
    """Compare row i of ``first`` with row i of ``second`` over every consistent pair of counts.

    The significance level of the verdict and of the break-even bases is ``1 - conf_level``.
    """
    alpha = 1 - conf_level
    first, second = first.reset_index(drop=True), second.reset_index(drop=True)
    reason = _untestable_reason(first).fillna(_untestable_reason(second))
    testable = reason.isna().to_numpy()
    k = len(first)
    cols = {name: np.full(k, np.nan) for name in
            ("diff_low", "diff_high", "ci_low", "ci_high", "p_value_min", "p_value_max", "cohen_h")}
    if testable.any():
        a, b = first[testable], second[testable]
        l1, h1 = a["count_low"].to_numpy(float), a["count_high"].to_numpy(float)
        l2, h2 = b["count_low"].to_numpy(float), b["count_high"].to_numpy(float)
        n1, n2 = a["n"].to_numpy(float), b["n"].to_numpy(float)
        row1, c1 = _expand(l1, h1)
        # pair each count of group 1 with every count of group 2 of the same row
        row, c2 = _expand(l2[row1], h2[row1])
        pair_row, pair_c1 = row1[row], c1[row]
        res = compare_proportions(pair_c1, n1[pair_row], c2, n2[pair_row], conf_level=conf_level, method=method)
        grouped = res.assign(row=pair_row).groupby("row")
        cols["diff_low"][testable] = grouped["diff"].min().to_numpy()
        cols["diff_high"][testable] = grouped["diff"].max().to_numpy()
        cols["ci_low"][testable] = grouped["ci_low"].min().to_numpy()
        cols["ci_high"][testable] = grouped["ci_high"].max().to_numpy()
        cols["p_value_min"][testable] = grouped["p_value"].min().to_numpy()
        cols["p_value_max"][testable] = grouped["p_value"].max().to_numpy()
    p1, p2 = first["percent"].to_numpy(float) / 100, second["percent"].to_numpy(float) / 100
    cols["cohen_h"] = cohen_h(p1, p2)
    breakeven = _breakeven_for_missing_bases(first, second, method, alpha)
    warning = _warnings(first, second)
    out = pd.DataFrame({
        "survey1": first["survey"], "figure1": first["figure"], "group1": first["group"],
        "survey2": second["survey"], "figure2": second["figure"], "group2": second["group"],
        "percent1": first["percent"], "percent2": second["percent"],
        "n1": first["n"].astype("Int64"), "n2": second["n"].astype("Int64"),
        **cols, "significant": verdict(cols["p_value_min"], cols["p_value_max"], alpha),
        "testable": testable, "reason": reason.to_numpy(), "breakeven_n": breakeven, "warning": warning,
        "method": method,
    })
    return out


BREAKEVEN_LIMIT = 100_000  # largest unknown base searched for a break-even base


def _all_significant(l1, h1, n1, l2, h2, n2, method, alpha):
    """True if every pair of counts (l1..h1 of n1, l2..h2 of n2) gives p < alpha with ``method``."""
    c1 = np.repeat(np.arange(l1, h1 + 1, dtype=float), h2 - l2 + 1)
    c2 = np.tile(np.arange(l2, h2 + 1, dtype=float), h1 - l1 + 1)
    p = compare_proportions(c1, np.full(c1.size, n1), c2, np.full(c2.size, n2), method=method)["p_value"]
    return bool((p.to_numpy() < alpha).all())


def breakeven_base(percent1, percent2, n1=None, *, decimals1=0, decimals2=0, method="fisher", alpha=0.05,
                   limit=BREAKEVEN_LIMIT):
    """Smallest unknown base at which a printed gap is significant for every count its rounding allows.

    Only bases at which the printed percentage can occur are considered ("8%" is impossible for 2, 4 or 6
    companies: 1 of 12 is the first), and a base counts only if every pair of counts consistent with the two
    printed percentages (see :func:`cxstats.count_range`) gives p < ``alpha``. Unlike :func:`cxstats.breakeven_n`,
    which works at the printed shares as if they were exact, the answer is a base a survey could have had.

    Parameters
    ----------
    percent1, percent2 : float
        The printed percentages, 0 to 100.
    n1 : int, optional
        The known base of the first figure; the answer is then the base of the second. Without it both bases
        are unknown and the answer is the smallest equal base per group.
    decimals1, decimals2 : int, default 0
        Decimals each percentage was printed with.
    method : {"fisher", "z", "chi2_cc"}, default "fisher"
        Test, as in :func:`cxstats.compare_proportions`. Fisher's exact test by default: break-even bases are
        often small, with expected counts below 5, where the z test is unreliable.
    alpha : float, default 0.05
    limit : int, default 100,000
        Largest base searched.

    Returns
    -------
    pandas.DataFrame
        One row: ``percent1``, ``percent2``, ``n1``, ``breakeven_n`` (whole number; missing when no base up to
        ``limit`` works, e.g. when the two rounding intervals meet), ``method``, ``alpha``.

    Raises
    ------
    ValueError
        If a percentage is outside 0 to 100, the two are equal, ``n1`` is not a whole number of at least 1 or
        ``percent1`` is impossible for ``n1``, or ``method`` is unknown.

    References
    ----------
    Brown, N. J. L. and Heathers, J. A. J. (2017). The GRIM test. Social Psychological and Personality Science
    8(4), 363-369. Agresti, A. (2013). Categorical Data Analysis, 3rd ed., section 3.5 (Fisher's exact test).

    Examples
    --------
    Bain: 80% of 362 firms against 8% of an unpublished number of rated companies.

    >>> breakeven_base(80, 8, 362)["breakeven_n"].tolist()
    [12]
    >>> breakeven_base(80, 8)["breakeven_n"].tolist()   # equal bases: 20 and 2 of 25
    [25]
    """
    method = check_choice("method", method, COMPARE_METHODS)
    alpha = check_open_unit("alpha", alpha)
    for name, value in (("percent1", percent1), ("percent2", percent2)):
        if not isinstance(value, int | float | np.integer | np.floating) or not 0 <= value <= 100:
            raise ValueError(f"{name} must be a percentage from 0 to 100; got {value!r}")
    if percent1 == percent2:
        raise ValueError("percent1 equals percent2: a zero gap is never significant")
    if n1 is not None:
        low, high = count_range(percent1, n1, decimals1)  # validates n1 and decimals1
        if low[0] > high[0]:
            raise ValueError(f"percent1 = {percent1:g}% is impossible for n1 = {n1}: no whole count rounds to it")
    step, start, found = 200, 1, np.nan
    while start <= limit and np.isnan(found):
        bases = np.arange(start, min(start + step, limit + 1), dtype=float)
        l2, h2 = count_range(percent2, bases, decimals2)
        if n1 is None:
            (l1, h1), first = count_range(percent1, bases, decimals1), bases
        else:
            l1, h1, first = np.full(bases.size, low[0]), np.full(bases.size, high[0]), np.full(bases.size, float(n1))
        i = np.flatnonzero((l1 <= h1) & (l2 <= h2))  # bases at which the printed percentages can occur
        if i.size:
            near1, near2 = (l1[i], h2[i]) if percent1 > percent2 else (h1[i], l2[i])  # the pair closest to no gap
            p = compare_proportions(near1.astype(float), first[i], near2.astype(float), bases[i], method=method)
            for j in i[p["p_value"].to_numpy() < alpha]:  # that pair must be significant; then check every pair
                if _all_significant(l1[j], h1[j], first[j], l2[j], h2[j], bases[j], method, alpha):
                    found = float(bases[j])
                    break
        start += step
        step = min(2 * step, 20_000 if method != "fisher" else 1_000)
    return pd.DataFrame({"percent1": [float(percent1)], "percent2": [float(percent2)],
                         "n1": pd.array([n1], dtype="Int64"), "breakeven_n": pd.array([found], dtype="Int64"),
                         "method": method, "alpha": alpha})


def _decimals_of(row):
    value = row.get("decimals", 0)
    return 0 if pd.isna(value) else int(value)


def _breakeven_for_missing_bases(first, second, method, alpha):
    """For share pairs with a missing base: :func:`breakeven_base` of the unknown base (the smallest equal base
    when both are unknown), with the comparison's test."""
    out = pd.array(np.full(len(first), np.nan), dtype="Int64")
    for k, ((_, a), (_, b)) in enumerate(zip(first.iterrows(), second.iterrows(), strict=True)):
        if a["kind"] != "share" or b["kind"] != "share" or a["percent"] == b["percent"]:
            continue
        if not pd.isna(a["n"]) and not pd.isna(b["n"]):
            continue  # both bases known: testable, no break-even
        known, unknown = (b, a) if pd.isna(a["n"]) and not pd.isna(b["n"]) else (a, b)
        n1 = None if pd.isna(known["n"]) else int(known["n"])
        out[k] = breakeven_base(float(known["percent"]), float(unknown["percent"]), n1,
                                decimals1=_decimals_of(known), decimals2=_decimals_of(unknown),
                                method=method, alpha=alpha)["breakeven_n"].iloc[0]
    return out


def _warnings(first, second):
    """Plain-words caveats for each compared pair (labels only; no statistics are computed here)."""
    msgs = []
    for (_, a), (_, b) in zip(first.iterrows(), second.iterrows(), strict=True):
        notes = []
        if a["survey"] != b["survey"]:
            notes.append("different surveys: question wording, population and method differ, so the gap mixes them")
        elif a["figure"] != b["figure"]:
            notes.append("different questions: the wording differs, so the gap mixes topic and question")
            if a["group"] == b["group"]:
                notes.append("same respondents answered both: not independent samples, the two-sample test "
                             "does not apply")
        if bool(a.get("approximate", False)) or bool(b.get("approximate", False)):
            notes.append("a value printed as approximate ('about'): its rounding may be wider than assumed")
        msgs.append("; ".join(notes) or pd.NA)
    return msgs


def compare_groups(df, figure=None, groups=None, *, method="z", conf_level=0.95):
    """Test the gap between two groups of the same figure (e.g. Calabrio's managers vs consumers).

    Every pair of counts consistent with both printed percentages is tested,
    and the result says whether the gap is significant under all of them,
    some of them, or none.

    Parameters
    ----------
    df : pandas.DataFrame
        Figures as returned by :func:`cxstats.load`.
    figure : str or list of str, optional
        Figure id(s); default all figures that have both groups.
    groups : tuple of two str, optional
        The two groups to compare, first minus second; default the first two
        groups listed for each figure.
    method : {"z", "chi2_cc", "fisher"}
        Test, as in :func:`cxstats.compare_proportions`.
    conf_level : float, default 0.95
        Level of the intervals. The ``significant`` verdict and
        ``breakeven_n`` test at the matching significance level
        ``1 - conf_level`` (0.05 by default): a gap counts as significant
        when p < 1 - conf_level (there is no separate ``alpha``).

    Returns
    -------
    pandas.DataFrame
        One row per figure: ``survey1``, ``figure1``, ``group1``, ``survey2``,
        ``figure2``, ``group2``, ``percent1``, ``percent2``, ``n1``, ``n2``,
        ``diff_low``/``diff_high`` (range of p1 - p2 over consistent counts),
        ``ci_low``/``ci_high`` (widest Newcombe interval over them),
        ``p_value_min``/``p_value_max``, ``cohen_h`` (at the printed values),
        ``significant`` ("all", "some" or "none" of the consistent counts give
        p < 1 - conf_level; missing when untestable), ``testable``,
        ``reason``, ``breakeven_n`` (when a base is unknown: the smallest
        unknown base that would make the printed gap significant at
        1 - conf_level, per group if both are unknown; see
        :func:`cxstats.breakeven_n`), ``warning``, ``method``.

    References
    ----------
    Newcombe, R. G. (1998). Interval estimation for the difference between
    independent proportions. Statistics in Medicine 17, 873-890.
    Brown, N. J. L. and Heathers, J. A. J. (2017). The GRIM test. Social
    Psychological and Personality Science 8(4), 363-369.

    Examples
    --------
    >>> import cxstats
    >>> gaps = compare_groups(cxstats.load("calabrio_2022"), groups=("managers", "consumers"))
    >>> gaps[["figure1", "diff_low", "diff_high", "significant"]]
                   figure1  diff_low  diff_high significant
    0  agents_show_empathy     0.192      0.208         all
    1        fast_response     0.336      0.344         all
    2   meets_expectations     0.344      0.356         all
    """
    _check_table(df)
    conf_level = check_open_unit("conf_level", conf_level)
    method = check_choice("method", method, COMPARE_METHODS)
    shares = df
    if figure is not None:
        wanted = [figure] if isinstance(figure, str) else list(figure)
        unknown = sorted(set(wanted) - set(df["figure"]))
        if unknown:
            raise ValueError(f"figure(s) {unknown} not in the table; available: {sorted(set(df['figure']))}")
        shares = df[df["figure"].isin(wanted)]
    firsts, seconds = [], []
    for (_survey, fig), rows in shares.groupby(["survey", "figure"], sort=True):
        names = list(rows["group"])
        pair = tuple(groups) if groups is not None else tuple(names[:2])
        if len(pair) != 2:
            raise ValueError(f"groups must name exactly two groups, got {groups!r}")
        if not set(pair) <= set(names):
            if figure is not None:
                raise ValueError(f"figure {fig!r} has groups {names}; cannot compare {pair}")
            continue
        firsts.append(rows[rows["group"] == pair[0]])
        seconds.append(rows[rows["group"] == pair[1]])
    if not firsts:
        pairs = sorted({", ".join(map(repr, rows["group"])) for _, rows in shares.groupby(["survey", "figure"])})
        raise ValueError(f"groups={groups!r}: no figure in the table has both groups; the figures' groups are: "
                         + "; ".join(f"({p})" for p in pairs))
    return _compare_rows(pd.concat(firsts), pd.concat(seconds), method, conf_level)


def compare_figures(df, first, second, *, method="z", conf_level=0.95):
    """Test the gap between any two figures, e.g. from different surveys.

    Parameters
    ----------
    df : pandas.DataFrame
        Figures as returned by :func:`cxstats.load`.
    first, second : dict
        Column values that pick exactly one row each, e.g.
        ``{"survey": "accenture_2016", "figure": "pay_more_for_service"}``.
    method, conf_level
        As in :func:`compare_groups` (the verdict tests at ``1 - conf_level``).

    Returns
    -------
    pandas.DataFrame
        One row, columns as in :func:`compare_groups`. ``warning`` says when
        the two figures come from different questions (a gap then mixes
        wording, population and method) or are two answers from the same
        respondents (not independent samples).

    References
    ----------
    Agresti, A. (2013). Categorical Data Analysis, 3rd ed., section 3.1.

    Examples
    --------
    >>> import cxstats
    >>> out = compare_figures(cxstats.load(), {"survey": "amex_2014", "figure": "always_share_bad"},
    ...                       {"survey": "amex_2014", "figure": "always_tell_good"})
    >>> out[["diff_low", "diff_high", "significant"]]
       diff_low  diff_high significant
    0      0.13       0.15         all
    """
    _check_table(df)
    picked = []
    for name, selector in (("first", first), ("second", second)):
        if not isinstance(selector, dict) or not selector:
            raise ValueError(f"{name} must be a dict of column values, e.g. {{'survey': ..., 'figure': ...}}")
        mask = np.ones(len(df), dtype=bool)
        for column, value in selector.items():
            if column not in df.columns:
                raise ValueError(f"{name} selects on unknown column {column!r}")
            mask &= (df[column] == value).to_numpy()
        if mask.sum() != 1:
            raise ValueError(f"{name}={selector} matches {int(mask.sum())} rows; it must pick exactly one figure")
        picked.append(df[mask])
    return _compare_rows(picked[0], picked[1], method, check_open_unit("conf_level", conf_level))
