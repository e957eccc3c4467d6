"""From a printed, rounded percentage and a base to the whole counts it can stand for.

A published "45% of 250" does not say the count: any whole count ``c`` with
``100 * c / 250`` inside the rounding interval [44.5, 45.5] is consistent with
it, here 112 or 113. Keeping that range, instead of one invented count, is how
cxstats stays honest about published figures (the GRIM idea of Brown and
Heathers, 2017, applied to percentages).
"""

from __future__ import annotations

import numpy as np

from ._validate import as_float_array, broadcast, first_bad


def count_range(percent, n, decimals=0):
    """Lowest and highest whole count consistent with a rounded percentage.

    A percentage printed with ``decimals`` decimal places stands for the closed
    interval ``percent +/- 0.5 * 10**-decimals``; both ends are kept because
    publishers round halves either way.

    Parameters
    ----------
    percent : float or array-like
        The percentage as printed, between 0 and 100.
    n : int or array-like
        The base (number of respondents), at least 1.
    decimals : int or array-like, default 0
        Decimal places the percentage was printed with.

    Returns
    -------
    tuple of numpy.ndarray
        ``(count_low, count_high)`` as int64 arrays. Where no whole count fits
        (an impossible percentage for that base), ``count_low > count_high``.

    References
    ----------
    Brown, N. J. L. and Heathers, J. A. J. (2017). The GRIM test. Social
    Psychological and Personality Science 8(4), 363-369.

    Examples
    --------
    >>> low, high = count_range(45, 250)
    >>> int(low[0]), int(high[0])
    (112, 113)
    >>> low, high = count_range(50, 3)   # 1/3 and 2/3 both miss 49.5..50.5
    >>> bool(low[0] > high[0])
    True
    """
    percent = as_float_array("percent", percent)
    n = as_float_array("n", n)
    decimals = as_float_array("decimals", decimals)
    percent, n, decimals = broadcast(percent=percent, n=n, decimals=decimals)
    if (i := first_bad((percent < 0) | (percent > 100))) is not None:
        raise ValueError(f"percent must be between 0 and 100; element {i} is {percent[i]}")
    if (i := first_bad((n < 1) | (n != np.round(n)))) is not None:
        raise ValueError(f"n must be a whole number of at least 1; element {i} is {n[i]}")
    if (i := first_bad((decimals < 0) | (decimals != np.round(decimals)))) is not None:
        raise ValueError(f"decimals must be a whole number >= 0; element {i} is {decimals[i]}")
    if (i := first_bad(n * (200 * 10.0**decimals + 1) >= 2.0**62)) is not None:
        raise ValueError(f"n element {i} ({n[i]:g}) with {decimals[i]:g} decimals is beyond exact 64-bit counting; "
                         "give n up to 1e12 and at most 4 decimals")
    # Exact integer arithmetic: with d decimals the printed value is P / 10**d
    # and the interval is [(2P - 1), (2P + 1)] / (2 * 10**d) percent.
    scale = 10 ** decimals.astype(np.int64)
    printed = np.round(percent * scale).astype(np.int64)
    if (i := first_bad(np.abs(printed - percent * scale) > 1e-6)) is not None:
        raise ValueError(
            f"percent element {i} ({percent[i]}) has more than {int(decimals[i])} decimals"
        )
    n = n.astype(np.int64)
    denom = 200 * scale
    low = -((-n * (2 * printed - 1)) // denom)  # ceiling division
    high = (n * (2 * printed + 1)) // denom
    return np.clip(low, 0, n), np.clip(high, 0, n)
