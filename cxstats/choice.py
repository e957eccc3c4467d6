"""Choice-based conjoint: a conditional (McFadden) logit with willingness to pay for each attribute."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._inference import delta_method_se, krinsky_robb, p_value, wald_interval
from ._validate import check_open_unit
from .survey import check_columns


@dataclass(frozen=True)
class ChoiceModelResult:
    """Result of :func:`choice_model`.

    Attributes
    ----------
    coefficients : pandas.DataFrame
        ``term``, ``estimate``, ``se`` (classical, from the Hessian),
        ``robust_se`` (sandwich, clustered by respondent), ``statistic``
        (z = estimate / robust_se) and ``p_value`` (two-sided, normal),
        ``ci_low``, ``ci_high`` (robust, normal quantile).
    wtp : pandas.DataFrame
        For every non-price attribute: ``term``, ``wtp`` (-beta / beta_price,
        in price units), ``se`` and ``ci_low``/``ci_high`` by the delta method,
        ``kr_low``/``kr_high`` (Krinsky-Robb percentile interval, seeded).
    loglik : float
    n_choice_sets, n_respondents : int
    covariance : pandas.DataFrame
        Robust covariance of the estimates.
    """

    coefficients: pd.DataFrame
    wtp: pd.DataFrame
    loglik: float
    n_choice_sets: int
    n_respondents: int
    covariance: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """The coefficient table."""
        return self.coefficients


def _prepare(long_df, choice, alternative, chooser, attributes, respondent):
    check_columns(long_df, choice, alternative, chooser, *attributes, respondent)
    data = long_df.sort_values([chooser, alternative], kind="stable")
    y = data[choice].astype(float).to_numpy()
    bad_y = ~np.isin(y, (0.0, 1.0))
    if bad_y.any():
        raise ValueError(f"choice column {choice!r} must be 0/1 or boolean")
    X = data[list(attributes)].to_numpy(dtype=float)
    if not np.isfinite(X).all():
        raise ValueError(f"attribute columns {list(attributes)} must be finite numbers")
    sets, starts = np.unique(data[chooser].to_numpy(), return_index=True)
    chosen = np.add.reduceat(y, starts)
    if (chosen != 1).any():
        wrong = sets[chosen != 1]
        counts = chosen[chosen != 1][:5].astype(int).tolist()
        raise ValueError(f"every choice set needs exactly one chosen alternative; {len(wrong)} do not, e.g. "
                         f"{chooser} {wrong[:5].tolist()} (chosen counts {counts})")
    groups = np.repeat(np.arange(len(sets)), np.diff(np.append(starts, len(data))))
    people = data[respondent].to_numpy() if respondent is not None else data[chooser].to_numpy()
    return X, y, groups, starts, people


def _loglik_parts(beta, X, y, groups, starts):
    v = X @ beta
    vmax = np.maximum.reduceat(v, starts)
    ev = np.exp(v - vmax[groups])
    denom = np.add.reduceat(ev, starts)
    p = ev / denom[groups]
    loglik = float(np.sum(y * (v - vmax[groups])) - np.sum(np.log(denom)))
    return loglik, p


def choice_model(long_df, choice, alternative, chooser, attributes, price, respondent=None, *, conf_level=0.95,
                 draws=5000, seed=0, max_iter=100, tol=1e-10) -> ChoiceModelResult:
    """Conditional logit on long-format choice data, and willingness to pay for each attribute.

    Parameters
    ----------
    long_df : pandas.DataFrame
        One row per alternative in each choice set.
    choice : str
        1 (or True) for the chosen alternative, 0 otherwise.
    alternative : str
        Alternative id within a choice set.
    chooser : str
        Choice-set (choice situation) id.
    attributes : list of str
        Attribute columns entering utility linearly (price included).
    price : str
        The price attribute (one of ``attributes``); its coefficient should be negative.
    respondent : str, optional
        Respondent id, for standard errors clustered by respondent (each made
        several choices); default: clustered by choice set.
    conf_level : float, default 0.95
    draws : int, default 5000
        Krinsky-Robb draws from the estimates' normal distribution (robust covariance).
    seed : int, default 0

    Returns
    -------
    ChoiceModelResult

    Notes
    -----
    Maximum likelihood by Newton-Raphson with the analytic gradient and
    Hessian (the log-likelihood is concave). Estimates equal statsmodels'
    ``ConditionalLogit`` with the choice sets as groups and, with their
    clustered standard errors and WTP, R's ``mlogit`` (checked in the tests).
    Robust standard errors are clustered sandwiches with the G / (G - 1)
    small-sample factor (G clusters), as Stata's ``vce(cluster)``.
    WTP for attribute k is -beta_k / beta_price; its delta-method standard
    error uses the robust covariance. If the price coefficient is not negative,
    WTP is undefined: a warning is given and the WTP columns are missing.

    References
    ----------
    McFadden, D. (1974). Conditional logit analysis of qualitative choice
    behavior. In Zarembka (ed.), Frontiers in Econometrics, 105-142.
    Krinsky, I. and Robb, A. L. (1986). On approximating the statistical
    properties of elasticities. Review of Economics and Statistics 68, 715-719.
    Train, K. (2009). Discrete Choice Methods with Simulation, 2nd ed., ch. 3.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = [(s, a, int(a == c), p, q) for s, (c, prices) in enumerate([(0, (1, 2)), (1, (2, 1)), (0, (1, 3)),
    ...         (0, (2, 3)), (1, (3, 1)), (1, (1, 1))]) for a, (p, q) in enumerate(zip(prices, (0, 1)))]
    >>> df = pd.DataFrame(rows, columns=["set", "alt", "chosen", "price", "quality"])
    >>> res = choice_model(df, "chosen", "alt", "set", ["price", "quality"], price="price")
    >>> list(res.coefficients.term)
    ['price', 'quality']
    """
    conf_level = check_open_unit("conf_level", conf_level)
    attributes = list(attributes)
    if price not in attributes:
        raise ValueError(f"price={price!r} must be one of the attributes {attributes}")
    X, y, groups, starts, people = _prepare(long_df, choice, alternative, chooser, attributes, respondent)
    beta = np.zeros(X.shape[1])
    loglik, p = _loglik_parts(beta, X, y, groups, starts)
    for _ in range(max_iter):  # Newton steps, each over all choice sets at once
        xbar = np.add.reduceat(p[:, None] * X, starts)[groups]
        d = X - xbar
        grad = d.T @ (y - p)
        hess = -(d * p[:, None]).T @ d
        step = np.linalg.solve(hess, -grad)
        new_beta = beta + step
        new_ll, new_p = _loglik_parts(new_beta, X, y, groups, starts)
        while new_ll < loglik - 1e-9 * abs(loglik):  # step halving keeps every step uphill (beyond rounding)
            step /= 2
            new_beta = beta + step
            new_ll, new_p = _loglik_parts(new_beta, X, y, groups, starts)
        beta, p, loglik = new_beta, new_p, new_ll
        if np.max(np.abs(step)) < tol:  # Newton converges quadratically: stop when the step vanishes
            break
    xbar = np.add.reduceat(p[:, None] * X, starts)[groups]
    d = X - xbar
    hess = -(d * p[:, None]).T @ d
    bread = np.linalg.inv(-hess)
    scores_by_row = d * (y - p)[:, None]
    clusters, cluster_idx = np.unique(people, return_inverse=True)
    cluster_scores = np.zeros((len(clusters), X.shape[1]))
    np.add.at(cluster_scores, cluster_idx, scores_by_row)
    g = len(clusters)
    robust = bread @ (cluster_scores.T @ cluster_scores) @ bread * g / (g - 1)
    se, robust_se = np.sqrt(np.diag(bread)), np.sqrt(np.diag(robust))
    z = beta / robust_se
    ci_low, ci_high = wald_interval(beta, robust_se, conf_level)
    coefficients = pd.DataFrame({
        "term": attributes, "estimate": beta, "se": se, "robust_se": robust_se, "statistic": z,
        "p_value": p_value(z), "ci_low": ci_low, "ci_high": ci_high,
    })
    wtp = _wtp(beta, robust, attributes, price, conf_level, draws, seed)
    cov = pd.DataFrame(robust, index=attributes, columns=attributes)
    return ChoiceModelResult(coefficients, wtp, loglik, len(starts), len(clusters), cov)


def _wtp(beta, cov, attributes, price, conf_level, draws, seed):
    k = attributes.index(price)
    others = [i for i in range(len(attributes)) if i != k]
    names = [attributes[i] for i in others]
    if beta[k] >= 0:
        warnings.warn(f"the price coefficient ({beta[k]:.4g}) is not negative: willingness to pay is undefined",
                      stacklevel=3)
        nan = np.full(len(others), np.nan)
        return pd.DataFrame({"term": names, "wtp": nan, "se": nan, "ci_low": nan, "ci_high": nan,
                             "kr_low": nan, "kr_high": nan})
    b_p = beta[k]
    wtp = -beta[others] / b_p
    # delta method: d(-b_j / b_p) / d b_j = -1 / b_p, d / d b_p = b_j / b_p^2, one gradient row per attribute
    grads = np.zeros((len(others), len(beta)))
    grads[np.arange(len(others)), others] = -1 / b_p
    grads[:, k] = beta[others] / b_p**2
    se = delta_method_se(grads, cov)
    ci_low, ci_high = wald_interval(wtp, se, conf_level)
    kr_low, kr_high = krinsky_robb(lambda sims: -sims[:, others] / sims[:, [k]], beta, cov,
                                   draws=draws, seed=seed, conf_level=conf_level)
    return pd.DataFrame({
        "term": names, "wtp": wtp, "se": se, "ci_low": ci_low, "ci_high": ci_high, "kr_low": kr_low, "kr_high": kr_high,
    })
