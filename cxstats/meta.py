"""Random-effects pooling of similar proportions from different surveys."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._inference import chi2_p_value, wald_interval
from ._validate import broadcast, check_counts, check_open_unit


@dataclass(frozen=True)
class MetaResult:
    """Result of :func:`meta_proportions`.

    Attributes
    ----------
    studies : pandas.DataFrame
        One row per figure: ``label``, ``count``, ``nobs``, ``proportion``,
        ``logit``, ``se``, ``ci_low``, ``ci_high`` (logit interval, back
        transformed), ``study_weight`` (random-effects weight, percent).
    pooled : pandas.DataFrame
        One row: ``proportion``, ``ci_low``, ``ci_high``, ``pi_low``,
        ``pi_high`` (prediction interval for a new survey, at ``conf_level``), ``logit``,
        ``se``, ``tau2``, ``i2`` (percent), ``q``, ``df``,
        ``p_heterogeneity``, ``n_studies``.
    """

    studies: pd.DataFrame
    pooled: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """Studies and the pooled row stacked, for a forest plot or a report table."""
        pooled = self.pooled.assign(label="pooled (random effects)", study_weight=100.0)
        columns = ["label", "proportion", "ci_low", "ci_high", "logit", "se", "study_weight"]
        return pd.concat([self.studies, pooled[columns]],
                         ignore_index=True)


def meta_proportions(count, nobs, labels=None, *, conf_level=0.95) -> MetaResult:
    """Pool proportions from several surveys with a DerSimonian-Laird random-effects model.

    Each figure is put on the logit scale, log(p / (1 - p)), with variance
    1/x + 1/(n - x) (0.5 is added to both counts of a figure with 0 or n
    successes). The between-survey variance tau^2 (how much the true shares
    differ from survey to survey) is estimated by the method of moments; I^2 is
    the share of the observed spread that is heterogeneity rather than chance.

    Parameters
    ----------
    count, nobs : array-like
        Successes and bases, one per survey (at least 2).
    labels : sequence of str, optional
        Names of the surveys (default "1", "2", ...).
    conf_level : float, default 0.95
        Level of every interval.

    Returns
    -------
    MetaResult
        ``studies`` and ``pooled`` tables; ``to_frame()`` stacks them.

    Notes
    -----
    Equal to R's ``metafor::rma(measure = "PLO", xi = x, ni = n, method = "DL")``
    (with ``escalc``'s default 0.5 correction for zero cells). Pooling assumes
    the figures measure the same thing: differently worded questions make
    tau^2 large, and then the pooled value describes no single population.

    References
    ----------
    DerSimonian, R. and Laird, N. (1986). Meta-analysis in clinical trials.
    Controlled Clinical Trials 7, 177-188.
    Higgins, J. P. T. and Thompson, S. G. (2002). Quantifying heterogeneity in
    a meta-analysis. Statistics in Medicine 21, 1539-1558.

    Examples
    --------
    >>> res = meta_proportions([901, 2075], [2003, 2500], labels=["Accenture", "Gladly"])
    >>> res.pooled[["proportion", "i2"]].round(3)
       proportion      i2
    0       0.666  99.848
    """
    from scipy import special

    x, n = check_counts(count, nobs)
    x, n = broadcast(count=x, nobs=n)
    conf_level = check_open_unit("conf_level", conf_level)
    k = x.size
    if k < 2:
        raise ValueError("meta_proportions needs at least 2 figures to pool")
    labels = [str(i + 1) for i in range(k)] if labels is None else [str(label) for label in labels]
    if len(labels) != k:
        raise ValueError(f"labels has {len(labels)} names for {k} figures")
    edge = (x == 0) | (x == n)
    xc, nc = np.where(edge, x + 0.5, x), np.where(edge, n + 1.0, n)
    y = np.log(xc / (nc - xc))
    v = 1 / xc + 1 / (nc - xc)
    w = 1 / v
    fixed = np.sum(w * y) / np.sum(w)
    q = float(np.sum(w * (y - fixed) ** 2))
    dof = k - 1
    tau2 = max(0.0, (q - dof) / (np.sum(w) - np.sum(w**2) / np.sum(w)))
    w_re = 1 / (v + tau2)
    mu = float(np.sum(w_re * y) / np.sum(w_re))
    se = float(np.sqrt(1 / np.sum(w_re)))
    i2 = 100 * max(0.0, (q - dof) / q) if q > 0 else 0.0
    expit = special.expit
    ci_low, ci_high = wald_interval(y, np.sqrt(v), conf_level)  # on the logit scale, then back
    studies = pd.DataFrame({
        "label": labels, "count": x, "nobs": n, "proportion": x / n, "logit": y, "se": np.sqrt(v),
        "ci_low": expit(ci_low), "ci_high": expit(ci_high), "study_weight": 100 * w_re / np.sum(w_re),
    })
    pooled_low, pooled_high = wald_interval(mu, se, conf_level)
    pi_low, pi_high = wald_interval(mu, np.sqrt(se**2 + tau2), conf_level)
    pooled = pd.DataFrame([{
        "proportion": expit(mu), "ci_low": expit(pooled_low), "ci_high": expit(pooled_high),
        "pi_low": expit(pi_low), "pi_high": expit(pi_high), "logit": mu, "se": se,
        "tau2": tau2, "i2": i2, "q": q, "df": dof, "p_heterogeneity": float(chi2_p_value(q, dof)), "n_studies": k,
    }])
    return MetaResult(studies=studies, pooled=pooled)
