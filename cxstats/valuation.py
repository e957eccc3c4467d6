"""Contingent valuation with dichotomous-choice questions ("would you pay $X?"), single or double bounded."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from ._inference import delta_method_se, krinsky_robb, wald_interval
from ._validate import check_choice, check_open_unit
from .survey import check_columns

_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(200)


@dataclass(frozen=True)
class ValuationResult:
    """Result of :func:`dichotomous_choice_wtp`.

    Attributes
    ----------
    parameters : pandas.DataFrame
        ``term`` (``location``, ``scale``), ``estimate``, ``se``: WTP (or log
        WTP with ``log_bid``) follows the distribution with this location and
        scale.
    wtp : pandas.DataFrame
        ``measure`` (``median``, ``mean``, ``truncated_mean``), ``estimate``,
        ``se`` and ``ci_low``/``ci_high`` (delta method), ``kr_low``/``kr_high``
        (Krinsky-Robb, seeded).
    loglik : float
    n : int
    """

    parameters: pd.DataFrame
    wtp: pd.DataFrame
    loglik: float
    n: int

    def to_frame(self) -> pd.DataFrame:
        """The WTP table."""
        return self.wtp


def _cdf(distribution):
    return special.expit if distribution == "logistic" else special.ndtr


def _log_survival_intervals(theta, lo, hi, cdf):
    """log P(lo < WTP <= hi) on the (log) bid scale, for theta = (location, log scale)."""
    mu, sigma = theta[0], np.exp(theta[1])
    upper = np.where(np.isinf(hi), 1.0, cdf((hi - mu) / sigma))
    lower = np.where(np.isinf(lo), 0.0, cdf((lo - mu) / sigma))
    return np.log(np.clip(upper - lower, 1e-300, None))


def _measures(theta, distribution, log_bid, max_bid):
    """Median, mean and mean truncated to [0, max_bid] (log bids) or [0, inf) (linear), for rows of theta."""
    theta = np.atleast_2d(theta)
    mu, sigma = theta[:, 0], np.exp(theta[:, 1])
    if not log_bid:
        median = mean = mu
        if distribution == "logistic":
            truncated = sigma * np.logaddexp(0, mu / sigma)
        else:
            truncated = mu * special.ndtr(mu / sigma) + sigma * stats.norm.pdf(mu / sigma)
    else:
        median = np.exp(mu)
        if distribution == "normal":
            mean = np.exp(mu + sigma**2 / 2)
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                mean = np.where(sigma < 1, np.exp(mu) * np.pi * sigma / np.sin(np.pi * sigma), np.inf)
        b = (max_bid / 2) * (_GL_NODES + 1)  # Gauss-Legendre on [0, max_bid]
        with np.errstate(divide="ignore"):
            z = (np.log(b)[None, :] - mu[:, None]) / sigma[:, None]
        survival = 1 - _cdf(distribution)(z)
        truncated = survival @ _GL_WEIGHTS * max_bid / 2
    return np.column_stack([median, mean, truncated])


def _hessian(f, x, h=1e-5):
    n = len(x)
    hess = np.empty((n, n))
    for i in range(n):  # central differences on a 2-parameter model
        for j in range(n):
            e_i, e_j = np.eye(n)[i] * h, np.eye(n)[j] * h
            hess[i, j] = (f(x + e_i + e_j) - f(x + e_i - e_j) - f(x - e_i + e_j) + f(x - e_i - e_j)) / (4 * h * h)
    return hess


def _bids(df, column, log_bid):
    col = df[column]
    if not pd.api.types.is_numeric_dtype(col):
        raise ValueError(f"bid column {column!r} must be numeric; it has values {col.dropna().unique()[:5]}")
    bid = col.to_numpy(dtype=float)
    bad = ~np.isfinite(bid) | (bid < 0) | ((bid <= 0) if log_bid else False)
    if bad.any():
        need = "positive (log_bid=True)" if log_bid else "non-negative"
        raise ValueError(f"bid column {column!r} must be {need} and finite; rows {df.index[bad][:5].tolist()} are not")
    return bid


def _answers(df, column):
    y = pd.to_numeric(df[column].astype("object"), errors="coerce").to_numpy(dtype=float)
    bad = ~np.isin(y, (0.0, 1.0))
    if bad.any():
        raise ValueError(f"response column {column!r} must be 0/1 (no = 0, yes = 1); rows "
                         f"{df.index[bad][:5].tolist()} are not")
    return y


def dichotomous_choice_wtp(df, bid, response, bid2=None, response2=None, *, distribution="logistic", log_bid=False,
                           conf_level=0.95, draws=5000, seed=0) -> ValuationResult:
    """Willingness to pay from "would you pay this amount?" questions, by maximum likelihood.

    Each respondent is offered a bid and says yes or no (single bounded);
    optionally a follow-up bid (higher after yes, lower after no) narrows their
    WTP to an interval (double bounded). WTP (or log WTP with ``log_bid``) is
    modelled as a logistic or normal variable with a location and a scale.

    Parameters
    ----------
    df : pandas.DataFrame
    bid, response : str
        First bid and the 0/1 answer to it.
    bid2, response2 : str, optional
        Follow-up bid and answer (double bounded).
    distribution : {"logistic", "normal"}
    log_bid : bool, default False
        Model log WTP (log-logistic or lognormal WTP; bids must be positive).
    conf_level : float, default 0.95
    draws : int, default 5000
        Krinsky-Robb draws.
    seed : int, default 0

    Returns
    -------
    ValuationResult

    Notes
    -----
    With linear bids the median and mean WTP equal the location; because WTP
    cannot be negative for most goods the mean truncated at zero is also given
    (closed forms: sigma log(1 + exp(mu / sigma)) for the logistic,
    mu Phi(mu / sigma) + sigma phi(mu / sigma) for the normal). With log bids
    the median is exp(location); the mean is exp(mu + sigma^2 / 2) (lognormal)
    or exp(mu) pi sigma / sin(pi sigma) (log-logistic, infinite when sigma >= 1),
    and the truncated mean integrates the survival curve from 0 to the largest
    bid. Single-bounded logistic and normal fits equal a logit and a probit of
    the answer on the bid (tested against statsmodels).

    References
    ----------
    Hanemann, W. M. (1984). Welfare evaluations in contingent valuation
    experiments with discrete responses. American Journal of Agricultural
    Economics 66, 332-341.
    Hanemann, M., Loomis, J. and Kanninen, B. (1991). Statistical efficiency of
    double-bounded dichotomous choice contingent valuation. American Journal of
    Agricultural Economics 73, 1255-1263.
    Krinsky, I. and Robb, A. L. (1986). Review of Economics and Statistics 68, 715-719.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> bids = rng.choice([5, 10, 15, 20, 25], 4000)
    >>> wtp = rng.logistic(12, 4, 4000)
    >>> res = dichotomous_choice_wtp(pd.DataFrame({"bid": bids, "yes": (wtp > bids).astype(int)}), "bid", "yes")
    >>> round(float(res.wtp.set_index("measure").loc["median", "estimate"]))
    12
    """
    check_choice("distribution", distribution, ("logistic", "normal"))
    conf_level = check_open_unit("conf_level", conf_level)
    if (bid2 is None) != (response2 is None):
        raise ValueError("give both bid2 and response2 for a double-bounded model, or neither")
    check_columns(df, bid, response, bid2, response2)
    b1, y1 = _bids(df, bid, log_bid), _answers(df, response)
    if len(np.unique(b1)) < 2:
        raise ValueError(f"the bid design has a single bid ({b1[0]:g}); WTP cannot be located with one bid")
    t = np.log if log_bid else (lambda v: v)
    lo = np.where(y1 == 1, t(b1), -np.inf)
    hi = np.where(y1 == 1, np.inf, t(b1))
    if bid2 is not None:
        b2, y2 = _bids(df, bid2, log_bid), _answers(df, response2)
        wrong = ((y1 == 1) & (b2 <= b1)) | ((y1 == 0) & (b2 >= b1))
        if wrong.any():
            raise ValueError(f"follow-up bids must be higher after yes and lower after no; rows "
                             f"{df.index[wrong][:5].tolist()} are not")
        lo = np.where((y1 == 1) & (y2 == 0), t(b1), np.where((y1 == 0) & (y2 == 1), t(b2), lo))
        hi = np.where((y1 == 1) & (y2 == 0), t(b2), np.where((y1 == 0) & (y2 == 1), t(b1), hi))
        lo = np.where((y1 == 1) & (y2 == 1), t(b2), lo)
        hi = np.where((y1 == 0) & (y2 == 0), t(b2), hi)
    cdf = _cdf(distribution)

    def negloglik(theta):
        return -np.sum(_log_survival_intervals(theta, lo, hi, cdf))

    scale_bids = t(b1)
    start = np.array([np.median(scale_bids), np.log(np.std(scale_bids) + 1e-9)])
    fit = optimize.minimize(negloglik, start, method="Nelder-Mead", options={"xatol": 1e-10, "fatol": 1e-12,
                                                                              "maxiter": 20000})
    fit = optimize.minimize(negloglik, fit.x, method="BFGS", options={"gtol": 1e-10})
    theta = fit.x
    cov = np.linalg.inv(_hessian(negloglik, theta))
    mu, sigma = theta[0], np.exp(theta[1])
    grad_sigma = sigma  # d sigma / d log sigma
    params = pd.DataFrame({"term": ["location", "scale"], "estimate": [mu, sigma],
                           "se": [np.sqrt(cov[0, 0]), grad_sigma * np.sqrt(cov[1, 1])]})
    max_bid = float(np.max(b1 if bid2 is None else np.maximum(b1, b2)))
    est = _measures(theta, distribution, log_bid, max_bid)[0]
    grads = np.empty((3, 2))
    for k in range(2):  # numerical gradient of the three measures
        step = np.eye(2)[k] * 1e-6
        grads[:, k] = (_measures(theta + step, distribution, log_bid, max_bid)[0]
                       - _measures(theta - step, distribution, log_bid, max_bid)[0]) / 2e-6
    se = delta_method_se(grads, cov)
    ci_low, ci_high = wald_interval(est, se, conf_level)
    kr_low, kr_high = krinsky_robb(lambda sims: _measures(sims, distribution, log_bid, max_bid), theta, cov,
                                   draws=draws, seed=seed, conf_level=conf_level)
    wtp = pd.DataFrame({"measure": ["median", "mean", "truncated_mean"], "estimate": est, "se": se,
                        "ci_low": ci_low, "ci_high": ci_high, "kr_low": kr_low, "kr_high": kr_high})
    return ValuationResult(params, wtp, float(-fit.fun), len(df))
