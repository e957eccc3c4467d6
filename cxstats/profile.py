"""Describe segments honestly: each segment against the rest, with tests and multiple-comparison control.

The answers the segments were formed from (the segmentation basis) are described, never tested: segments found
from those answers differ on them by construction, even in data with no real groups. Tests are for the other
answers (descriptors such as recommendation or age).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._aggregate import about_domain_lowest, aggregate
from ._inference import p_value
from ._linearize import variance
from ._validate import check_open_unit
from .multiple import adjust_pvalues

PROFILE_COLUMNS = ("n", "share", "share_ci_low", "share_ci_high", "column", "measure", "in_segment", "in_rest",
                   "diff", "se", "statistic", "df", "p_value", "p_adjusted", "n_missing", "note")
BASIS_NOTE = "not tested: the segments were formed from this answer"


def _is_binary(values) -> bool:
    present = set(pd.unique(values[~pd.isna(values)]))
    return present <= {0, 1}


def _segment_vs_rest(design, totals, segment, code):
    """Mean (or share) in segment ``code`` and in the rest, and the design-based t test of their difference."""
    known = ~pd.isna(totals.labels[segment])[totals.codes[segment]]
    inside = (totals.codes[segment] == code) & known
    rest = ~inside & known
    lowest, totals = about_domain_lowest(totals, np.where(inside, 0, np.where(rest, 1, 2)), 3)  # one shift for each
    sw, swy = totals["sw_y"], totals["swy"]
    W = np.array([sw[inside].sum(), sw[rest].sum()])
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.array([swy[inside].sum(), swy[rest].sum()]) / W  # of the shifted answers, for the influence
        means = lowest[:2] + r
        a = np.column_stack([np.where(inside, -r[0] / W[0], 0.0), np.where(rest, -r[1] / W[1], 0.0)])
        b = np.column_stack([np.where(inside, 1 / W[0], 0.0), np.where(rest, 1 / W[1], 0.0)])
    if not (W > 0).all():
        return means, np.nan, np.nan
    cov = variance(design, totals, a, b, diagonal=False)
    se = float(np.sqrt(max(cov[0, 0] + cov[1, 1] - 2 * cov[0, 1], 0.0)))
    return means, se, (lowest[0] - lowest[1]) + (r[0] - r[1])  # apart: two large means close together keep digits


def profile(data, segment, *, columns=None, basis=(), weight=None, conf_level=0.95, adjust="holm"):
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
    basis : list of str, default ()
        The answers the segments were formed from (the segmentation basis;
        they are added to ``columns`` when missing there). Their rows give the
        share or mean and the difference, but no standard error, test or
        p-value, and they are left out of the adjusted family: segments
        formed from these answers differ on them by construction, so a test
        would find "differences" even in data with no groups.
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
        that answer) and ``note`` (why a row is not tested: a ``basis``
        answer; empty otherwise). Rows with a missing segment are in neither
        side.

    Raises
    ------
    ValueError
        A missing column, a non-numeric answer column, ``weight=`` with a
        design, ``columns=None`` for data read where it lives, ``basis`` not a
        list of column names.

    Notes
    -----
    Each comparison is a design-based t test of the difference between two
    domains of the design (the segment and the rest), with their covariance,
    as :func:`cxstats.compare_domains` and R's ``svyttest`` (whose estimate
    and standard error it equals; cxstats uses ``degf`` degrees of freedom).
    For an unweighted simple sample this is close to Welch's t test. Only
    answers outside ``basis`` are tested, and even those tests treat each
    respondent's segment as known: they say whether the answer differs
    between the segments as assigned, not that the segments exist.

    References
    ----------
    Lumley, T. (2010). Complex Surveys: A Guide to Analysis Using R. Wiley, section 3.5.
    Wedel, M. and Kamakura, W. A. (2000). Market Segmentation: Conceptual and
    Methodological Foundations, 2nd ed. Kluwer, chapter 1 (bases and descriptors).

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
    >>> table = profile(df, "segment", columns=["csat"], basis=["human"])  # segments formed from "human"
    >>> table[["column", "diff", "p_value"]].head(2)
      column  diff   p_value
    0  human   1.0       NaN
    1   csat   2.5  0.001008
    >>> table.note[0]
    'not tested: the segments were formed from this answer'
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
    if isinstance(basis, str) or not isinstance(basis, list | tuple) or not all(isinstance(c, str) for c in basis):
        raise ValueError(f"basis must be a list of the column names the segments were formed from, e.g. "
                         f"['q1', 'q2'], or () for none; got {basis!r}")
    if columns is None:
        if not design.in_memory:
            raise ValueError("give columns= (the answers to profile) for data read where it lives")
        df = design.data
        skip = {segment, design.weight}
        columns = [c for c in df.columns if c not in skip and not isinstance(df[c].dtype, pd.CategoricalDtype)
                   and (pd.api.types.is_numeric_dtype(df[c]) or pd.api.types.is_bool_dtype(df[c]))]
    columns = list(dict.fromkeys([*basis, *columns]))  # the basis first, each column once
    by_columns(design, columns, segment)
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
    described = out["column"].isin(basis).to_numpy()
    out.loc[described, "se"] = np.nan  # no test, and no standard error to build one from by hand
    out["note"] = np.where(described, BASIS_NOTE, "")
    with np.errstate(invalid="ignore", divide="ignore"):
        out["statistic"] = out["diff"] / out["se"]
    out["df"] = np.where(described, np.nan, float(design.degf))
    out["p_value"] = p_value(out["statistic"].to_numpy(), "two-sided", design.degf)
    tested = np.isfinite(out["p_value"].to_numpy())
    out["p_adjusted"] = np.nan
    if tested.any():
        out.loc[tested, "p_adjusted"] = adjust_pvalues(out.loc[tested, "p_value"], method=adjust)["p_adjusted"]
    out = out.sort_values(segment, kind="stable").reset_index(drop=True)
    return out[[segment, *PROFILE_COLUMNS]]


def _number(value: float) -> str:
    """A mean for a sentence: two decimals below 10, one below 100, none above (150, not 1.5e+02)."""
    size = abs(value)
    return f"{value:.2f}" if size < 10 else f"{value:.1f}" if size < 100 else f"{value:,.0f}"


def _phrase(row, labels, tested):
    """One answer of a segment in words: '<answer>: 91% vs 54% in the rest' (a mean for a numeric answer)."""
    name = labels.get(row["column"], row["column"])
    if row["measure"] == "proportion":
        text = f"{name}: {row['in_segment']:.0%} vs {row['in_rest']:.0%} in the rest"
    else:
        text = f"{name}: mean {_number(row['in_segment'])} vs {_number(row['in_rest'])} in the rest"
    if tested:
        p = row["p_adjusted"]
        text += f" (adjusted p {'< 0.001' if p < 0.001 else f'= {p:.2g}'})"
    return text


def _ranked(part):
    """Rows by the size of their difference: shares in points, means relative to the rest's mean."""
    scale = np.where(part["measure"] == "proportion", 1.0, part["in_rest"].abs().clip(lower=1e-9))
    return part.assign(_size=part["diff"].abs() / scale).sort_values("_size", ascending=False, kind="stable")


def describe_segments(table, *, labels=None, top=3, conf_level=0.95):
    """Plain-words description of each segment, from :func:`profile`.

    The answers the segments were formed from (``profile``'s ``basis``) are
    described by their largest differences from the rest, without tests;
    the other answers are named only when their Holm-adjusted test is
    significant (then with its adjusted p-value). A profile without a basis
    (every answer tested) names its significant answers only.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`profile` (its first column is the segment).
    labels : dict, optional
        Plain-words names of the columns (default: the column names).
    top : int, default 3
        Answers to name per segment and kind, largest differences first.
    conf_level : float, default 0.95
        Tested answers are named when ``p_adjusted < 1 - conf_level``.

    Returns
    -------
    pandas.DataFrame
        The segment (under its own name), ``n``, ``share``, ``description``.

    Raises
    ------
    ValueError
        ``table`` not a profile table, ``top`` not a whole number of at least 1, ``conf_level`` outside (0, 1).

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"segment": [0], "n": [60], "share": [0.6], "column": ["human"], "measure": ["proportion"],
    ...                   "in_segment": [0.91], "in_rest": [0.54], "diff": [0.37], "p_adjusted": [0.001]})
    >>> describe_segments(t, labels={"human": "prefers a human for service"}).description[0]
    '60% of respondents. prefers a human for service: 91% vs 54% in the rest'
    >>> t = t.assign(p_adjusted=[float("nan")], note=[BASIS_NOTE])  # "human" formed the segments
    >>> describe_segments(t).description[0]
    '60% of respondents. Formed on (largest differences, not tested): human: 91% vs 54% in the rest.'
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
    notes = table["note"] if "note" in table.columns else pd.Series("", index=table.index)
    is_basis = notes.eq(BASIS_NOTE)
    rows = []
    name_of_segment = table.columns[0]
    for segment, part in table.groupby(name_of_segment, sort=True):
        size, share = int(part["n"].iloc[0]), float(part["share"].iloc[0])
        sentences = [f"{share:.0%} of respondents."]
        formed = part[is_basis.loc[part.index]]
        if len(formed):
            sentences.append("Formed on (largest differences, not tested): "
                             + "; ".join(_phrase(r, labels, False) for _, r in _ranked(formed).head(top).iterrows())
                             + ".")
        others = part[~is_basis.loc[part.index]]
        distinct = _ranked(others[others["p_adjusted"] < 1 - conf_level]).head(top)
        if not len(formed):  # every answer tested: the significant ones, largest first
            sentences.append("; ".join(_phrase(r, labels, False) for _, r in distinct.iterrows())
                             or "no answer differs significantly")
        elif len(others):
            sentences.append("Differs significantly on: "
                             + "; ".join(_phrase(r, labels, True) for _, r in distinct.iterrows()) + "."
                             if len(distinct) else "No other answer profiled differs significantly.")
        rows.append({name_of_segment: segment, "n": size, "share": share, "description": " ".join(sentences)})
    return pd.DataFrame(rows)
