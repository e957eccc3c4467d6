"""Two shares from the same respondents: what can be said without the cross-tab."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._inference import p_value, verdict
from ._validate import as_float_array, broadcast, check_open_unit, first_bad


def paired_gap_bounds(p1, p2, nobs, *, alpha=0.05):
    """Range of McNemar test results for two answers given by the same respondents.

    When one survey reports "53% find chatbots useful" and "43% are frustrated
    by them", the two shares come from the same people, so a two-sample test
    does not apply: the right test (McNemar's) needs the respondents who said
    yes to one and no to the other, which is rarely published. Those
    discordant answers are bounded by the two shares, so the test statistic is
    too: this returns its range over every cross-tab consistent with the shares.

    Parameters
    ----------
    p1, p2 : float or array-like
        The two shares (0 to 1) from the same respondents.
    nobs : float or array-like
        Number of respondents who answered both.
    alpha : float, default 0.05
        Significance level of McNemar's test, for the ``significant``
        verdict: "all" when every possible cross-tab gives p < alpha.

    Returns
    -------
    pandas.DataFrame
        ``p1``, ``p2``, ``nobs``, ``diff``, ``discordant_min``,
        ``discordant_max`` (the fewest and most respondents who could have
        answered the two items differently), ``p_value_min``, ``p_value_max``
        (McNemar's test without continuity correction at those extremes), and
        ``significant`` ("all", "some" or "none" of the possible cross-tabs).

    Notes
    -----
    With b and c the two kinds of discordant answers, b - c = n (p1 - p2) is
    fixed by the shares while b + c lies between n |p1 - p2| and
    n |p1 - p2| + 2 n min(p2, 1 - p1) (for p1 >= p2). McNemar's statistic
    (b - c)^2 / (b + c) falls as b + c grows, so its extremes are at these
    bounds.

    References
    ----------
    McNemar, Q. (1947). Note on the sampling error of the difference between
    correlated proportions or percentages. Psychometrika 12, 153-157.
    Agresti, A. (2013). Categorical Data Analysis, 3rd ed., section 11.1.

    Examples
    --------
    Gladly's chatbot figures, if 1,000 people had answered both:

    >>> out = paired_gap_bounds(0.53, 0.43, 1000)
    >>> out[["discordant_min", "discordant_max", "significant"]]
       discordant_min  discordant_max significant
    0           100.0           960.0         all
    """
    alpha = check_open_unit("alpha", alpha)
    p1, p2, nobs = (as_float_array(name, v) for name, v in (("p1", p1), ("p2", p2), ("nobs", nobs)))
    for name, arr in (("p1", p1), ("p2", p2)):
        if (i := first_bad((arr < 0) | (arr > 1))) is not None:
            raise ValueError(f"{name} must be a share in [0, 1] (not a percentage); element {i} is {arr[i]:g}")
    if (i := first_bad(nobs < 1)) is not None:
        raise ValueError(f"nobs must be at least 1; element {i} is {nobs[i]:g}")
    p1, p2, nobs = broadcast(p1=p1, p2=p2, nobs=nobs)
    hi, lo = np.maximum(p1, p2), np.minimum(p1, p2)
    gap = nobs * (hi - lo)
    d_min = gap
    d_max = gap + 2 * nobs * np.minimum(lo, 1 - hi)
    with np.errstate(divide="ignore", invalid="ignore"):
        z_max = np.where(d_min > 0, gap / np.sqrt(d_min), 0.0)
        z_min = np.where(d_max > 0, gap / np.sqrt(d_max), 0.0)
    p_min, p_max = p_value(z_max), p_value(z_min)
    return pd.DataFrame({
        "p1": p1, "p2": p2, "nobs": nobs, "diff": p1 - p2, "discordant_min": d_min, "discordant_max": d_max,
        "p_value_min": p_min, "p_value_max": p_max, "significant": verdict(p_min, p_max, alpha),
    })
