"""Describe segments honestly: each segment against the rest, with tests and multiple-comparison control."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._aggregate import aggregate
from ._inference import p_value
from ._linearize import variance
from ._validate import check_open_unit
from .multiple import adjust_pvalues

PROFILE_COLUMNS = ("n", "share", "share_ci_low", "share_ci_high", "column", "measure", "in_segment", "in_rest",
                   "diff", "se", "statistic", "df", "p_value", "p_adjusted", "n_missing")


def _is_binary(values) -> bool:
    present = set(pd.unique(values[~pd.isna(values)]))
    return present <= {0, 1}


def _segment_vs_rest(design, totals, segment, code):
    """Mean (or share) in segment ``code`` and in the rest, and the design-based t test of their difference."""
    known = ~pd.isna(totals.labels[segment])[totals.codes[segment]]
    inside = (totals.codes[segment] == code) & known
    rest = ~inside & known
    sw, swy = totals["sw_y"], totals["swy"]
    W = np.array([sw[inside].sum(), sw[rest].sum()])
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.array([swy[inside].sum(), swy[rest].sum()]) / W  # of the shifted answers, for the influence
        means = totals.shift + r
        a = np.column_stack([np.where(inside, -r[0] / W[0], 0.0), np.where(rest, -r[1] / W[1], 0.0)])
        b = np.column_stack([np.where(inside, 1 / W[0], 0.0), np.where(rest, 1 / W[1], 0.0)])
    if not (W > 0).all():
        return means, np.nan, np.nan
    cov = variance(design, totals, a, b, diagonal=False)
    se = float(np.sqrt(max(cov[0, 0] + cov[1, 1] - 2 * cov[0, 1], 0.0)))
    return means, se, means[0] - means[1]


def profile(data, segment, *, columns=None, weight=None, conf_level=0.95, adjust="holm"):
    """Each segment's size and, for every answer, its share or mean in the segment against the rest.

    Parameters
    ----------
    data : DataFrame, path, ibis.Table or SurveyDesign
        Respondents (see :func:`cxstats.survey_design`).
    segment : str
        Column holding each respondent's segment (e.g. ``df.assign(segment=model.labels_)``).
    columns : list of str, optional
        Answers to profile (default: every numeric or boolean column of an
        in-memory frame, except the segment and the weight).
    weight : str, optional
        Survey weights (not with a design).
    conf_level : float, default 0.95
        Level of the interval of each segment's share of respondents.
    adjust : str, default "holm"
        Multiple-comparison method over every segment x answer test.

    Returns
    -------
    pandas.DataFrame
        One row per segment and answer: the segment (under its own name),
        ``n`` (respondents in the segment), ``share`` (weighted share of
        respondents), ``share_ci_low``, ``share_ci_high`` (logit interval, as
        :func:`cxstats.weighted_proportion`), ``column``, ``measure``
        ("proportion" for 0/1 answers, "mean" otherwise), ``in_segment``, ``in_rest``,
        ``diff``, ``se`` (of the difference), ``statistic`` (t), ``df``,
        ``p_value``, ``p_adjusted``, ``n_missing`` (segment members without
        that answer). Rows with a missing segment are in neither side.

    Raises
    ------
    ValueError
        A missing column, a non-numeric answer column, ``weight=`` with a
        design, ``columns=None`` for data read where it lives.

    Notes
    -----
    Each comparison is a design-based t test of the difference between two
    domains of the design (the segment and the rest), with their covariance,
    as :func:`cxstats.compare_domains` and R's ``svyttest`` (whose estimate
    and standard error it equals; cxstats uses ``degf`` degrees of freedom).
    For an unweighted simple sample this is close to Welch's t test. The
    segments were found from these answers, so the tests describe the
    segments; they do not confirm that the segments exist.

    References
    ----------
    Lumley, T. (2010). Complex Surveys: A Guide to Analysis Using R. Wiley, section 3.5.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"human": [1, 1, 1, 0, 0, 1, 0, 0], "csat": [5, 4, 5, 2, 1, 4, 2, 3],
    ...                    "segment": [0, 0, 0, 1, 1, 0, 1, 1]})
    >>> profile(df, "segment")[["segment", "column", "in_segment", "in_rest"]]
       segment column  in_segment  in_rest
    0        0  human         1.0      0.0
    1        0   csat         4.5      2.0
    2        1  human         0.0      1.0
    3        1   csat         2.0      4.5
    """
    from .survey import (
        _proportion_frame,
        as_design,
        by_columns,
        check_group_names,
        domains,
        scored_totals,
        value_totals,
    )

    design, segment = as_design(data, segment, weight)
    if columns is None:
        if not design.in_memory:
            raise ValueError("give columns= (the answers to profile) for data read where it lives")
        df = design.data
        skip = {segment, design.weight}
        columns = [c for c in df.columns if c not in skip and not isinstance(df[c].dtype, pd.CategoricalDtype)
                   and (pd.api.types.is_numeric_dtype(df[c]) or pd.api.types.is_bool_dtype(df[c]))]
    by_columns(design, list(columns), segment)
    check_group_names([segment], PROFILE_COLUMNS)
    # segment sizes: weighted shares of respondents, from the one aggregation
    sizes = aggregate(design, keys=(segment,))
    labels = sizes.labels[segment]
    codes = [c for c in np.unique(sizes.codes[segment]) if not pd.isna(labels[c])]
    if len(codes) < 2:
        raise ValueError(f"segment column {segment!r} has {len(codes)} segment(s) {list(labels[codes])}; a profile "
                         f"compares each segment with the rest, so it needs at least two")
    n_in = np.bincount(sizes.codes[segment], weights=sizes["n_pos"], minlength=len(labels))
    shares = []
    for code in codes:
        indicator = lambda v, s=labels[code]: np.array([np.nan if pd.isna(x) else float(x == s) for x in v])  # noqa: E731
        shares.append(_proportion_frame(design, domains(design, scored_totals(design, segment, [], indicator), []),
                                        [], conf_level, "logit").iloc[0])
    rows = []
    for column in columns:  # answers x segments: a small table, not respondents
        totals = value_totals(design, column, [segment])
        answers = aggregate(design, keys=(column,))
        measure = "proportion" if _is_binary(answers.labels[column][np.unique(answers.codes[column])]) else "mean"
        missing = np.bincount(totals.codes[segment], weights=totals["n_pos"] - totals["n_y_pos"],
                              minlength=len(labels))
        for code, share in zip(codes, shares, strict=True):
            (in_s, in_rest), se, diff = _segment_vs_rest(design, totals, segment, code)
            rows.append({segment: labels[code], "n": int(n_in[code]), "share": share["estimate"],
                         "share_ci_low": share["ci_low"], "share_ci_high": share["ci_high"], "column": column,
                         "measure": measure, "in_segment": in_s, "in_rest": in_rest, "diff": diff, "se": se,
                         "n_missing": int(missing[code])})
    out = pd.DataFrame(rows)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["statistic"] = out["diff"] / out["se"]
    out["df"] = float(design.degf)
    out["p_value"] = p_value(out["statistic"].to_numpy(), "two-sided", design.degf)
    tested = np.isfinite(out["p_value"].to_numpy())
    out["p_adjusted"] = np.nan
    if tested.any():
        out.loc[tested, "p_adjusted"] = adjust_pvalues(out.loc[tested, "p_value"], method=adjust)["p_adjusted"]
    out = out.sort_values(segment, kind="stable").reset_index(drop=True)
    return out[[segment, "n", "share", "share_ci_low", "share_ci_high", "column", "measure", "in_segment", "in_rest",
                "diff", "se", "statistic", "df", "p_value", "p_adjusted", "n_missing"]]


def _number(value: float) -> str:
    """A mean for a sentence: two decimals below 10, one below 100, none above (150, not 1.5e+02)."""
    size = abs(value)
    return f"{value:.2f}" if size < 10 else f"{value:.1f}" if size < 100 else f"{value:,.0f}"


def describe_segments(table, *, labels=None, top=3, conf_level=0.95):
    """Plain-words description of each segment's most distinctive answers, from :func:`profile`.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`profile` (its first column is the segment).
    labels : dict, optional
        Plain-words names of the columns (default: the column names).
    top : int, default 3
        Answers to name per segment, largest significant differences first.
    conf_level : float, default 0.95
        Only differences with ``p_adjusted < 1 - conf_level`` are named.

    Returns
    -------
    pandas.DataFrame
        The segment (under its own name), ``n``, ``share``, ``description``.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"segment": [0], "n": [60], "share": [0.6], "column": ["human"], "measure": ["proportion"],
    ...                   "in_segment": [0.91], "in_rest": [0.54], "diff": [0.37], "p_adjusted": [0.001]})
    >>> describe_segments(t, labels={"human": "prefers a human for service"}).description[0]
    '60% of respondents. prefers a human for service: 91% vs 54% in the rest'
    """
    conf_level = check_open_unit("conf_level", conf_level)
    needed = ["n", "share", "column", "measure", "in_segment", "in_rest", "diff", "p_adjusted"]
    if not isinstance(table, pd.DataFrame) or [c for c in needed if c not in table.columns]:
        lacking = needed if not isinstance(table, pd.DataFrame) else [c for c in needed if c not in table.columns]
        raise ValueError(f"table must be the DataFrame from cxstats.profile (segment column first); it lacks "
                         f"{lacking}")
    if not isinstance(top, int | np.integer) or isinstance(top, bool) or top < 1:
        raise ValueError(f"top must be a whole number of at least 1 (answers described per segment), got {top!r}")
    labels = labels or {}
    rows = []
    name_of_segment = table.columns[0]
    for segment, part in table.groupby(name_of_segment, sort=True):
        size, share = int(part["n"].iloc[0]), float(part["share"].iloc[0])
        distinct = part[part["p_adjusted"] < 1 - conf_level]
        scale = np.where(distinct["measure"] == "proportion", 1.0, distinct["in_rest"].abs().clip(lower=1e-9))
        ranked = distinct.assign(weight=distinct["diff"].abs() / scale).sort_values("weight", ascending=False)
        phrases = []
        for _, r in ranked.head(top).iterrows():
            name = labels.get(r["column"], r["column"])
            if r["measure"] == "proportion":
                phrases.append(f"{name}: {r['in_segment']:.0%} vs {r['in_rest']:.0%} in the rest")
            else:
                phrases.append(f"{name}: mean {_number(r['in_segment'])} vs {_number(r['in_rest'])} in the rest")
        text = f"{share:.0%} of respondents. " + ("; ".join(phrases) if phrases else "no answer differs significantly")
        rows.append({name_of_segment: segment, "n": size, "share": share, "description": text})
    return pd.DataFrame(rows)
