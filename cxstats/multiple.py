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
        ``method``; the index of a Series input is kept.

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
    out = pd.DataFrame({"p_value": p, "p_adjusted": adjusted, "reject": adjusted <= alpha, "method": method})
    if index is not None:
        out.index = index
    return out


def _adjusted(p, method):
    """Adjusted p-values for a validated float array (the arithmetic of :func:`adjust_pvalues`)."""
    m = p.size
    if method in ("holm", "bonferroni", "none"):
        order = np.argsort(p, kind="stable")
        rank = np.arange(1, m + 1)
        if method == "holm":
            adjusted_sorted = np.maximum.accumulate((m - rank + 1) * p[order])
        elif method == "bonferroni":
            adjusted_sorted = m * p[order]
        else:
            adjusted_sorted = p[order]
    else:
        order = np.argsort(-p, kind="stable")  # decreasing, as R's order(p, decreasing = TRUE)
        rank = np.arange(m, 0, -1)
        factor = {"hochberg": (m - rank + 1), "bh": m / rank, "by": np.sum(1 / np.arange(1, m + 1)) * m / rank}
        adjusted_sorted = np.minimum.accumulate(factor[method] * p[order])
    adjusted = np.empty(m)
    adjusted[order] = np.minimum(adjusted_sorted, 1.0)
    return adjusted
