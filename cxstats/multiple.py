"""Multiple-comparison control: adjust a family of p-values, as R's ``p.adjust``."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._validate import as_float_array, check_choice, check_open_unit, first_bad, index_of

ADJUST_METHODS = ("holm", "hochberg", "bonferroni", "bh", "by", "none")


def adjust_pvalues(pvalues, *, method="holm", alpha=0.05):
    """Adjust p-values for multiple comparisons.

    Parameters
    ----------
    pvalues : array-like
        The family of p-values, each in [0, 1].
    method : {"holm", "hochberg", "bonferroni", "bh", "by", "none"}
        ``holm`` (step-down, controls the family-wise error rate under any
        dependence; the default, as in R), ``hochberg`` (step-up, FWER under
        independence or positive dependence), ``bonferroni``, ``bh``
        (Benjamini-Hochberg false discovery rate), ``by``
        (Benjamini-Yekutieli, FDR under any dependence), ``none``.
    alpha : float, default 0.05
        Level for the ``reject`` column.

    Returns
    -------
    pandas.DataFrame
        ``p_value``, ``p_adjusted``, ``reject`` (``p_adjusted <= alpha``),
        ``method`` (a categorical with the one method as its category); the
        index of a Series input is kept.

    Notes
    -----
    Equal to R's ``p.adjust(p, method)`` with methods "holm", "hochberg",
    "bonferroni", "BH", "BY".

    References
    ----------
    Holm, S. (1979). Scandinavian Journal of Statistics 6, 65-70.
    Hochberg, Y. (1988). Biometrika 75, 800-802.
    Benjamini, Y. and Hochberg, Y. (1995). JRSS B 57, 289-300.
    Benjamini, Y. and Yekutieli, D. (2001). Annals of Statistics 29, 1165-1188.

    Examples
    --------
    >>> adjust_pvalues([0.01, 0.04, 0.03], method="holm")["p_adjusted"].round(4).tolist()
    [0.03, 0.06, 0.06]
    """
    index = index_of(pvalues)
    check_choice("method", method, ADJUST_METHODS)
    alpha = check_open_unit("alpha", alpha)
    p = as_float_array("pvalues", pvalues)
    if (i := first_bad((p < 0) | (p > 1))) is not None:
        raise ValueError(f"pvalues must lie in [0, 1]; element {i} is {p[i]:g}")
    adjusted = _adjusted(p, method)
    # the method is one value: a one-category categorical stores it once, not a string per row;
    # p is copied, as it may be the caller's own array
    label = pd.Categorical.from_codes(np.zeros(p.size, dtype=np.int8), [method])
    out = pd.DataFrame({"p_value": p.copy(), "p_adjusted": adjusted, "reject": adjusted <= alpha, "method": label},
                       copy=False)
    if index is not None:
        out.index = index
    return out


def _adjusted(p, method):
    """Adjusted p-values for a validated float array (the arithmetic of :func:`adjust_pvalues`, as R's p.adjust).

    Bonferroni and "none" need no order. The others need the order of the
    p-values but not the order among equal ones: tied p-values get the same
    adjusted value whichever comes first (the running maximum, or minimum,
    meets the larger factor of the group first), so a plain sort serves.
    """
    m = p.size
    if method == "none":
        return p.copy()
    if method == "bonferroni":
        adjusted = p * m
        return np.minimum(adjusted, 1.0, out=adjusted)
    order = np.argsort(p)  # increasing
    adjusted_sorted = p[order]  # p_(1) <= ... <= p_(m)
    if method == "holm":
        adjusted_sorted *= np.arange(m, 0, -1, dtype=float)  # (m + 1 - i) p_(i)
        np.maximum.accumulate(adjusted_sorted, out=adjusted_sorted)
    else:
        # R runs these over the decreasing p-values; here the same products, read from the top down
        ascending = np.arange(1, m + 1, dtype=float)  # i
        if method == "hochberg":
            adjusted_sorted *= ascending[::-1]  # (m + 1 - i) p_(i)
        elif method == "bh":
            adjusted_sorted *= m / ascending  # m / i p_(i)
        else:  # by
            adjusted_sorted *= np.sum(1 / ascending) * m / ascending
        downward = adjusted_sorted[::-1]
        np.minimum.accumulate(downward, out=downward)
    np.minimum(adjusted_sorted, 1.0, out=adjusted_sorted)
    adjusted = np.empty(m)
    adjusted[order] = adjusted_sorted
    return adjusted
