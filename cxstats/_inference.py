"""The inference primitives every cxstats estimate and test shares.

One implementation of each, so that nothing else in the package re-derives
them: z and t p-values from an ``alternative``, chi-square p-values, the
quantile behind an interval, the pooled two-proportion z, Cohen's h, the
all/some/none verdict over a range of p-values, vectorized bisection,
delta-method standard errors and Krinsky-Robb simulation intervals.
Everything is vectorized over rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._validate import ALTERNATIVES, check_choice


def p_value(statistic, alternative="two-sided", df=None):
    """P-value of a z statistic (``df=None`` or infinite) or a t statistic with ``df`` degrees of freedom.

    ``alternative`` is ``"two-sided"`` (capped at 1), ``"less"`` (the
    parameter is below the null value: lower tail) or ``"greater"`` (upper
    tail). Vectorized over ``statistic`` and ``df``. ``p_value(c, "greater")``
    is also the upper-tail probability beyond a critical value ``c``.
    Casella, G. and Berger, R. L. (2002). Statistical Inference, 2nd ed., section 8.3.4.

    >>> round(float(p_value(1.959963984540054)), 6), round(float(p_value(2.0, df=10)), 6)
    (0.05, 0.073388)
    """
    check_choice("alternative", alternative, ALTERNATIVES)
    stat = np.asarray(statistic, dtype=float)
    if alternative == "two-sided":
        return np.minimum(2 * _lower_tail(-np.abs(stat), df), 1.0)
    return _lower_tail(stat if alternative == "less" else -stat, df)


def _lower_tail(x, df):
    """P(T <= x) for the standard normal (``df`` None or infinite) or Student's t."""
    from scipy import special

    if df is None:
        return special.ndtr(x)
    df = np.asarray(df, dtype=float)
    normal = np.isinf(df)
    return np.where(normal, special.ndtr(x), special.stdtr(np.where(normal, 1.0, df), x))


def chi2_p_value(statistic, df):
    """Upper-tail p-value of a chi-square statistic with ``df`` degrees of freedom (vectorized).

    Agresti, A. (2013). Categorical Data Analysis, 3rd ed., section 3.2.

    >>> round(float(chi2_p_value(3.841458820694124, 1)), 6)
    0.05
    """
    from scipy import special

    return special.chdtrc(df, statistic)


def f_p_value(statistic, dfn, dfd):
    """Upper-tail p-value of an F statistic with ``dfn`` and ``dfd`` degrees of freedom (vectorized).

    Rao, J. N. K. and Scott, A. J. (1984). Annals of Statistics 12, 46-60 (the design-based F test).

    >>> round(float(f_p_value(4.0, 2, 30)), 4)
    0.0288
    """
    from scipy import special

    return special.fdtrc(dfn, dfd, statistic)


def critical_value(conf_level, df=None, alternative="two-sided"):
    """Quantile for an interval at ``conf_level``: normal (``df=None``) or Student t with ``df`` degrees of freedom.

    Two-sided intervals use the ``1 - (1 - conf_level) / 2`` quantile, one-sided ones the ``conf_level`` quantile.
    For a test at significance level ``alpha`` pass ``conf_level = 1 - alpha``.
    Casella, G. and Berger, R. L. (2002). Statistical Inference, 2nd ed., section 9.2.

    >>> round(critical_value(0.95), 6), round(critical_value(0.95, alternative="greater"), 6)
    (1.959964, 1.644854)
    """
    from scipy import special

    check_choice("alternative", alternative, ALTERNATIVES)
    q = conf_level if alternative != "two-sided" else 1 - (1 - conf_level) / 2
    if df is None:
        return float(special.ndtri(q))
    df = np.asarray(df, dtype=float)
    with np.errstate(invalid="ignore"):
        out = np.where(np.isinf(df), special.ndtri(q), special.stdtrit(np.where(np.isinf(df), 1.0, df), q))
    return out if out.ndim else float(out)


def wald_interval(estimate, se, conf_level, df=None):
    """Symmetric interval ``estimate -/+ critical_value(conf_level, df) * se`` (normal or t quantile).

    Casella, G. and Berger, R. L. (2002). Statistical Inference, 2nd ed., section 10.4.1.

    >>> wald_interval(0.5, 0.1, 0.95)
    (0.304003..., 0.695996...)
    """
    crit = critical_value(conf_level, df)
    return estimate - crit * se, estimate + crit * se


def pooled_z(x1, n1, x2, n2):
    """Two-proportion z statistic with the pooled standard error; 0 where the pooled share is 0 or 1.

    z = (x1/n1 - x2/n2) / sqrt(pbar (1 - pbar) (1/n1 + 1/n2)), pbar = (x1 + x2) / (n1 + n2); z squared is
    the statistic of R's ``prop.test(correct = FALSE)``. Agresti, A. (2013). Categorical Data Analysis,
    3rd ed., section 3.1.

    >>> round(float(pooled_z(200, 250, 112, 250)), 4)
    8.1248
    """
    pooled = (x1 + x2) / (n1 + n2)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (x1 / n1 - x2 / n2) / np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    return np.where((pooled == 0) | (pooled == 1), 0.0, z)


def cohen_h(p1, p2):
    """Cohen's h, the arcsine effect size 2 asin sqrt(p1) - 2 asin sqrt(p2).

    Cohen, J. (1988). Statistical Power Analysis for the Behavioral Sciences, 2nd ed., chapter 6.

    >>> round(float(cohen_h(0.8, 0.448)), 4)
    0.7477
    """
    return 2 * np.arcsin(np.sqrt(p1)) - 2 * np.arcsin(np.sqrt(p2))


def verdict(p_min, p_max, alpha):
    """Significance over a range of p-values: "all" if ``p_max < alpha``, "some" if only ``p_min < alpha``, else "none".

    Used where a published figure is consistent with several counts (or
    cross-tabs): "all" means every consistent count gives a significant
    result at level ``alpha``, "some" that the rounding decides, "none" that
    none does. Missing (``pd.NA``) where either p-value is missing.

    >>> verdict([0.01, 0.01, 0.2], [0.04, 0.2, 0.3], 0.05).tolist()
    ['all', 'some', 'none']
    """
    p_min, p_max = np.asarray(p_min, dtype=float), np.asarray(p_max, dtype=float)
    out = np.where(p_max < alpha, "all", np.where(p_min < alpha, "some", "none"))
    missing = np.isnan(p_min) | np.isnan(p_max)
    return np.where(missing, pd.NA, out) if missing.any() else out


def bisect(above, low, high, *, iterations=None, tol=None, integer=False, max_iter=2000):
    """Vectorized bisection: where the monotone condition ``above(x)`` turns from False to True, for every row at once.

    ``above`` takes an array of trial points (one per row, the shape of
    ``low``) and returns a boolean array: True where the root is at or below
    the trial point. It is called on every row each step (rows already
    converged are ignored), so it must accept any point of the bracket.
    ``low`` and ``high`` bracket the root in each row.

    Continuous search (``integer=False``): the bracket is halved
    ``iterations`` times, or until every bracket is at most ``tol`` wide, and
    the midpoint of the final bracket is returned.
    Integer search (``integer=True``): ``low`` and ``high`` are whole-number
    sentinels (``above`` is taken as False at ``low`` and True at ``high``,
    neither is evaluated), trial points are ``floor((low + high) / 2)``, and
    the smallest whole ``x`` in ``(low, high]`` with ``above(x)`` is returned,
    after every bracket has narrowed to width 1 (``x - 1`` is then the largest
    whole number where ``above`` is False).

    Burden, R. L. and Faires, J. D. (2011). Numerical Analysis, 9th ed., section 2.1.

    >>> bisect(lambda x: x**2 >= 2, np.zeros(2), np.array([2.0, 4.0]), iterations=60)
    array([1.41421356, 1.41421356])
    >>> bisect(lambda k: k * k >= np.array([10, 16]), np.zeros(2), np.full(2, 100.0), integer=True)
    array([4., 4.])
    """
    low, high = np.array(low, dtype=float), np.array(high, dtype=float)
    low, high = np.broadcast_arrays(low, high)
    low, high = low.copy(), high.copy()
    if integer:
        for _ in range(max_iter):
            active = high - low > 1
            if not active.any():
                return high
            mid = np.floor((low + high) / 2)
            up = np.asarray(above(mid), dtype=bool)
            high = np.where(up & active, mid, high)
            low = np.where(~up & active, mid, low)
        raise RuntimeError(f"integer bisection did not converge in {max_iter} steps")
    if (iterations is None) == (tol is None):
        raise ValueError("give exactly one of iterations or tol for a continuous bisection")
    steps = iterations if iterations is not None else max_iter
    for _ in range(steps):
        if tol is not None and np.all(high - low <= tol):
            break
        mid = (low + high) / 2
        up = np.asarray(above(mid), dtype=bool)
        low, high = np.where(up, low, mid), np.where(up, mid, high)
    return (low + high) / 2


def delta_method_se(gradient, cov):
    """Delta-method standard error sqrt(g' V g) of a smooth function of estimates with covariance ``cov``.

    ``gradient`` is one gradient (1-d, returns a float) or one per row (2-d,
    returns an array): the derivatives of each function with respect to the
    estimates. Oehlert, G. W. (1992). A note on the delta method. The
    American Statistician 46(1), 27-29.

    >>> delta_method_se([[1.0, 0.0], [1.0, 1.0]], [[4.0, 1.0], [1.0, 9.0]]).tolist()
    [2.0, 3.872983346207417]
    """
    g = np.asarray(gradient, dtype=float)
    cov = np.asarray(cov, dtype=float)
    with np.errstate(invalid="ignore"):
        se = np.sqrt(np.einsum("ij,jk,ik->i", np.atleast_2d(g), cov, np.atleast_2d(g)))
    return float(se[0]) if g.ndim == 1 else se


def krinsky_robb(function, estimate, cov, *, draws, seed, conf_level):
    """Krinsky-Robb interval: percentiles of ``function`` over draws from N(``estimate``, ``cov``).

    ``function`` maps a (draws x parameters) array to one value per draw or a
    (draws x quantities) array; the draws come from
    ``numpy.random.default_rng(seed)``, so a seed repeats exactly. Returns the
    ``(1 - conf_level) / 2`` and ``1 - (1 - conf_level) / 2`` percentiles
    (arrays over quantities). Krinsky, I. and Robb, A. L. (1986). On
    approximating the statistical properties of elasticities. Review of
    Economics and Statistics 68, 715-719.

    >>> low, high = krinsky_robb(lambda b: b[:, 0] / b[:, 1], [1.0, 2.0], np.diag([0.01, 0.01]),
    ...                          draws=20_000, seed=0, conf_level=0.95)
    >>> round(float(low), 2), round(float(high), 2)
    (0.39, 0.62)
    """
    sims = np.random.default_rng(seed).multivariate_normal(np.asarray(estimate, dtype=float), cov, size=draws)
    values = function(sims)
    alpha = 1 - conf_level
    return np.quantile(values, alpha / 2, axis=0), np.quantile(values, 1 - alpha / 2, axis=0)
