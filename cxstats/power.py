"""Power and sample size for comparing two proportions, and break-even bases for printed gaps."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._inference import bisect, cohen_h, critical_value, p_value, pooled_z
from ._validate import ALTERNATIVES, as_float_array, broadcast, check_choice, check_open_unit, first_bad


def _check_shares(name, value):
    arr = as_float_array(name, value)
    if (i := first_bad((arr < 0) | (arr > 1))) is not None:
        raise ValueError(f"{name} must be a proportion in [0, 1] (not a percentage); element {i} is {arr[i]:g}")
    return arr


def _power(h, n_eff, alpha, alternative):
    """Power of the arcsine test with effect ``h`` and effective base ``n_eff`` (pwr's formulas).

    The statistic is normal with mean ``h sqrt(n_eff)`` and unit variance: the
    power is its probability beyond the critical value(s).
    """
    shift = h * np.sqrt(n_eff)
    crit = critical_value(1 - alpha, alternative=alternative)
    if alternative == "two-sided":
        return p_value(crit - np.abs(shift), "greater") + p_value(crit + np.abs(shift), "greater")
    return p_value(crit - shift if alternative == "greater" else crit + shift, "greater")


def power_proportions(p1, p2, nobs1=None, *, power=None, alpha=0.05, ratio=1.0, alternative="two-sided"):
    """Power of a two-proportion test, or the base per group needed for a given power.

    Give ``nobs1`` to get the power, or ``power`` to get ``nobs1``.

    Parameters
    ----------
    p1, p2 : float or array-like
        The two proportions (0 to 1) you expect, or want to be able to detect.
    nobs1 : float or array-like, optional
        Base of group 1; group 2 has ``ratio * nobs1``.
    power : float or array-like, optional
        Target power, strictly between ``alpha`` and 1 for a two-sided test.
    alpha : float, default 0.05
        Significance level.
    ratio : float or array-like, default 1.0
        nobs2 / nobs1.
    alternative : {"two-sided", "less", "greater"}
        ``greater`` means p1 > p2 is the hypothesis.

    Returns
    -------
    pandas.DataFrame
        ``p1``, ``p2``, ``cohen_h``, ``nobs1``, ``nobs2``, ``alpha``,
        ``power``, ``alternative``, ``solved_for`` ("power" or "nobs1").
        Solved bases are not rounded: round up to plan a survey.

    Notes
    -----
    Cohen's arcsine method, h = 2 asin sqrt(p1) - 2 asin sqrt(p2), with
    effective base n1 n2 / (n1 + n2); equal to R's ``pwr.2p.test`` (equal
    bases) and ``pwr.2p2n.test``. The base is solved by bisection to full
    precision (``pwr`` stops ``uniroot`` at about 1e-4).

    References
    ----------
    Cohen, J. (1988). Statistical Power Analysis for the Behavioral Sciences,
    2nd ed., chapter 6.

    Examples
    --------
    How many respondents per group to detect 50% vs 55% with 80% power?

    >>> power_proportions(0.50, 0.55, power=0.8)["nobs1"].round(1).tolist()
    [1564.5]
    """
    check_choice("alternative", alternative, ALTERNATIVES)
    alpha = check_open_unit("alpha", alpha)
    if (nobs1 is None) == (power is None):
        raise ValueError("give exactly one of nobs1 (to get the power) or power (to get nobs1)")
    p1, p2 = _check_shares("p1", p1), _check_shares("p2", p2)
    ratio = as_float_array("ratio", ratio)
    if (i := first_bad(ratio <= 0)) is not None:
        raise ValueError(f"ratio must be positive; element {i} is {ratio[i]:g}")
    if nobs1 is not None:
        nobs1 = as_float_array("nobs1", nobs1)
        if (i := first_bad(nobs1 <= 0)) is not None:
            raise ValueError(f"nobs1 must be positive; element {i} is {nobs1[i]:g}")
        p1, p2, nobs1, ratio = broadcast(p1=p1, p2=p2, nobs1=nobs1, ratio=ratio)
        h = cohen_h(p1, p2)
        result = _power(h, nobs1 * ratio / (1 + ratio), alpha, alternative)
        solved = "power"
    else:
        power = as_float_array("power", power)
        p1, p2, power, ratio = broadcast(p1=p1, p2=p2, power=power, ratio=ratio)
        h = cohen_h(p1, p2)
        if (i := first_bad((power <= alpha) | (power >= 1))) is not None:
            raise ValueError(f"power must lie strictly between alpha={alpha} and 1; element {i} is {power[i]:g}")
        if (i := first_bad(h == 0)) is not None:
            raise ValueError(f"p1 equals p2 at element {i}: no base gives power for a zero difference")
        if alternative != "two-sided":
            sign = 1 if alternative == "greater" else -1
            if (i := first_bad(sign * h < 0)) is not None:
                raise ValueError(
                    f"element {i}: alternative={alternative!r} but p1={p1[i]:g} and p2={p2[i]:g} point the other way"
                )
        # power rises monotonically with the base: bisect log(n_eff) for every row at once
        log_n_eff = bisect(lambda log_n: _power(h, np.exp(log_n), alpha, alternative) >= power,
                           np.full(h.shape, -20.0), np.full(h.shape, 40.0), iterations=200)
        nobs1 = np.exp(log_n_eff) * (1 + ratio) / ratio
        result = power
        solved = "nobs1"
    return pd.DataFrame({
        "p1": p1, "p2": p2, "cohen_h": h, "nobs1": nobs1, "nobs2": nobs1 * ratio, "alpha": alpha,
        "power": result, "alternative": alternative, "solved_for": solved,
    })


def breakeven_n(p1, p2, *, alpha=0.05, power=None, nobs1=None, alternative="two-sided"):
    """Smallest base at which a printed gap would be statistically significant.

    A published gap ("80% of companies vs 8% of customers") often comes without
    one or both bases. This asks: how large would the bases have to be for the
    gap to be significant at ``alpha`` (or, with ``power``, to be detected with
    that power)? A small break-even base means the gap survives almost any
    plausible base; a large one means the claim needs its base to be judged.

    Parameters
    ----------
    p1, p2 : float or array-like
        The printed proportions, 0 to 1.
    alpha : float, default 0.05
    power : float, optional
        If given, the equal base per group for this power (Cohen's h, as
        :func:`power_proportions`), rounded up.
    nobs1 : float or array-like, optional
        A known base of group 1; the answer is then the smallest base of group
        2 (significance only). If even an unlimited group 2 cannot make the
        gap significant, the answer is missing.
    alternative : {"two-sided", "less", "greater"}

    Returns
    -------
    pandas.DataFrame
        ``p1``, ``p2``, ``diff``, ``alpha``, ``power``, ``nobs1_known``,
        ``breakeven_n`` (whole respondents: per group, or of group 2 when
        ``nobs1`` is given; nullable), ``basis`` ("significance" or "power").

    Notes
    -----
    Significance uses the pooled two-proportion z test at the printed
    proportions: with equal bases n it is significant once
    n >= 2 z^2 pbar (1 - pbar) / (p1 - p2)^2, pbar = (p1 + p2) / 2. Counts
    are whole numbers, so at the break-even base the printed percentages can
    only be met to rounding; and at very small break-even bases the normal
    approximation is rough: read a small answer as "the gap is not fragile",
    not as a design.

    References
    ----------
    Agresti, A. (2013). Categorical Data Analysis, 3rd ed., section 3.1.
    Cohen, J. (1988). Statistical Power Analysis for the Behavioral Sciences, ch. 6.

    Examples
    --------
    Bain: 80% of firms vs 8%: two groups of 4 would already do.

    >>> breakeven_n(0.80, 0.08)["breakeven_n"].tolist()
    [4]
    """
    check_choice("alternative", alternative, ALTERNATIVES)
    alpha = check_open_unit("alpha", alpha)
    p1, p2 = _check_shares("p1", p1), _check_shares("p2", p2)
    p1, p2 = broadcast(p1=p1, p2=p2)
    diff = p1 - p2
    if (i := first_bad(diff == 0)) is not None:
        raise ValueError(f"p1 equals p2 at element {i}: a zero gap is never significant")
    crit = critical_value(1 - alpha, alternative=alternative)
    if alternative != "two-sided":
        sign = 1 if alternative == "greater" else -1
        if (i := first_bad(sign * diff < 0)) is not None:
            raise ValueError(f"element {i}: alternative={alternative!r} but the gap points the other way")
    known = np.full(p1.shape, np.nan)
    if power is not None:
        if nobs1 is not None:
            raise ValueError("give power or nobs1, not both: with a known nobs1 the answer is for significance only")
        n = np.ceil(power_proportions(p1, p2, power=power, alpha=alpha, alternative=alternative)["nobs1"].to_numpy())
        basis = "power"
    elif nobs1 is None:
        pbar = (p1 + p2) / 2
        n = np.maximum(np.ceil(2 * crit**2 * pbar * (1 - pbar) / diff**2 - 1e-9), 1)
        basis = "significance"
    else:
        known = as_float_array("nobs1", nobs1)
        if (i := first_bad(known < 1)) is not None:
            raise ValueError(f"nobs1 must be at least 1; element {i} is {known[i]:g}")
        p1, p2, known = broadcast(p1=p1, p2=p2, nobs1=known)
        diff = p1 - p2
        n = _smallest_second_base(p1, p2, known, crit)
        basis = "significance"
    return pd.DataFrame({
        "p1": p1, "p2": p2, "diff": diff, "alpha": alpha,
        "power": np.nan if power is None else float(power), "nobs1_known": known,
        "breakeven_n": pd.array(np.where(np.isfinite(n), n, np.nan), dtype="Int64"), "basis": basis,
    })


def _smallest_second_base(p1, p2, n1, crit, limit=10**9):
    """Smallest whole n2 with |z| >= crit given n1 (z rises with n2); inf if even ``limit`` fails."""

    def significant(n2):  # the pooled z test at the printed shares with bases n1 and n2
        return np.abs(pooled_z(p1 * n1, n1, p2 * n2, n2)) >= crit

    reachable = significant(np.full(n1.shape, float(limit)))
    n2 = bisect(lambda mid: significant(np.maximum(mid, 1)), np.zeros(n1.shape), np.full(n1.shape, float(limit)),
                integer=True)
    return np.where(reachable, np.maximum(n2, 1), np.inf)
