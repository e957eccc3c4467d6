"""Contingent valuation with dichotomous-choice questions ("would you pay $X?"), single or double bounded."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._inference import delta_method_se, krinsky_robb, wald_interval
from ._validate import MAX_DRAWS, MIN_DRAWS, check_choice, check_open_unit, check_seed, plain, whole_number
from .survey import check_columns

_CHUNK = 10_000  # parameter draws per block of the truncated-mean integral (block x 200 nodes at a time)


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
    from scipy import special

    return special.expit if distribution == "logistic" else special.ndtr


def _log_survival_intervals(theta, lo, hi, cdf):
    """log P(lo < WTP <= hi) on the (log) bid scale, for theta = (location, log scale)."""
    mu, sigma = theta[0], np.exp(theta[1])
    upper = np.where(np.isinf(hi), 1.0, cdf((hi - mu) / sigma))
    lower = np.where(np.isinf(lo), 0.0, cdf((lo - mu) / sigma))
    return np.log(np.clip(upper - lower, 1e-300, None))


def _log_interval_probs_slope(ac, lo, hi, cdf):
    """The same log-probabilities for ac = (location / scale, 1 / scale), where the log-likelihood is concave
    (Pratt 1981) and the fit cannot wander off along a flat ridge; any slope is allowed (a negative one only
    fits single-bounded answers that rise with the bid, which are refused before fitting)."""
    a, c = ac
    with np.errstate(invalid="ignore"):  # 0 x inf at a slope of 0: masked by the where
        upper = np.where(np.isinf(hi), 1.0, cdf(c * hi - a))
        lower = np.where(np.isinf(lo), 0.0, cdf(c * lo - a))
    return np.log(np.clip(upper - lower, 1e-300, None))


def _measures(theta, distribution, log_bid, max_bid):
    """Median, mean and mean truncated to [0, max_bid] (log bids) or [0, inf) (linear), for rows of theta."""
    from scipy import special, stats

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
        truncated = np.concatenate([_truncated_log_mean(mu[i:i + _CHUNK], sigma[i:i + _CHUNK], distribution, max_bid)
                                    for i in range(0, len(mu), _CHUNK)])
    return np.column_stack([median, mean, truncated])


def _truncated_log_mean(mu, sigma, distribution, max_bid):
    """Mean WTP truncated to [0, max_bid] when log WTP has this location and scale: the integral of the survival
    curve, by Gauss-Legendre on [0, max_bid]."""
    nodes, weights = _gauss_legendre()
    b = (max_bid / 2) * (nodes + 1)
    z = (np.log(b)[None, :] - mu[:, None]) / sigma[:, None]
    survival = 1 - _cdf(distribution)(z)
    return survival @ weights * max_bid / 2


@functools.cache
def _gauss_legendre():
    """The 200-node rule on [-1, 1], computed on first use (about 40 ms, too slow for `import cxstats`)."""
    return np.polynomial.legendre.leggauss(200)


def _steps(theta, size):
    """Finite-difference steps for theta = (location, log scale): ``size`` scales, i.e. relative to the scale for
    the location (the likelihood changes over a scale's width, however large or small the scale)."""
    return size * np.array([np.exp(theta[1]), 1.0])


def _gradient(f, x, h):
    return np.array([(f(x + e) - f(x - e)) / (2 * e.sum()) for e in np.diag(h)])


def _hessian(f, x, h):
    n = len(x)
    hess = np.empty((n, n))
    for i in range(n):  # central differences on a 2-parameter model
        for j in range(n):
            e_i, e_j = np.eye(n)[i] * h[i], np.eye(n)[j] * h[j]
            hess[i, j] = (f(x + e_i + e_j) - f(x + e_i - e_j) - f(x - e_i + e_j) + f(x - e_i - e_j)) / (4 * h[i] * h[j])
    return hess


def _bids(df, column, log_bid):
    col = df[column]
    if not pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col):
        shown = [plain(v) for v in col.dropna().unique()[:5]]
        raise ValueError(f"bid column {column!r} must be numeric; it has {col.dtype} values such as {shown}")
    bid = col.to_numpy(dtype=float, na_value=np.nan)
    bad = ~np.isfinite(bid) | (bid < 0) | ((bid <= 0) if log_bid else False)
    if bad.any():
        need = "positive (log_bid=True)" if log_bid else "non-negative"
        raise ValueError(f"bid column {column!r} must be {need} and finite; rows {df.index[bad][:5].tolist()} are not")
    return bid


def _answers(df, column):
    y = pd.to_numeric(df[column].astype("object"), errors="coerce").to_numpy(dtype=float)
    bad = ~np.isin(y, (0.0, 1.0))
    if bad.any():
        shown = [plain(v) for v in df.loc[bad, column].unique()[:5]]
        raise ValueError(f"response column {column!r} must be 0/1 (no = 0, yes = 1); rows "
                         f"{df.index[bad][:5].tolist()} are not (values {shown})")
    return y


def _check_identified(lo, hi, log_bid):
    """Raise unless the answers can locate WTP and measure its spread.

    ``lo`` and ``hi`` bound each respondent's WTP (on the bid scale of the model): the highest bid accepted
    (-inf if none) and the lowest refused (inf if none). The likelihood has no maximum when no bid was refused
    (or none accepted): WTP runs off to infinity; when every accepted bid is at or below every refused one: the
    scale shrinks to zero; and when no respondent is bounded on both sides and acceptance does not fall as the
    bid rises: the scale grows without bound (the best fit is a flat acceptance curve).
    """
    show = np.exp if log_bid else float
    if np.isinf(hi).all():
        raise ValueError(f"every respondent said yes to every bid offered (up to {show(lo.max()):g}): WTP lies above "
                         "all bids, so neither its location nor its spread can be estimated; offer higher bids")
    if np.isinf(lo).all():
        raise ValueError(f"every respondent said no to every bid offered (down to {show(hi.min()):g}): WTP lies "
                         "below all bids, so neither its location nor its spread can be estimated; offer lower bids")
    top_accepted, lowest_refused = lo.max(), hi.min()
    if top_accepted <= lowest_refused:
        raise ValueError(f"the answers are perfectly separated: every accepted bid (at most {show(top_accepted):g}) "
                         f"is at or below every refused bid (at least {show(lowest_refused):g}), so the spread of WTP "
                         "(scale) shrinks to 0 and has no estimate; more respondents or bids are needed where "
                         "answers overlap")
    if not (np.isfinite(lo) & np.isfinite(hi)).any():
        yes = np.isfinite(lo).astype(float)
        bid = np.where(np.isfinite(lo), lo, hi)
        if not np.mean((bid - bid.mean()) * yes) < 0:
            r = np.corrcoef(bid, yes)[0, 1]
            raise ValueError(f"the yes answers do not fall as the bid rises (correlation of answer and bid "
                             f"{r:+.2f}); the model needs acceptance to fall with the bid, so these answers give no "
                             "WTP estimate (its scale would be infinite); check that yes is coded 1 and the bid "
                             "column is the amount asked")


def _covariance(negloglik, theta):
    """Inverse Hessian of ``negloglik`` at ``theta``, after checking that ``theta`` is its minimum.

    Raises if the Hessian is not positive definite (the likelihood is flat or curved the wrong way: no unique
    estimate) or if a Newton step would still raise the log-likelihood by more than 1e-6 (not converged).
    """
    hess = _hessian(negloglik, theta, _steps(theta, 1e-4))
    where = f"location {theta[0]:.6g}, log scale {theta[1]:.6g}"
    try:
        chol = np.linalg.cholesky(hess) if np.isfinite(hess).all() else None
    except np.linalg.LinAlgError:
        chol = None
    if chol is None:
        raise ValueError(f"the likelihood has no clear maximum (its Hessian at {where} is singular or not positive "
                         "definite): the answers do not pin down WTP's location and scale; check the bids and answers")
    grad = _gradient(negloglik, theta, _steps(theta, 1e-6))
    half_step = np.linalg.solve(chol, grad)
    gain = float(half_step @ half_step) / 2  # log-likelihood a Newton step would still add
    if not gain < 1e-6:
        raise ValueError(f"the maximum-likelihood fit did not converge (at {where} a Newton step would still raise "
                         f"the log-likelihood by {gain:.3g}); check the bids and answers")
    return np.linalg.inv(hess)


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
        Krinsky-Robb draws, from 100 to 1,000,000.
    seed : int, default 0

    Returns
    -------
    ValuationResult

    Raises
    ------
    ValueError
        Missing columns; bids that are not numeric, negative (or not positive
        with ``log_bid``) or missing; answers other than 0/1; a single bid;
        follow-up bids on the wrong side; ``draws`` outside 100 to 1,000,000
        or a bad ``seed``. Answers that cannot locate WTP or measure its
        spread: all yes, all no, every accepted bid at or below every refused
        one (perfect separation: zero scale), or, without follow-up
        intervals, acceptance that does not fall as the bid rises (infinite
        scale). A fit whose Hessian is not positive definite or that did not
        converge.

    Notes
    -----
    The likelihood is maximized in (location / scale, 1 / scale), where it is
    concave for both distributions (Pratt 1981); standard errors come from
    the numerical Hessian in (location, log scale).

    With linear bids the median and mean WTP equal the location; because WTP
    cannot be negative for most goods the mean truncated at zero is also given
    (closed forms: sigma log(1 + exp(mu / sigma)) for the logistic,
    mu Phi(mu / sigma) + sigma phi(mu / sigma) for the normal). With log bids
    the median is exp(location); the mean is exp(mu + sigma^2 / 2) (lognormal)
    or exp(mu) pi sigma / sin(pi sigma) (log-logistic, infinite when sigma >= 1),
    and the truncated mean integrates the survival curve from 0 to the largest
    bid. An infinite mean has no standard error or delta-method interval
    (missing). Single-bounded logistic and normal fits equal a logit and a probit of
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
    Pratt, J. W. (1981). Concavity of the log likelihood. Journal of the
    American Statistical Association 76, 103-106.

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
    from scipy import optimize

    check_choice("distribution", distribution, ("logistic", "normal"))
    conf_level = check_open_unit("conf_level", conf_level)
    draws = whole_number("draws", draws, MIN_DRAWS, MAX_DRAWS)
    check_seed(seed)
    if not isinstance(log_bid, bool | np.bool_):
        raise ValueError(f"log_bid must be True or False, got {plain(log_bid)!r}")
    if not isinstance(df, pd.DataFrame):
        raise ValueError(f"df must be a pandas DataFrame with one row per respondent, got {type(df).__name__}")
    if len(df) == 0:
        raise ValueError("df has no rows; the model needs respondents' answers")
    if (bid2 is None) != (response2 is None):
        raise ValueError("give both bid2 and response2 for a double-bounded model, or neither")
    check_columns(df, bid, response, bid2, response2)
    b1, y1 = _bids(df, bid, log_bid), _answers(df, response)
    offered = b1
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
        offered = np.concatenate([b1, b2])  # a single first bid is enough when the follow-ups differ
    if len(np.unique(offered)) < 2:
        raise ValueError(f"the bid design has a single bid ({offered[0]:g}); WTP cannot be located with one bid")
    _check_identified(lo, hi, log_bid)
    cdf = _cdf(distribution)

    def negloglik(theta):
        return -np.sum(_log_survival_intervals(theta, lo, hi, cdf))

    scale_bids = t(offered)
    slope = 1 / np.std(scale_bids)  # the bids vary: at least two are distinct
    start = np.array([np.median(scale_bids) * slope, slope])
    fit = optimize.minimize(lambda ac: -np.sum(_log_interval_probs_slope(ac, lo, hi, cdf)), start, method="BFGS",
                            options={"gtol": 1e-10})
    if not fit.x[1] > 0:
        raise ValueError(f"the fit ended with a scale that is not positive (1 / scale = {fit.x[1]:.3g}): the answers "
                         "do not fall with the bid; check the bids and answers")
    theta = np.array([fit.x[0] / fit.x[1], -np.log(fit.x[1])])
    cov = _covariance(negloglik, theta)
    mu, sigma = theta[0], np.exp(theta[1])
    grad_sigma = sigma  # d sigma / d log sigma
    params = pd.DataFrame({"term": ["location", "scale"], "estimate": [mu, sigma],
                           "se": [np.sqrt(cov[0, 0]), grad_sigma * np.sqrt(cov[1, 1])]})
    max_bid = float(np.max(b1 if bid2 is None else np.maximum(b1, b2)))
    with np.errstate(over="ignore", invalid="ignore"):  # an infinite mean (log-logistic, scale >= 1) has no se
        est = _measures(theta, distribution, log_bid, max_bid)[0]
        grads = np.empty((3, 2))
        for k in range(2):  # numerical gradient of the three measures
            step = np.eye(2)[k] * 1e-6
            grads[:, k] = (_measures(theta + step, distribution, log_bid, max_bid)[0]
                           - _measures(theta - step, distribution, log_bid, max_bid)[0]) / 2e-6
        se = np.where(np.isfinite(est), delta_method_se(grads, cov), np.nan)
        ci_low, ci_high = wald_interval(est, se, conf_level)
        kr_low, kr_high = krinsky_robb(lambda sims: _measures(sims, distribution, log_bid, max_bid), theta, cov,
                                       draws=draws, seed=seed, conf_level=conf_level)
    wtp = pd.DataFrame({"measure": ["median", "mean", "truncated_mean"], "estimate": est, "se": se,
                        "ci_low": ci_low, "ci_high": ci_high, "kr_low": kr_low, "kr_high": kr_high})
    return ValuationResult(params, wtp, float(-negloglik(theta)), len(df))
