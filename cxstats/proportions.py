"""Confidence intervals and tests for proportions: one group, two independent groups.

Everything here works on arrays of counts (successes out of a base): a scalar
gives a one-row DataFrame, arrays give one row per element, and no Python
loop runs per row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._exact import fisher_rows
from ._inference import bisect, cohen_h, critical_value, p_value, pooled_z, wald_interval
from ._validate import (
    ALTERNATIVES,
    as_float_array,
    broadcast,
    check_choice,
    check_counts,
    check_open_unit,
    first_bad,
    index_of,
)

CI_METHODS = ("wilson", "wilson_cc", "clopper_pearson", "jeffreys", "agresti_coull", "wald")
TEST_METHODS = ("exact", "score")
COMPARE_METHODS = ("z", "chi2_cc", "fisher")
DIFF_CI_METHODS = ("newcombe", "newcombe_cc", "wald")
_REL_ERR = 1 + 1e-7  # R's tolerance for "as or less likely" in binom.test and fisher.test


def _interval(x, n, z_low, z_high, method):
    """Bounds of a one-sample interval; ``z_low``/``z_high`` are the normal quantiles for each side.

    A one-sided interval passes ``np.inf`` for the side that stays open.
    """
    from scipy import special

    if method == "wilson" and z_low == z_high:
        low, high = _wilson_two_sided(x, n, z_low)
    elif method in ("wilson", "wilson_cc"):
        cc = 0.5 if method == "wilson_cc" else 0.0
        low = _wilson_bound(x - cc, n, -z_low, at_edge=x <= 0)
        high = _wilson_bound(x + cc, n, z_high, at_edge=x >= n)
    elif method in ("clopper_pearson", "jeffreys"):
        # the tail probability beyond each side's quantile (0 for an open side)
        alpha_low, alpha_high = p_value(z_low, "greater"), p_value(z_high, "greater")
        shift = 0.5 if method == "jeffreys" else 0.0
        with np.errstate(invalid="ignore", divide="ignore"):
            low = np.where(x > 0, special.betaincinv(x + shift, n - x + 1 - shift, alpha_low), 0.0)
            high = np.where(x < n, special.betaincinv(x + 1 - shift, n - x + shift, 1 - alpha_high), 1.0)
    elif method == "agresti_coull":
        z = z_low if np.isfinite(z_low) else z_high
        n_tilde = n + z**2
        p_tilde = (x + z**2 / 2) / n_tilde
        half = z * np.sqrt(p_tilde * (1 - p_tilde) / n_tilde)
        low, high = p_tilde - half, p_tilde + half
    else:  # wald
        p = x / n
        se = np.sqrt(p * (1 - p) / n)
        low, high = p - z_low * se, p + z_high * se
    if np.isinf(z_low):
        low = np.zeros_like(high)
    if np.isinf(z_high):
        high = np.ones_like(low)
    # at the edges the bound is exactly the edge (rounding in a formula must not put the estimate outside)
    low = np.where(x <= 0, 0.0, low)
    high = np.where(x >= n, 1.0, high)
    return np.clip(low, 0, 1, out=low), np.clip(high, 0, 1, out=high)


def _wilson_two_sided(x, n, z):
    """Wilson score interval: (x + z^2/2) / (n + z^2) -/+ z sqrt(x (n - x) / n + z^2/4) / (n + z^2).

    Written with in-place operations: on a million figures the temporaries
    cost more than the arithmetic.
    """
    z2 = z * z
    inv_d = n + z2
    np.reciprocal(inv_d, out=inv_d)
    centre = x + z2 / 2
    centre *= inv_d
    half = n - x
    half *= x
    half /= n
    half += z2 / 4
    np.sqrt(half, out=half)
    half *= inv_d
    half *= z
    low = centre - half
    centre += half
    return low, centre


def _wilson_bound(x, n, z, at_edge):
    """One Wilson score bound for (possibly continuity-shifted) successes ``x``; the sign of ``z`` picks the side.

    With ``x`` shifted by +/- 0.5 this is Newcombe's (1998) method 4, the
    interval of R's ``prop.test(correct = TRUE)``; ``at_edge`` marks rows whose
    bound is 0 (lower) or 1 (upper) exactly.
    """
    p = np.clip(x / n, 0, 1)
    z2n = z**2 / (2 * n)
    with np.errstate(invalid="ignore"):
        bound = (p + z2n + z * np.sqrt(p * (1 - p) / n + z2n / (2 * n))) / (1 + 2 * z2n)
    return np.where(at_edge, 0.0 if z <= 0 else 1.0, bound)




def _frame(columns: dict, index) -> pd.DataFrame:
    """Assemble a result table without copying: constant labels become one-category categoricals."""
    size = max(np.size(v) for v in columns.values())
    data = {}
    for name, value in columns.items():
        if isinstance(value, str):
            value = pd.Categorical.from_codes(np.zeros(size, dtype=np.int8), [value])
        elif np.ndim(value) == 0:
            value = np.full(size, value)
        elif isinstance(value, np.ndarray) and not value.flags.writeable:
            value = value.copy()  # broadcast views are read-only
        data[name] = value
    out = pd.DataFrame(data, copy=False)
    if index is not None and len(index) == len(out):
        out.index = index
    return out


def proportion_ci(count, nobs, *, conf_level=0.95, method="wilson", deff=1.0):
    """Confidence interval for a proportion: successes ``count`` out of ``nobs``.

    Parameters
    ----------
    count, nobs : array-like
        Successes and base. Non-integer counts are allowed (weighted data).
    conf_level : float, default 0.95
        Two-sided confidence level.
    method : {"wilson", "wilson_cc", "clopper_pearson", "jeffreys", "agresti_coull", "wald"}
        ``wilson`` is the score interval (the default: good coverage at any n,
        never outside [0, 1]); ``wilson_cc`` adds a continuity correction;
        ``clopper_pearson`` is the exact (conservative) interval; ``jeffreys``
        the equal-tailed Bayesian interval with a Beta(1/2, 1/2) prior (lower
        bound 0 at count 0 and upper bound 1 at count n); ``agresti_coull``
        adds z^2/2 successes and failures; ``wald`` is the textbook
        p +/- z * se, shown for teaching: it fails near 0 and 1. Bounds are
        clipped to [0, 1].
    deff : float, default 1.0
        Design effect. The interval is computed on the effective base
        ``nobs / deff`` (and ``count / deff`` successes), as for a weighted or
        clustered sample.

    Returns
    -------
    pandas.DataFrame
        One row per element: ``count``, ``nobs``, ``proportion``, ``ci_low``,
        ``ci_high``, ``conf_level``, ``method``, ``deff``, ``n_effective``
        (the effective base ``nobs / deff``).

    Notes
    -----
    Validated against R 4.2: ``prop.test(x, n, correct=FALSE)$conf.int``
    (wilson), ``prop.test(x, n, correct=TRUE)$conf.int`` (wilson_cc, away from
    x = n/2 where R drops its correction), ``binom.test(x, n)$conf.int``
    (clopper_pearson), ``qbeta`` (jeffreys), and the closed forms
    (agresti_coull, wald).

    References
    ----------
    Newcombe, R. G. (1998). Two-sided confidence intervals for the single
    proportion: comparison of seven methods. Statistics in Medicine 17, 857-872.
    Brown, L. D., Cai, T. T. and DasGupta, A. (2001). Interval estimation for a
    binomial proportion. Statistical Science 16(2), 101-133.

    Examples
    --------
    83% of Accenture's 2,003 US consumers (1,662 people):

    >>> ci = proportion_ci(1662, 2003)
    >>> ci[["proportion", "ci_low", "ci_high"]].round(4)
       proportion  ci_low  ci_high
    0      0.8298  0.8127   0.8455
    """
    index = index_of(count, nobs)
    check_choice("method", method, CI_METHODS)
    conf_level = check_open_unit("conf_level", conf_level)
    count, nobs = check_counts(count, nobs)
    deff = as_float_array("deff", deff)
    if (i := first_bad(deff <= 0)) is not None:
        raise ValueError(f"deff must be positive; element {i} is {deff[i]:g}")
    if deff.size == 1:  # the common case: one design effect for every figure
        deff = float(deff[0])
        x, n = (count, nobs) if deff == 1 else (count / deff, nobs / deff)
    else:
        count, nobs, deff = broadcast(count=count, nobs=nobs, deff=deff)
        x, n = count / deff, nobs / deff
    z = critical_value(conf_level)
    low, high = _interval(x, n, z, z, method)
    return _frame({
        "count": count, "nobs": nobs, "proportion": count / nobs, "ci_low": low, "ci_high": high,
        "conf_level": conf_level, "method": method, "deff": deff, "n_effective": n,
    }, index)


def _binom_two_sided(x, n, p0):
    """R's binom.test two-sided p-value: total probability of outcomes no more likely than x."""
    from scipy import stats

    d = stats.binom.pmf(x, n, p0) * _REL_ERR
    m = n * p0
    below = x < m
    # Outcomes on the far side of the mean form a tail whose pmf is monotone;
    # find by bisection where the pmf drops to d or below (all rows at once).
    # below: the first i in [ceil(m), n] with pmf(i) <= d (n + 1 if none);
    # above: the last i in [0, floor(m)] with pmf(i) <= d (-1 if none), one
    # before the first i where the (rising) pmf exceeds d.
    # The brackets are sentinels just outside each range.
    def past_edge(i):
        small = stats.binom.pmf(i, n, p0) <= d
        return np.where(below, small, ~small)

    first = bisect(past_edge, np.where(below, np.ceil(m) - 1, -1.0), np.where(below, n + 1, np.floor(m) + 1),
                   integer=True)
    edge = np.where(below, first, first - 1)
    p_below = stats.binom.cdf(x, n, p0) + stats.binom.sf(edge - 1, n, p0)
    p_above = stats.binom.cdf(edge, n, p0) + stats.binom.sf(x - 1, n, p0)
    p = np.where(below, p_below, p_above)
    return np.where(x == m, 1.0, np.minimum(p, 1.0))


def test_proportion(count, nobs, *, value=0.5, alternative="two-sided", method="exact", conf_level=0.95):
    """Test whether a proportion differs from ``value`` (e.g. "is 52% really a majority?").

    Parameters
    ----------
    count, nobs : array-like
        Successes and base (whole numbers for ``method="exact"``).
    value : float or array-like, default 0.5
        Proportion under the null hypothesis, strictly between 0 and 1.
    alternative : {"two-sided", "less", "greater"}
    method : {"exact", "score"}
        ``exact`` is the binomial test (two-sided p-value as R's
        ``binom.test``: outcomes no more likely than the one observed);
        ``score`` is the z test with the null variance, equal to R's
        ``prop.test(correct=FALSE)`` (its chi-square is z squared).
    conf_level : float, default 0.95
        Level of the interval reported with the test (Clopper-Pearson for
        ``exact``, Wilson for ``score``; one-sided when ``alternative`` is).

    Returns
    -------
    pandas.DataFrame
        ``count``, ``nobs``, ``proportion``, ``null_value`` (``value``), ``statistic`` (the
        count for ``exact``, z for ``score``), ``p_value``, ``ci_low``,
        ``ci_high``, ``alternative``, ``method``.

    References
    ----------
    Clopper, C. J. and Pearson, E. S. (1934). Biometrika 26, 404-413.
    Agresti, A. (2013). Categorical Data Analysis, 3rd ed., section 1.4.

    Examples
    --------
    Is Accenture's 52% (1,042 of 2,003) who switched provider a majority?

    >>> test_proportion(1042, 2003, value=0.5, alternative="greater")[["proportion", "p_value"]].round(4)
       proportion  p_value
    0      0.5202   0.0369
    """
    from scipy import stats

    index = index_of(count, nobs)
    check_choice("alternative", alternative, ALTERNATIVES)
    check_choice("method", method, TEST_METHODS)
    conf_level = check_open_unit("conf_level", conf_level)
    count, nobs = check_counts(count, nobs, integer=(method == "exact"))
    value = as_float_array("value", value)
    if (i := first_bad((value <= 0) | (value >= 1))) is not None:
        raise ValueError(f"value must be strictly between 0 and 1; element {i} is {value[i]:g}")
    count, nobs, value = broadcast(count=count, nobs=nobs, value=value)
    z_two = critical_value(conf_level)
    z_one = critical_value(conf_level, alternative="greater")
    z_low = {"two-sided": z_two, "less": np.inf, "greater": z_one}[alternative]
    z_high = {"two-sided": z_two, "less": z_one, "greater": np.inf}[alternative]
    if method == "exact":
        statistic = count
        if alternative == "less":
            p = stats.binom.cdf(count, nobs, value)
        elif alternative == "greater":
            p = stats.binom.sf(count - 1, nobs, value)
        else:
            p = _binom_two_sided(count, nobs, value)
        low, high = _interval(count, nobs, z_low, z_high, "clopper_pearson")
    else:
        statistic = (count / nobs - value) / np.sqrt(value * (1 - value) / nobs)
        p = p_value(statistic, alternative)
        low, high = _interval(count, nobs, z_low, z_high, "wilson")
    return _frame({
        "count": count, "nobs": nobs, "proportion": count / nobs, "null_value": value,
        "statistic": statistic, "p_value": np.minimum(p, 1.0), "ci_low": low, "ci_high": high,
        "alternative": alternative, "method": method,
    }, index)


test_proportion.__test__ = False  # a statistics function, not a pytest test


def _diff_ci(x1, n1, x2, n2, conf_level, method):
    """Interval for p1 - p2: Newcombe's hybrid score (methods 10 and 11) or Wald."""
    p1, p2 = x1 / n1, x2 / n2
    if method == "wald":
        low, high = wald_interval(p1 - p2, np.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2), conf_level)
        return np.maximum(low, -1), np.minimum(high, 1)
    z = critical_value(conf_level)
    single = "wilson_cc" if method == "newcombe_cc" else "wilson"
    l1, u1 = _interval(x1, n1, z, z, single)
    l2, u2 = _interval(x2, n2, z, z, single)
    d = p1 - p2
    low = d - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = d + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return np.maximum(low, -1), np.minimum(high, 1)


FISHER_MAX_BASE = 10_000_000


def _check_fisher_bases(x1, n1, x2, n2) -> None:
    """Refuse Fisher's exact test where its support (up to a base's size per table) would take minutes.

    Each table's bases are limited to ``FISHER_MAX_BASE``, and so is the sum of the support sizes of all the
    tables of one call (the work is proportional to it) when there are several: a single table's support (at most
    its smaller base + 1) is bounded by its base limit already.
    """
    for name, n in (("nobs1", n1), ("nobs2", n2)):
        if (i := first_bad(n > FISHER_MAX_BASE)) is not None:
            raise ValueError(f"{name} element {i} is {n[i]:,.0f}: Fisher's exact test is limited to bases of "
                             f"{FISHER_MAX_BASE:,} (it sums a hypergeometric over up to that many tables); at such "
                             f"bases use method='z' or method='chi2_cc', which agree with it closely")
    if x1.size <= 1:
        return
    total = x1 + x2
    support = float(np.sum(np.minimum(total, n1) - np.maximum(0, total - n2) + 1))
    if support > FISHER_MAX_BASE:
        raise ValueError(f"the {x1.size:,} tables have {support:,.0f} possible tables in all to sum over, above "
                         f"Fisher's limit of {FISHER_MAX_BASE:,} per call; pass fewer or smaller tables per call, or "
                         f"use method='z' or method='chi2_cc' at these bases")


def compare_proportions(
    count1, nobs1, count2, nobs2, *, conf_level=0.95, method="z", alternative="two-sided", ci_method="newcombe"
):
    """Compare two independent proportions (e.g. managers vs consumers).

    Parameters
    ----------
    count1, nobs1, count2, nobs2 : array-like
        Successes and bases of the two groups.
    conf_level : float, default 0.95
        Level of the two-sided interval for the difference (and, for
        ``fisher``, of the odds ratio's interval, on the side of ``alternative``).
    method : {"z", "chi2_cc", "fisher"}
        ``z``: pooled two-proportion z test, equal to R's
        ``prop.test(correct=FALSE)`` (z squared is its X-squared).
        ``chi2_cc``: Yates-corrected chi-square, equal to
        ``prop.test(correct=TRUE)`` (the statistic is the chi-square).
        ``fisher``: Fisher's exact conditional test, p-value and conditional
        maximum-likelihood odds ratio and its interval as R's ``fisher.test``
        (no statistic).
    alternative : {"two-sided", "less", "greater"}
        ``greater`` tests p1 > p2.
    ci_method : {"newcombe", "newcombe_cc", "wald"}
        Interval for ``p1 - p2``: Newcombe's hybrid score interval (method 10
        of Newcombe 1998; ``newcombe_cc`` is its continuity-corrected method
        11), or Wald (as ``prop.test(correct=FALSE)$conf.int``).

    Returns
    -------
    pandas.DataFrame
        ``count1``, ``nobs1``, ``count2``, ``nobs2``, ``p1``, ``p2``, ``diff``
        (p1 - p2), ``ci_low``, ``ci_high``, ``statistic``, ``statistic_type``
        ("z", "chi2" or "none"), ``p_value``, ``cohen_h``
        (2 asin sqrt p1 - 2 asin sqrt p2), ``odds_ratio`` (sample odds ratio;
        the conditional MLE for ``fisher``), ``odds_ratio_ci_low`` and
        ``odds_ratio_ci_high`` (for ``fisher``, the conditional interval of
        R's ``fisher.test(...)$conf.int`` at ``conf_level``, one-sided as
        ``alternative``: ``[0, high]`` for ``less``, ``[low, inf]`` for
        ``greater``; 0 or inf where the first count is at an end of its
        possible values; NaN for the other methods), ``risk_ratio`` (p1 / p2),
        ``alternative``, ``method``. When both groups are all successes or all
        failures there is no evidence of a difference: statistic 0, p-value 1.

    References
    ----------
    Newcombe, R. G. (1998). Interval estimation for the difference between
    independent proportions: comparison of eleven methods. Statistics in
    Medicine 17, 873-890.
    Agresti, A. (2013). Categorical Data Analysis, 3rd ed., sections 3.1, 3.5.
    Cohen, J. (1988). Statistical Power Analysis for the Behavioral Sciences, ch. 6.

    Examples
    --------
    Calabrio: 80% of 250 managers (200) vs 45% of 250 consumers (112) say
    expectations are met.

    >>> res = compare_proportions(200, 250, 112, 250)
    >>> res[["diff", "ci_low", "ci_high", "p_value", "cohen_h"]].round(4)
        diff  ci_low  ci_high  p_value  cohen_h
    0  0.352  0.2698   0.4272      0.0   0.7477
    """
    index = index_of(count1, nobs1, count2, nobs2)
    check_choice("method", method, COMPARE_METHODS)
    check_choice("alternative", alternative, ALTERNATIVES)
    check_choice("ci_method", ci_method, DIFF_CI_METHODS)
    conf_level = check_open_unit("conf_level", conf_level)
    exact = method == "fisher"
    x1, n1 = check_counts(count1, nobs1, suffix="1", integer=exact)
    x2, n2 = check_counts(count2, nobs2, suffix="2", integer=exact)
    x1, n1, x2, n2 = broadcast(count1=x1, nobs1=n1, count2=x2, nobs2=n2)
    if exact:
        _check_fisher_bases(x1, n1, x2, n2)
    p1, p2 = x1 / n1, x2 / n2
    diff = p1 - p2
    pooled = (x1 + x2) / (n1 + n2)
    degenerate = (pooled == 0) | (pooled == 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "z":
            statistic = z = pooled_z(x1, n1, x2, n2)
            statistic_type = "z"
        elif method == "chi2_cc":
            yates = np.minimum(0.5, np.abs(diff) / (1 / n1 + 1 / n2))
            gap = np.abs(x1 - n1 * pooled)  # the same |observed - expected| in all four cells
            inv_expected = (1 / n1 + 1 / n2) / (pooled * (1 - pooled))
            statistic = np.where(degenerate, 0.0, (gap - yates) ** 2 * inv_expected)
            z = np.sign(diff) * np.sqrt(statistic)
            statistic_type = "chi2"
        if method in ("z", "chi2_cc"):
            p = np.where(degenerate, 1.0, p_value(z, alternative))
            odds = (x1 * (n2 - x2)) / (x2 * (n1 - x1))
            or_low = or_high = np.full(x1.shape, np.nan)
        else:
            statistic = np.full(x1.shape, np.nan)
            statistic_type = "none"
            p, odds, or_low, or_high = fisher_rows(x1, n1, x2, n2, alternative, conf_level)
        risk = p1 / p2
    low, high = _diff_ci(x1, n1, x2, n2, conf_level, ci_method)
    return _frame({
        "count1": x1, "nobs1": n1, "count2": x2, "nobs2": n2, "p1": p1, "p2": p2, "diff": diff,
        "ci_low": low, "ci_high": high, "statistic": statistic, "statistic_type": statistic_type,
        "p_value": np.minimum(p, 1.0), "cohen_h": cohen_h(p1, p2), "odds_ratio": odds,
        "odds_ratio_ci_low": or_low, "odds_ratio_ci_high": or_high, "risk_ratio": risk,
        "alternative": alternative, "method": method,
    }, index)
