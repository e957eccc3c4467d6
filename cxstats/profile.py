"""Describe segments honestly: each segment against the rest, with tests and multiple-comparison control."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .multiple import adjust_pvalues
from .proportions import compare_proportions, proportion_ci


def _is_binary(values: pd.Series) -> bool:
    present = set(pd.unique(values.dropna()))
    return pd.api.types.is_bool_dtype(values) or present <= {0, 1}


def profile(df, labels, columns=None, conf_level=0.95, adjust="holm"):
    """Each segment's size and, for every answer, its share or mean in the segment against the rest.

    Parameters
    ----------
    df : pandas.DataFrame
        Respondents.
    labels : array-like
        Segment of each respondent (e.g. ``model.labels_``).
    columns : list of str, optional
        Answers to profile (default: every numeric or boolean column).
    conf_level : float, default 0.95
    adjust : str, default "holm"
        Multiple-comparison method over every segment x answer test.

    Returns
    -------
    pandas.DataFrame
        One row per segment and answer: ``segment``, ``size``, ``share``,
        ``share_ci_low``, ``share_ci_high`` (Wilson interval of the segment's
        share of respondents), ``column``, ``kind`` ("share" for 0/1 answers,
        "mean" otherwise), ``in_segment``, ``in_rest``, ``diff``, ``p_value``
        (two-proportion z test, or Welch's t test for means), ``p_adjusted``,
        ``n_answered``. Missing answers are left out of each comparison.

    References
    ----------
    Welch, B. L. (1947). The generalization of Student's problem when several
    different population variances are involved. Biometrika 34, 28-35.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"human": [1, 1, 1, 0, 0, 1, 0, 0], "csat": [5, 4, 5, 2, 1, 4, 2, 3]})
    >>> out = profile(df, [0, 0, 0, 1, 1, 0, 1, 1])
    >>> out[["segment", "column", "in_segment", "in_rest"]]
       segment column  in_segment  in_rest
    0        0  human         1.0      0.0
    1        0   csat         4.5      2.0
    2        1  human         0.0      1.0
    3        1   csat         2.0      4.5
    """
    labels = np.asarray(labels)
    if len(labels) != len(df):
        raise ValueError(f"labels has {len(labels)} entries for {len(df)} respondents")
    if columns is None:
        columns = [c for c in df.columns if pd.api.types.is_numeric_dtype(df[c]) or pd.api.types.is_bool_dtype(df[c])]
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"column(s) {missing} not in the data")
    segments = np.unique(labels)
    sizes = np.array([(labels == s).sum() for s in segments])
    size_ci = proportion_ci(sizes, len(labels), conf_level=conf_level)
    rows = []
    for i, s in enumerate(segments):  # segments x answers: a small table, not respondents
        inside = labels == s
        for column in columns:
            values = df[column]
            ok = values.notna().to_numpy()
            a, b = values[inside & ok].astype(float), values[~inside & ok].astype(float)
            base = {"segment": s, "size": int(sizes[i]), "share": sizes[i] / len(labels),
                    "share_ci_low": size_ci.ci_low.iloc[i], "share_ci_high": size_ci.ci_high.iloc[i],
                    "column": column, "n_answered": int(ok.sum())}
            if len(a) == 0 or len(b) == 0:
                rows.append({**base, "kind": "share", "in_segment": np.nan, "in_rest": np.nan, "diff": np.nan,
                             "p_value": np.nan})
                continue
            if _is_binary(values):
                test = compare_proportions(a.sum(), len(a), b.sum(), len(b))
                rows.append({**base, "kind": "share", "in_segment": a.mean(), "in_rest": b.mean(),
                             "diff": a.mean() - b.mean(), "p_value": test.p_value.iloc[0]})
            else:
                p = stats.ttest_ind(a, b, equal_var=False).pvalue if len(a) > 1 and len(b) > 1 else np.nan
                rows.append({**base, "kind": "mean", "in_segment": a.mean(), "in_rest": b.mean(),
                             "diff": a.mean() - b.mean(), "p_value": p})
    out = pd.DataFrame(rows)
    tested = out["p_value"].notna()
    out["p_adjusted"] = np.nan
    if tested.any():
        out.loc[tested, "p_adjusted"] = adjust_pvalues(out.loc[tested, "p_value"], method=adjust)["p_adjusted"]
    return out


def describe_segments(table, labels=None, top=3, alpha=0.05):
    """Plain-words description of each segment's most distinctive answers, from :func:`profile`.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`profile`.
    labels : dict, optional
        Plain-words names of the columns (default: the column names).
    top : int, default 3
        Answers to name per segment, largest significant differences first.
    alpha : float, default 0.05
        Only differences with ``p_adjusted < alpha`` are named.

    Returns
    -------
    pandas.DataFrame
        ``segment``, ``size``, ``share``, ``description``.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"segment": [0], "size": [60], "share": [0.6], "column": ["human"], "kind": ["share"],
    ...                   "in_segment": [0.91], "in_rest": [0.54], "diff": [0.37], "p_adjusted": [0.001]})
    >>> describe_segments(t, labels={"human": "prefers a human for service"}).description[0]
    '60% of respondents. prefers a human for service: 91% vs 54% in the rest'
    """
    labels = labels or {}
    rows = []
    for segment, part in table.groupby("segment", sort=True):
        size, share = int(part["size"].iloc[0]), float(part["share"].iloc[0])
        distinct = part[part["p_adjusted"] < alpha]
        scale = np.where(distinct["kind"] == "share", 1.0, distinct["in_rest"].abs().clip(lower=1e-9))
        ranked = distinct.assign(weight=distinct["diff"].abs() / scale).sort_values("weight", ascending=False)
        phrases = []
        for _, r in ranked.head(top).iterrows():
            name = labels.get(r["column"], r["column"])
            if r["kind"] == "share":
                phrases.append(f"{name}: {r['in_segment']:.0%} vs {r['in_rest']:.0%} in the rest")
            else:
                phrases.append(f"{name}: mean {r['in_segment']:.2g} vs {r['in_rest']:.2g} in the rest")
        text = f"{share:.0%} of respondents. " + ("; ".join(phrases) if phrases else "no answer differs significantly")
        rows.append({"segment": segment, "size": size, "share": share, "description": text})
    return pd.DataFrame(rows)
