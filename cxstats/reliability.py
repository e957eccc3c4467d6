"""Scale reliability: Cronbach's alpha of a multi-item scale, with its interval and item diagnostics."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._validate import check_open_unit
from .design import check_columns


@dataclass(frozen=True, eq=False)
class ReliabilityResult:
    """Result of :func:`scale_reliability`.

    Attributes
    ----------
    alpha : float
        Cronbach's alpha of the sum of the items.
    ci_low, ci_high : float
        Feldt's interval for alpha at ``conf_level``.
    n : int
        Respondents who answered every item (the ones used).
    n_missing : int
        Respondents left out because they skipped at least one item.
    conf_level : float
    items : pandas.DataFrame
        One row per item: ``item``, ``item_rest_corr`` (Pearson correlation
        of the item with the sum of the other items), ``alpha_if_deleted``
        (alpha of the other items; missing for a two-item scale, where one
        item alone has no alpha).
    """

    alpha: float
    ci_low: float
    ci_high: float
    n: int
    n_missing: int
    conf_level: float
    items: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """The item table."""
        return self.items


def _item_frame(data, items) -> pd.DataFrame:
    """The item columns as floats, from what :func:`cxstats.weighted_mean` takes; weighted designs refused."""
    from .survey import as_design

    names = [items] if isinstance(items, str) else list(items) if isinstance(items, list | tuple) else None
    if names is None or not all(isinstance(i, str) for i in names) or len(names) < 2:
        raise ValueError(f"items must be a list of at least two column names (the scale's items), got {items!r}")
    repeated = sorted({i for i in names if names.count(i) > 1})
    if repeated:
        raise ValueError(f"items lists {', '.join(map(repr, repeated))} more than once; give each item once")
    design, _ = as_design(data, names[0])
    if design.weight is not None or design.strata is not None or design.cluster:
        raise ValueError("scale_reliability treats respondents as a simple random sample: survey weights, strata "
                         "and clusters are not used; pass the respondents' DataFrame")
    check_columns(design.data, *names, where=design.source)
    frame = design.data[names] if design.in_memory else design.data.select(names).to_pandas()
    for name in names:
        column = frame[name]
        if isinstance(column.dtype, pd.CategoricalDtype) or not (
                pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column)):
            raise ValueError(f"item {name!r} must hold numbers (the answers' scores); it has values "
                             f"{column.dropna().unique()[:5].tolist()}")
    out = pd.DataFrame({name: frame[name].to_numpy(dtype=float, na_value=np.nan) for name in names})
    for name in names:
        infinite = np.flatnonzero(np.isinf(out[name].to_numpy()))
        if infinite.size:
            raise ValueError(f"item {name!r} has infinite values (rows {infinite[:5].tolist()}"
                             f"{', ...' if infinite.size > 5 else ''}, counted from 0); answers must be finite "
                             "numbers or missing")
    return out


def scale_reliability(data, items, *, conf_level=0.95) -> ReliabilityResult:
    """Cronbach's alpha of a scale made of several items, its interval, and what each item adds.

    Parameters
    ----------
    data : pandas.DataFrame, path or ibis.Table
        Respondents, one row each (a survey design without weights, strata
        or clusters is also accepted).
    items : list of str
        The numeric item columns (at least two), all scored in the same
        direction (reverse-keyed items recoded first).
    conf_level : float, default 0.95

    Returns
    -------
    ReliabilityResult
        ``alpha``, ``ci_low``, ``ci_high``, ``n``, ``n_missing`` and the
        item table ``items`` (``item``, ``item_rest_corr``,
        ``alpha_if_deleted``).

    Raises
    ------
    ValueError
        Fewer than two items, an item named twice, a missing or non-numeric
        column, a survey design with weights, strata or clusters, fewer than
        three respondents who answered every item, an item with the same
        answer from everyone, an infinite answer (item and rows named).

    Warns
    -----
    UserWarning
        An item whose item-rest correlation is negative (named): probably
        reverse-keyed; recode it before computing alpha.

    Notes
    -----
    Alpha is k / (k - 1) (1 - sum of the item variances / variance of the
    sum), computed by pingouin's ``cronbach_alpha``. Respondents who skipped
    an item are left out (listwise; counted in ``n_missing``), as R's
    ``psych::alpha(use = "complete.obs")``. The interval is Feldt's: with
    n respondents, (1 - alpha) times an F(n - 1, (n - 1)(k - 1)) quantile
    (computed here at full precision: pingouin rounds its interval to three
    decimals). The interval assumes normally distributed items with equal
    variances and equal covariances (compound symmetry, as parallel items).

    When the items' errors are uncorrelated, alpha is a lower bound of the
    reliability of the sum, and equals it when the items measure one thing
    with equal loadings (tau-equivalence). Correlated errors, as from a
    response style shared by all items (some respondents using the top of
    every scale), can make alpha overstate reliability. An item with a
    negative item-rest correlation (a reverse-keyed item not recoded, as a
    rule) draws a warning, as R's ``psych::alpha`` does.

    References
    ----------
    Cronbach, L. J. (1951). Coefficient alpha and the internal structure of
    tests. Psychometrika 16(3), 297-334.
    Feldt, L. S., Woodruff, D. J. and Salih, F. A. (1987). Statistical
    inference for coefficient alpha. Applied Psychological Measurement
    11(1), 93-103.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"q1": [4, 5, 3, 2, 4, 5, 1, 3], "q2": [4, 4, 3, 2, 5, 5, 2, 3],
    ...                    "q3": [5, 4, 2, 1, 4, 4, 2, 4]})
    >>> res = scale_reliability(df, ["q1", "q2", "q3"])
    >>> round(res.alpha, 3), round(res.ci_low, 3), round(res.ci_high, 3)
    (0.921, 0.734, 0.983)
    >>> res.items.round(3)
      item  item_rest_corr  alpha_if_deleted
    0   q1           0.865             0.867
    1   q2           0.891             0.856
    2   q3           0.782             0.936
    """
    import pingouin
    from scipy import stats

    conf_level = check_open_unit("conf_level", conf_level)
    frame = _item_frame(data, items)
    names = list(frame.columns)
    complete = frame.notna().all(axis=1).to_numpy()
    frame = frame[complete]
    n, k = len(frame), len(names)
    if n < 3:
        raise ValueError(f"only {n} respondents answered every item of {names}; alpha and its interval need at "
                         "least 3")
    constant = [name for name in names if frame[name].nunique() < 2]
    if constant:
        raise ValueError(f"item(s) {constant} have the same answer from every respondent used; such an item "
                         "carries no information about the scale: drop it")
    alpha = float(pingouin.cronbach_alpha(frame)[0])
    tail = (1 - conf_level) / 2
    df1, df2 = n - 1, (n - 1) * (k - 1)
    ci_low = 1 - (1 - alpha) * stats.f.ppf(1 - tail, df1, df2)
    ci_high = 1 - (1 - alpha) * stats.f.ppf(tail, df1, df2)
    total = frame.sum(axis=1)
    rest_corr = [float(np.corrcoef(frame[name], total - frame[name])[0, 1]) for name in names]
    if_deleted = [float(pingouin.cronbach_alpha(frame.drop(columns=name))[0]) if k > 2 else np.nan
                  for name in names]
    table = pd.DataFrame({"item": names, "item_rest_corr": rest_corr, "alpha_if_deleted": if_deleted})
    reverse = [name for name, r in zip(names, rest_corr, strict=True) if r < 0]
    if reverse:
        warnings.warn(f"item(s) {reverse} correlate negatively with the sum of the other items: reverse-keyed? "
                      "Recode them (e.g. 6 - x on a 1-5 scale) before computing alpha", UserWarning, stacklevel=2)
    return ReliabilityResult(alpha, float(ci_low), float(ci_high), n, int((~complete).sum()), conf_level, table)
