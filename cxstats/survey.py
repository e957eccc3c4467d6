"""Respondent-level estimates with survey weights: shares, means, NPS, top-box, raking.

``weight=`` always means a **survey (sampling) weight**: how many people in the
population a respondent stands for. Standard errors are design-based
(Taylor linearization for a one-stage design with replacement), as R's
``survey`` package computes them for ``svydesign(ids = ~1, weights = ~w)``;
they are not frequency-weight formulas. Without weights every respondent has
weight 1 and the results are the usual ones.

Groups (``by=``) are estimated as domains of the whole sample, so their
standard errors use the full sample, as R's ``svyby`` does. Rows with a
missing answer are left out of the estimate and counted in ``n_missing``;
they are never treated as zero.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special, stats

from ._validate import check_choice, check_open_unit

PROPORTION_METHODS = ("logit", "beta", "mean")


def check_columns(df: pd.DataFrame, *columns) -> None:
    """Raise a ValueError naming every requested column the frame lacks."""
    if not isinstance(df, pd.DataFrame):
        raise ValueError(f"expected a pandas DataFrame of respondents, got {type(df).__name__}")
    missing = [c for c in columns if c is not None and c not in df.columns]
    if missing:
        raise ValueError(f"column(s) {missing} not in the data; available: {list(df.columns)}")


def survey_weights(df: pd.DataFrame, weight) -> np.ndarray:
    """The weight column as floats, or ones; negative, non-finite or all-zero weights are named errors."""
    if weight is None:
        return np.ones(len(df))
    check_columns(df, weight)
    try:
        w = np.array(pd.to_numeric(df[weight]), dtype=float)
    except (TypeError, ValueError) as err:
        raise ValueError(f"weight column {weight!r} must be numeric: {err}") from err
    total = w.sum()
    bad = ~np.isfinite(w) if not np.isfinite(total) else np.zeros(0, dtype=bool)  # one pass in the usual case
    if bad.any():
        rows = df.index[bad][:5].tolist()
        raise ValueError(f"weight column {weight!r} has {bad.sum()} missing or non-finite value(s), e.g. rows {rows}")
    if not np.isfinite(total):
        raise ValueError(f"weight column {weight!r} is too large to sum; rescale it")
    if w.min() < 0:
        rows = df.index[w < 0][:5].tolist()
        raise ValueError(f"weight column {weight!r} has {(w < 0).sum()} negative value(s), e.g. rows {rows}")
    if total <= 0:
        raise ValueError(f"weight column {weight!r} sums to zero")
    return w


def group_codes(df: pd.DataFrame, by) -> tuple[np.ndarray, list]:
    """Integer group codes (−1 for a missing group) and the group labels; one group "all" without ``by``."""
    if by is None:
        return np.zeros(len(df), dtype=np.int64), ["all"]
    check_columns(df, by)
    codes, labels = pd.factorize(df[by], sort=True)
    if len(labels) == 0:
        raise ValueError(f"group column {by!r} has no non-missing values")
    return codes.astype(np.int64), list(labels)


def domain_estimates(y, w, codes, n_groups, conf_level=0.95, labels=None):
    """Weighted mean of ``y`` per group with its linearization standard error (NaN in ``y`` = missing).

    Returns a DataFrame with ``n`` (answers), ``n_missing``, ``weighted_n``,
    ``estimate``, ``se``, ``df`` (rows in the group − 1, as ``svyby``),
    ``deff`` (against simple random sampling with replacement, R's
    ``deff = "replace"``), ``n_effective`` (Kish) and the t-based ``ci_low``,
    ``ci_high`` of a mean.
    """
    n_total = len(y)
    answered = ~np.isnan(y) & (codes >= 0)
    g = codes[answered]
    wy, ya = w[answered], y[answered]
    size = np.bincount(codes[codes >= 0], minlength=n_groups).astype(float)
    n = np.bincount(g, minlength=n_groups).astype(float)
    weighted_n = np.bincount(g, weights=wy, minlength=n_groups)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.bincount(g, weights=wy * ya, minlength=n_groups) / weighted_n
        resid = ya - mean[g]
        z2 = np.bincount(g, weights=(wy * resid) ** 2, minlength=n_groups) / weighted_n**2
        var = n_total / (n_total - 1) * z2
        unit_var = np.bincount(g, weights=wy * resid**2, minlength=n_groups) / weighted_n * n / (n - 1)
        deff = var / (unit_var / n)
        n_eff = weighted_n**2 / np.bincount(g, weights=wy**2, minlength=n_groups)
        se = np.sqrt(var)
        t = stats.t.ppf(1 - (1 - conf_level) / 2, size - 1)
    empty = n == 0
    if empty.any():
        names = [labels[i] if labels is not None else i for i in np.flatnonzero(empty)]
        raise ValueError(f"group(s) {names} have no answers to estimate from (all missing); drop them or merge them")
    return pd.DataFrame({
        "n": n.astype(int), "n_missing": (size - n).astype(int), "weighted_n": weighted_n, "estimate": mean,
        "se": se, "df": size - 1, "deff": deff, "n_effective": n_eff, "ci_low": mean - t * se, "ci_high": mean + t * se,
    })


def _label(out: pd.DataFrame, by, labels) -> pd.DataFrame:
    out.insert(0, by if by is not None else "group", labels)
    return out


def weighted_proportion(df, column, level=None, weight=None, by=None, conf_level=0.95, method="logit"):
    """Weighted share of respondents giving an answer, with a design-based interval.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per respondent.
    column : str
        The answer column. Without ``level`` it must be 0/1 or boolean.
    level : optional
        The answer to count (e.g. ``"Yes"`` or ``5``); the share is of rows equal to it.
    weight : str, optional
        Column of survey weights.
    by : str, optional
        Column of groups; one row per group.
    conf_level : float, default 0.95
    method : {"logit", "beta", "mean"}
        As R's ``svyciprop``: ``logit`` (interval on the log-odds scale, the
        default; never outside [0, 1]), ``beta`` (Korn-Graubard, a
        Clopper-Pearson interval on the effective base) or ``mean`` (Wald with
        a t quantile). A share of exactly 0 or 1 gets the Clopper-Pearson
        interval on Kish's effective base.

    Returns
    -------
    pandas.DataFrame
        One row per group: the group, ``n`` (answers), ``n_missing``,
        ``weighted_n``, ``proportion``, ``se``, ``ci_low``, ``ci_high``,
        ``deff``, ``n_effective`` (Kish), ``method``.

    Notes
    -----
    Equal to R's ``svymean``, ``svyciprop`` and ``svyby`` for
    ``svydesign(ids = ~1, weights = ~w)`` (t quantiles with the group's rows
    minus one degrees of freedom, as ``svyby``).

    References
    ----------
    Lumley, T. (2010). Complex Surveys: A Guide to Analysis Using R. Wiley, ch. 2.
    Korn, E. L. and Graubard, B. I. (1998). Confidence intervals for proportions
    with small expected number of positive counts. Survey Methodology 24, 193-201.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"rec": [1, 0, 1, 1, None], "w": [1.0, 2.0, 1.0, 0.5, 1.0]})
    >>> weighted_proportion(df, "rec", weight="w")[["n", "n_missing", "proportion"]].round(3)
       n  n_missing  proportion
    0  4          1       0.556
    """
    check_choice("method", method, PROPORTION_METHODS)
    conf_level = check_open_unit("conf_level", conf_level)
    check_columns(df, column, by)
    w = survey_weights(df, weight)
    answers = df[column]
    if level is not None:
        y = np.where(answers.isna(), np.nan, (answers == level).astype(float))
    else:
        y = pd.to_numeric(answers.astype("object").where(answers.notna()), errors="coerce").to_numpy(dtype=float)
        bad = ~np.isnan(y) & ~np.isin(y, (0.0, 1.0))
        if bad.any() or (answers.notna() & np.isnan(y)).any():
            shown = answers[bad | (answers.notna().to_numpy() & np.isnan(y))].unique()[:5].tolist()
            raise ValueError(f"column {column!r} must be 0/1 or boolean without level=; it has values {shown}")
    codes, labels = group_codes(df, by)
    est = domain_estimates(y, w, codes, len(labels), conf_level, labels)
    p, se, dof = est["estimate"].to_numpy(), est["se"].to_numpy(), est["df"].to_numpy()
    alpha = 1 - conf_level
    t = stats.t.ppf(1 - alpha / 2, dof)
    edge = (p <= 0) | (p >= 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "logit":
            half = t * se / (p * (1 - p))
            low, high = special.expit(special.logit(p) - half), special.expit(special.logit(p) + half)
        elif method == "beta":
            n_eff = p * (1 - p) / se**2
            low = np.where(p > 0, special.betaincinv(n_eff * p, n_eff * (1 - p) + 1, alpha / 2), 0.0)
            high = np.where(p < 1, special.betaincinv(n_eff * p + 1, n_eff * (1 - p), 1 - alpha / 2), 1.0)
        else:
            low, high = p - t * se, p + t * se
    if edge.any():  # no variance to linearize: exact interval on Kish's effective base
        ne = est["n_effective"].to_numpy()[edge]
        x = p[edge] * ne
        low[edge] = np.where(x > 0, special.betaincinv(x, ne - x + 1, alpha / 2), 0.0)
        high[edge] = np.where(x < ne, special.betaincinv(x + 1, ne - x, 1 - alpha / 2), 1.0)
    out = pd.DataFrame({
        "n": est["n"], "n_missing": est["n_missing"], "weighted_n": est["weighted_n"], "proportion": p, "se": se,
        "ci_low": low, "ci_high": high, "deff": est["deff"], "n_effective": est["n_effective"], "method": method,
    })
    return _label(out, by, labels)


def weighted_mean(df, column, weight=None, by=None, conf_level=0.95):
    """Weighted mean of a score (CSAT, CES, a rating) with its design-based standard error.

    Returns
    -------
    pandas.DataFrame
        One row per group: the group, ``n``, ``n_missing``, ``weighted_n``,
        ``mean``, ``se``, ``ci_low``, ``ci_high`` (t with the group's rows
        minus one degrees of freedom), ``deff``, ``n_effective``.

    Notes
    -----
    Equal to R's ``svymean(~x, design, na.rm = TRUE)`` and ``svyby``, with
    ``confint(..., df = degf(design))``.

    References
    ----------
    Lumley, T. (2010). Complex Surveys: A Guide to Analysis Using R. Wiley, ch. 2.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"csat": [5, 4, 2, None], "w": [1.0, 1.0, 2.0, 1.0]})
    >>> weighted_mean(df, "csat", weight="w")[["n", "mean"]]
       n  mean
    0  3  3.25
    """
    conf_level = check_open_unit("conf_level", conf_level)
    check_columns(df, column, by)
    values = df[column]
    if not (pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values)):
        raise ValueError(f"column {column!r} must be numeric for a mean; it has values {values.dropna().unique()[:5]}")
    w = survey_weights(df, weight)
    codes, labels = group_codes(df, by)
    est = domain_estimates(values.to_numpy(dtype=float), w, codes, len(labels), conf_level, labels)
    est = est.rename(columns={"estimate": "mean"}).drop(columns="df")
    return _label(est[["n", "n_missing", "weighted_n", "mean", "se", "ci_low", "ci_high", "deff", "n_effective"]],
                  by, labels)


def score_values(scores, low, high, name="scores") -> np.ndarray:
    """Scores as floats (NaN for missing); ordered categoricals become 1..k; out-of-scale values are named."""
    series = pd.Series(scores)
    if isinstance(series.dtype, pd.CategoricalDtype):
        values = series.cat.codes.to_numpy(dtype=float) + 1
        values[series.isna().to_numpy()] = np.nan
    else:
        try:
            values = pd.to_numeric(series).to_numpy(dtype=float)
        except (TypeError, ValueError) as err:
            raise ValueError(f"{name} must be numeric scores from {low} to {high}: {err}") from err
    ok = ~np.isnan(values)
    bad = ok & ((values < low) | (values > high) | (values != np.round(values)))
    if bad.any():
        shown = sorted(set(series[bad].tolist()))[:5]
        raise ValueError(f"{name} must be whole numbers from {low} to {high}; found {shown} in {bad.sum()} row(s)")
    return values


def _frame_of(scores, weight, by):
    """Scores, weights and groups given as arrays or Series, as one DataFrame."""
    n = len(scores)
    frame = pd.DataFrame({"_score": pd.Series(scores).reset_index(drop=True)})  # keeps ordered categoricals
    for name, value in (("_weight", weight), ("_by", by)):
        if value is not None:
            if len(value) != n:
                raise ValueError(f"{name[1:]} has {len(value)} values for {n} scores")
            frame[name] = np.asarray(value)
    return frame


def nps(scores, weight=None, by=None, conf_level=0.95):
    """Net Promoter Score: promoters (9-10) minus detractors (0-6), on the -100..100 scale.

    Parameters
    ----------
    scores : array-like
        Likelihood-to-recommend answers from 0 to 10 (missing allowed).
    weight, by : array-like, optional
        Survey weights and groups, one per score.
    conf_level : float, default 0.95

    Returns
    -------
    pandas.DataFrame
        One row per group: the group, ``n``, ``n_missing``, ``promoters``,
        ``passives``, ``detractors`` (weighted shares), ``nps``, ``se``,
        ``ci_low``, ``ci_high``, ``deff``, ``n_effective``.

    Notes
    -----
    NPS is the mean of +100 (promoter), 0 (passive) and -100 (detractor), so
    its standard error is that of a (weighted) mean: the variance of the
    promoter-minus-detractor difference, 100^2 (P + D - (P - D)^2) / n without
    weights, times n / (n - 1) as in R's ``svymean``.

    References
    ----------
    Reichheld, F. F. (2003). The one number you need to grow. Harvard Business Review 81(12).
    Rocks, B. (2016). Margin of error and confidence levels for NPS. (variance of the difference of shares)

    Examples
    --------
    >>> nps([10, 9, 8, 7, 3, 10])[["promoters", "detractors", "nps"]].round(2)
       promoters  detractors    nps
    0        0.5        0.17  33.33
    """
    conf_level = check_open_unit("conf_level", conf_level)
    frame = _frame_of(scores, weight, by)
    values = score_values(frame["_score"], 0, 10)
    y = np.where(np.isnan(values), np.nan, np.where(values >= 9, 100.0, np.where(values <= 6, -100.0, 0.0)))
    w = survey_weights(frame, "_weight" if weight is not None else None)
    codes, labels = group_codes(frame, "_by" if by is not None else None)
    est = domain_estimates(y, w, codes, len(labels), conf_level, labels)
    shares = {}
    for name, mask in (("promoters", y == 100), ("passives", y == 0), ("detractors", y == -100)):
        part = np.where(np.isnan(y), np.nan, mask.astype(float))
        shares[name] = domain_estimates(part, w, codes, len(labels))["estimate"].to_numpy()
    out = pd.DataFrame({
        "n": est["n"], "n_missing": est["n_missing"], **shares, "nps": est["estimate"], "se": est["se"],
        "ci_low": est["ci_low"], "ci_high": est["ci_high"], "deff": est["deff"], "n_effective": est["n_effective"],
    })
    return _label(out, "by" if by is not None else None, labels)


def compare_nps(scores1, scores2, weight1=None, weight2=None, conf_level=0.95):
    """Difference between the NPS of two independent groups or waves, with a z test.

    Returns
    -------
    pandas.DataFrame
        One row: ``nps1``, ``nps2``, ``diff``, ``se``, ``ci_low``, ``ci_high``,
        ``statistic`` (z), ``p_value`` (two-sided).

    Notes
    -----
    The two samples are independent, so the variance of the difference is
    the sum of the two variances. For two answers from the same respondents
    (before/after in a panel) this test does not apply.

    Examples
    --------
    >>> compare_nps([10, 10, 9, 3] * 50, [10, 7, 3, 3] * 50)[["nps1", "nps2", "diff"]]
       nps1  nps2  diff
    0  50.0 -25.0  75.0
    """
    conf_level = check_open_unit("conf_level", conf_level)
    a, b = nps(scores1, weight1, conf_level=conf_level), nps(scores2, weight2, conf_level=conf_level)
    diff = a["nps"].iloc[0] - b["nps"].iloc[0]
    se = float(np.hypot(a["se"].iloc[0], b["se"].iloc[0]))
    z = diff / se if se > 0 else 0.0
    crit = special.ndtri(1 - (1 - conf_level) / 2)
    return pd.DataFrame([{
        "nps1": a["nps"].iloc[0], "nps2": b["nps"].iloc[0], "diff": diff, "se": se,
        "ci_low": diff - crit * se, "ci_high": diff + crit * se, "statistic": z,
        "p_value": float(2 * special.ndtr(-abs(z))),
    }])


def _box(scores, k, scale, weight, by, conf_level, method, top):
    from .proportions import proportion_ci

    if not isinstance(scale, int) or scale < 2:
        raise ValueError(f"scale must be a whole number of answer points (at least 2), got {scale!r}")
    if not isinstance(k, int) or not 1 <= k < scale:
        raise ValueError(f"k must be a whole number from 1 to {scale - 1}, got {k!r}")
    frame = _frame_of(scores, weight, by)
    values = score_values(frame["_score"], 1, scale)
    hit = values > scale - k if top else values <= k
    y = np.where(np.isnan(values), np.nan, hit.astype(float))
    w = survey_weights(frame, "_weight" if weight is not None else None)
    codes, labels = group_codes(frame, "_by" if by is not None else None)
    est = domain_estimates(y, w, codes, len(labels), labels=labels)
    p = est["estimate"].to_numpy()
    base = est["n"].to_numpy(float) if weight is None else est["n_effective"].to_numpy()
    ci = proportion_ci(p * base, base, conf_level=conf_level, method=method)
    out = pd.DataFrame({
        "n": est["n"], "n_missing": est["n_missing"], "proportion": p, "ci_low": ci["ci_low"].to_numpy(),
        "ci_high": ci["ci_high"].to_numpy(), "n_effective": base, "method": method,
    })
    return _label(out, "by" if by is not None else None, labels)


def top_box(scores, k=2, scale=5, weight=None, by=None, conf_level=0.95, method="wilson"):
    """Share of answers in the top ``k`` points of a ``scale``-point rating (e.g. 4-5 on 1-5).

    Scores are whole numbers from 1 to ``scale`` or an ordered categorical
    (its categories in order count as 1..scale). The interval comes from the
    counts layer (:func:`cxstats.proportion_ci`) on the number of answers, or
    on Kish's effective base when weighted.

    Returns
    -------
    pandas.DataFrame
        One row per group: the group, ``n``, ``n_missing``, ``proportion``,
        ``ci_low``, ``ci_high``, ``n_effective``, ``method``.

    References
    ----------
    Kish, L. (1965). Survey Sampling. Wiley, section 11.7 (effective base).

    Examples
    --------
    >>> top_box([5, 4, 3, 2, 5, None], k=2, scale=5)[["n", "n_missing", "proportion"]]
       n  n_missing  proportion
    0  5          1         0.6
    """
    return _box(scores, k, scale, weight, by, conf_level, method, top=True)


def bottom_box(scores, k=2, scale=5, weight=None, by=None, conf_level=0.95, method="wilson"):
    """Share of answers in the bottom ``k`` points of a ``scale``-point rating; as :func:`top_box`.

    Examples
    --------
    >>> bottom_box([5, 4, 3, 2, 1], k=2, scale=5)["proportion"].tolist()
    [0.4]
    """
    return _box(scores, k, scale, weight, by, conf_level, method, top=False)


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
        effective base is ``efficiency * n``.
    margins : pandas.DataFrame
        Per column and category: ``target`` and ``achieved`` weighted shares.
    """

    weights: pd.Series
    iterations: int
    efficiency: float
    margins: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """The margins table."""
        return self.margins


def rake(df, targets, weight=None, max_iter=100, tol=1e-10) -> RakeResult:
    """Calibrate weights so that weighted margins match population targets (raking, IPF).

    Parameters
    ----------
    df : pandas.DataFrame
        One row per respondent.
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
    The fixed point is the same as R's ``survey::rake``.

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
    if not isinstance(targets, dict) or not targets:
        raise ValueError("targets must be a dict {column: {category: target}}")
    check_columns(df, *targets)
    w0 = survey_weights(df, weight)
    totals, codes, goals, names = [], [], [], []
    for column, margin in targets.items():
        values = df[column]
        if values.isna().any():
            raise ValueError(f"raking column {column!r} has {values.isna().sum()} missing value(s); "
                             "impute or drop them")
        margin = pd.Series(margin, dtype=float)
        if (margin < 0).any() or not np.isfinite(margin).all():
            raise ValueError(f"targets for {column!r} must be non-negative numbers")
        present = set(values.unique())
        absent = [c for c in margin.index if c not in present]
        if absent:
            raise ValueError(f"target categories {absent} of {column!r} have no respondents; they cannot be weighted")
        untargeted = sorted(map(str, present - set(margin.index)))
        if untargeted:
            raise ValueError(f"column {column!r} has categories {untargeted} with no target")
        codes.append(pd.Categorical(values, categories=margin.index).codes)
        goals.append(margin.to_numpy())
        totals.append(margin.sum())
        names.append((column, list(margin.index)))
    shares_given = all(abs(t - 1) < 1e-9 for t in totals)
    if not shares_given and max(totals) - min(totals) > 1e-6 * max(totals):
        raise ValueError(f"target margins must all be shares (sum 1) or counts with one total; totals are {totals}")
    total = len(df) if shares_given else totals[0]
    goals = [g / g.sum() * total for g in goals]
    w = w0 * total / w0.sum()
    iterations = 0
    while iterations < max_iter:
        iterations += 1
        for code, goal in zip(codes, goals, strict=True):
            current = np.bincount(code, weights=w, minlength=goal.size)
            w = w * (goal / current)[code]
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
