"""Chi-square test of independence for an r x c table of counts."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._inference import chi2_p_value
from ._validate import first_bad


def _rectangular(table):
    """The table as an array, refusing rows of different lengths by name (numpy's own message says neither)."""
    if isinstance(table, list | tuple) and all(isinstance(row, list | tuple | np.ndarray) for row in table):
        lengths = [len(row) for row in table]
        if len(set(lengths)) > 1:
            odd = next(i for i, size in enumerate(lengths) if size != lengths[0])
            raise ValueError(f"table rows must all have the same number of cells; row 0 has {lengths[0]}, "
                             f"row {odd} has {lengths[odd]}")
    valid = "a list of equal-length rows, a 2-d array or a DataFrame"
    try:
        array = np.asarray(table, dtype=object)
    except ValueError as err:
        raise ValueError(f"table must be a 2-d table of counts ({valid}): {err}") from err
    if array.ndim != 2:
        raise ValueError(f"table must be a 2-d table of counts ({valid}); got {array.ndim} dimension(s)")
    return array


def _cell(flat_index: int, shape) -> tuple[int, int]:
    row, col = np.unravel_index(flat_index, shape)
    return int(row), int(col)


@dataclass(frozen=True)
class Chi2Result:
    """Result of :func:`chi2_independence`.

    Attributes
    ----------
    statistic : float
        Pearson's X-squared (no continuity correction).
    df : int
        Degrees of freedom, (r - 1)(c - 1).
    p_value : float
        Upper-tail chi-square probability.
    cramers_v : float
        Cramer's V, sqrt(X^2 / (n (min(r, c) - 1))), from 0 (no association) to 1.
    n : float
        Total count.
    min_expected : float
        Smallest expected count; below 5 the chi-square approximation is doubtful.
    observed, expected : pandas.DataFrame
        The table and the expected counts under independence.
    """

    statistic: float
    df: int
    p_value: float
    cramers_v: float
    n: float
    min_expected: float
    observed: pd.DataFrame
    expected: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """One-row tidy summary: statistic, df, p_value, cramers_v, n, min_expected."""
        return pd.DataFrame([{
            "statistic": self.statistic, "df": self.df, "p_value": self.p_value,
            "cramers_v": self.cramers_v, "n": self.n, "min_expected": self.min_expected,
        }])


def chi2_independence(table) -> Chi2Result:
    """Pearson chi-square test of independence for an r x c table of counts.

    Parameters
    ----------
    table : 2-d array-like or pandas.DataFrame
        Counts, at least 2 x 2, non-negative and finite, with no all-zero row
        or column (weighted counts are accepted but the test then treats them
        as counts; use a design-based test for survey weights).

    Returns
    -------
    Chi2Result
        ``statistic``, ``df``, ``p_value``, ``cramers_v``, ``n``,
        ``min_expected``, ``observed``, ``expected``; ``to_frame()`` gives a
        one-row table.

    Notes
    -----
    Equal to R's ``chisq.test(table, correct = FALSE)``. The test assumes
    independent respondents and expected counts of about 5 or more.

    References
    ----------
    Agresti, A. (2013). Categorical Data Analysis, 3rd ed., section 3.2.
    Cramer, H. (1946). Mathematical Methods of Statistics, p. 282.

    Examples
    --------
    >>> res = chi2_independence([[200, 50], [112, 138]])
    >>> round(res.statistic, 3), res.df, round(res.cramers_v, 3)
    (66.012, 1, 0.363)
    """
    observed = table if isinstance(table, pd.DataFrame) else pd.DataFrame(_rectangular(table))
    try:
        counts = observed.to_numpy(dtype=float)
    except (TypeError, ValueError) as err:
        raise ValueError(f"table must hold numeric counts: {err}") from err
    if counts.ndim != 2 or min(counts.shape) < 2:
        raise ValueError(f"table must be 2-d with at least 2 rows and 2 columns, got shape {counts.shape}")
    flat = counts.ravel()
    if (i := first_bad(~np.isfinite(flat))) is not None:
        raise ValueError(f"table must be finite; cell {_cell(i, counts.shape)} is {flat[i]}")
    if (i := first_bad(flat < 0)) is not None:
        raise ValueError(f"table counts must not be negative; cell {_cell(i, counts.shape)} is {flat[i]:g}")
    rows, cols = counts.sum(axis=1), counts.sum(axis=0)
    if (i := first_bad(rows == 0)) is not None:
        raise ValueError(f"table row {observed.index[i]!r} is all zero; drop it before testing")
    if (i := first_bad(cols == 0)) is not None:
        raise ValueError(f"table column {observed.columns[i]!r} is all zero; drop it before testing")
    n = counts.sum()
    expected = np.outer(rows, cols) / n
    statistic = float(np.sum((counts - expected) ** 2 / expected))
    dof = (counts.shape[0] - 1) * (counts.shape[1] - 1)
    return Chi2Result(
        statistic=statistic,
        df=dof,
        p_value=float(chi2_p_value(statistic, dof)),
        cramers_v=float(np.sqrt(statistic / (n * (min(counts.shape) - 1)))),
        n=float(n),
        min_expected=float(expected.min()),
        observed=observed,
        expected=pd.DataFrame(expected, index=observed.index, columns=observed.columns),
    )
