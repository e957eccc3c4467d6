"""Choice-based conjoint: a conditional (McFadden) logit with willingness to pay for each attribute."""

from __future__ import annotations

import numbers
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._inference import delta_method_se, krinsky_robb, p_value, wald_interval
from ._validate import MAX_DRAWS, MIN_DRAWS, check_memory, check_open_unit, check_seed, first_bad, plain, whole_number
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


MAX_ITER = 10_000
WORK_COPIES = 8  # rows x attributes float arrays alive at once while fitting


def _check_arguments(long_df, attributes, price, respondent, draws, seed, max_iter, tol):
    """Check the arguments that are not data; return the attributes as a list and the counts as ints."""
    if not isinstance(long_df, pd.DataFrame):
        raise ValueError(f"long_df must be a pandas DataFrame (one row per alternative), got {type(long_df).__name__}")
    if len(long_df) == 0:
        raise ValueError("long_df has no rows; the model needs choice sets")
    if isinstance(attributes, str):
        raise ValueError(f"attributes must be a list of column names, e.g. [{attributes!r}, ...], not one string")
    attributes = list(attributes)
    if not attributes:
        raise ValueError("attributes is empty; give the attribute columns, price included")
    repeated = sorted({a for a in attributes if attributes.count(a) > 1})
    if repeated:
        raise ValueError(f"attributes lists {repeated} more than once; give each attribute once")
    if price not in attributes:
        raise ValueError(f"price={price!r} must be one of the attributes {attributes}")
    if respondent is not None and respondent in attributes:
        raise ValueError(f"respondent={respondent!r} is an id, not an attribute; remove it from attributes")
    draws = whole_number("draws", draws, MIN_DRAWS, MAX_DRAWS)
    check_seed(seed)
    max_iter = whole_number("max_iter", max_iter, 1, MAX_ITER)
    if not isinstance(tol, numbers.Real) or not 0 < tol < 1:
        raise ValueError(f"tol must be a number strictly between 0 and 1 (e.g. 1e-10), got {plain(tol)!r}")
    k = len(attributes)
    check_memory("attributes", len(long_df) * k * 8 * WORK_COPIES,
                 f"the model works on {len(long_df):,} rows x {k} attributes; fit it on fewer attributes or a sample "
                 "of the choice sets")
    check_memory("draws", draws * (2 * k) * 8 * 2, f"the Krinsky-Robb interval keeps {draws:,} draws of {k} "
                 "coefficients and their WTP; use fewer draws")
    return attributes, draws, max_iter


def _numeric_column(data, name, what, valid="numeric"):
    """A column as floats; non-numeric, missing or infinite values are errors naming the column and rows."""
    col = data[name]
    if not (pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col)):
        values = pd.to_numeric(col.astype(object), errors="coerce")  # numbers stored as objects are kept
        text = values.isna().to_numpy() & col.notna().to_numpy()
        if text.any():
            shown = [plain(v) for v in col[text].unique()[:5]]
            raise ValueError(f"{what} column {name!r} must be {valid}; it has {shown}, e.g. rows "
                             f"{data.index[text][:5].tolist()}")
        col = values
    x = col.to_numpy(dtype=float, na_value=np.nan)
    bad = ~np.isfinite(x)
    if bad.any():
        raise ValueError(f"{what} column {name!r} has {bad.sum()} missing or infinite value(s), e.g. rows "
                         f"{data.index[bad][:5].tolist()}; every alternative needs a finite value")
    return x


def _prepare(long_df, choice, alternative, chooser, attributes, respondent):
    check_columns(long_df, choice, alternative, chooser, *attributes, respondent)
    for name in (chooser, alternative, respondent):
        if name is not None and long_df[name].isna().any():
            rows = long_df.index[long_df[name].isna().to_numpy()][:5].tolist()
            raise ValueError(f"id column {name!r} has missing values, e.g. rows {rows}; every row needs one")
    data = long_df.sort_values([chooser, alternative], kind="stable")
    y = _numeric_column(data, choice, "choice", "0/1 or boolean")
    if (i := first_bad(~np.isin(y, (0.0, 1.0)))) is not None:
        raise ValueError(f"choice column {choice!r} must be 0/1 or boolean; row {plain(data.index[i])!r} has "
                         f"{y[i]:g}")
    X = np.column_stack([_numeric_column(data, a, "attribute") for a in attributes])
    duplicated = data.duplicated([chooser, alternative]).to_numpy()
    if (i := first_bad(duplicated)) is not None:
        raise ValueError(f"alternative {plain(data[alternative].iloc[i])!r} appears twice in choice set "
                         f"{chooser} {plain(data[chooser].iloc[i])!r}; each alternative needs one row per choice set")
    sets, starts = np.unique(data[chooser].to_numpy(), return_index=True)
    chosen = np.add.reduceat(y, starts)
    if (chosen != 1).any():
        wrong = sets[chosen != 1]
        counts = chosen[chosen != 1][:5].astype(int).tolist()
        raise ValueError(f"every choice set needs exactly one chosen alternative; {len(wrong)} do not, e.g. "
                         f"{chooser} {[plain(v) for v in wrong[:5]]} (chosen counts {counts})")
    groups = np.repeat(np.arange(len(sets)), np.diff(np.append(starts, len(data))))
    people = data[respondent].to_numpy() if respondent is not None else data[chooser].to_numpy()
    if respondent is not None:
        mixed = data.groupby(chooser, sort=False)[respondent].nunique().to_numpy() > 1
        if (i := first_bad(mixed)) is not None:
            raise ValueError(f"choice set {chooser} {plain(data[chooser].unique()[i])!r} has rows of several "
                             f"{respondent!r} values; each choice set belongs to one respondent")
    return X, y, groups, starts, people


def _check_identified(X, y, groups, starts, attributes):
    """Raise unless every coefficient is identified and has a finite maximum-likelihood estimate.

    Conditional logit uses only differences between the alternatives of a choice set, so an attribute needs
    variation within choice sets, and the attributes, each centred on its choice set's mean, must be linearly
    independent (full column rank). The estimate is finite if, in addition, no direction b lets the chosen
    alternative's utility x'b be at least as high as every other alternative's in every choice set (complete
    or quasi-complete separation, Albert and Anderson 1984): along such a b the likelihood keeps rising. This is
    checked with a linear program.
    """
    counts = np.diff(np.append(starts, len(X)))
    centred = X - (np.add.reduceat(X, starts) / counts[:, None])[groups]
    size = np.maximum(np.abs(X).max(axis=0), 1.0)
    flat = [a for a, v, s in zip(attributes, np.abs(centred).max(axis=0), size, strict=True) if v <= 1e-12 * s]
    if flat:
        raise ValueError(f"attribute(s) {flat} do not vary within any choice set (every alternative a chooser saw "
                         "has the same value, e.g. a trait of the chooser); conditional logit cannot estimate them: "
                         "drop them, or interact them with an attribute that varies between alternatives")
    unit = centred / np.linalg.norm(centred, axis=0)
    singular, vectors = np.linalg.svd(np.linalg.qr(unit, mode="r"))[1:]
    singular = np.append(singular, np.zeros(len(attributes) - len(singular)))  # fewer rows than attributes
    null = vectors[singular < 1e-10 * singular[0]]
    if null.size:
        involved = [a for a, weight in zip(attributes, np.abs(null).max(axis=0), strict=True) if weight > 1e-6]
        raise ValueError(f"attributes {involved} are linearly dependent within choice sets (one is a combination "
                         "of the others once each choice set's mean is removed), so their effects cannot be told "
                         "apart; drop one of them")
    _check_separation(X, y, groups, starts, attributes)


def _check_separation(X, y, groups, starts, attributes):
    """Raise if the chosen alternatives are perfectly predicted by some combination of the attributes."""
    from scipy import optimize

    chosen_row = np.flatnonzero(y == 1)[groups]  # one chosen row per choice set, the sets in order
    others = y == 0
    gaps = X[chosen_row][others] - X[others]  # chosen minus each other alternative
    distinct = np.unique(gaps, axis=0)
    distinct = distinct[np.abs(distinct).max(axis=1) > 0]
    scale = np.abs(distinct).max(axis=0)
    unit = distinct / scale
    # maximize the summed gaps along b subject to every gap >= 0 and |b| <= 1: positive only if separated
    lp = optimize.linprog(-unit.sum(axis=0), A_ub=-unit, b_ub=np.zeros(len(unit)), bounds=[(-1, 1)] * X.shape[1],
                          method="highs")
    if lp.status != 0 or -lp.fun <= 1e-7 or (unit @ lp.x).min() < -1e-9:
        return  # not separated (a failed program leaves the check to the convergence checks after fitting)
    b = lp.x / scale
    b /= np.abs(b).max()  # shown with its largest weight 1
    involved = [a for a, v in zip(attributes, lp.x, strict=True) if abs(v) > 1e-9]
    combination = " + ".join(f"{v:.3g}*{a}" for a, v in zip(attributes, b, strict=True) if a in involved)
    margin = np.full(len(starts), np.inf)
    np.minimum.at(margin, groups[others], gaps @ b)
    has_others = np.isfinite(margin)
    strict = int((margin[has_others] > 1e-9 * np.abs(b).max()).sum())
    raise ValueError(f"the choices are perfectly separated by attribute(s) {involved}: in every choice set the chosen "
                     f"alternative scores at least as high as the others on {combination} (strictly higher in "
                     f"{strict} of {int(has_others.sum())} choice sets), so the likelihood keeps rising as these "
                     "coefficients grow and has no maximum; drop or merge the attribute(s), or add choice sets where "
                     "they trade off against each other")


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
        Krinsky-Robb draws from the estimates' normal distribution (robust
        covariance), from 100 to 1,000,000.
    seed : int, default 0
    max_iter : int, default 100
        Newton steps allowed (at most 10,000).
    tol : float, default 1e-10
        Convergence: the last Newton step changes no coefficient by more than
        ``tol`` times the largest coefficient (or ``tol`` if that is below 1).

    Returns
    -------
    ChoiceModelResult

    Raises
    ------
    ValueError
        Missing or non-numeric columns, missing values, choice sets without
        exactly one chosen alternative, an alternative listed twice in a
        choice set, a choice set shared by several respondents, no more
        clusters than attributes, ``draws``/``max_iter``/``tol``/``seed`` out
        of range or work above 2 GiB. Coefficients that are not identified
        (named): an attribute without variation within any choice set,
        attributes that are linearly dependent within choice sets, or
        choices perfectly predicted by the attributes (complete or
        quasi-complete separation, where the likelihood has no maximum). A fit
        that does not converge or ends with a singular information matrix.

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
    Albert, A. and Anderson, J. A. (1984). On the existence of maximum
    likelihood estimates in logistic regression models. Biometrika 71, 1-10.

    Examples
    --------
    >>> import pandas as pd
    >>> sets = [(0, (1, 2)), (1, (2, 1)), (0, (1, 3)), (0, (2, 3)), (1, (3, 1)), (1, (1, 1)), (1, (1, 2)),
    ...         (0, (1, 1)), (0, (2, 1))]  # (chosen alternative, prices); quality is 0 and 1
    >>> rows = [(s, a, int(a == c), p, q) for s, (c, prices) in enumerate(sets)
    ...         for a, (p, q) in enumerate(zip(prices, (0, 1)))]
    >>> df = pd.DataFrame(rows, columns=["set", "alt", "chosen", "price", "quality"])
    >>> res = choice_model(df, "chosen", "alt", "set", ["price", "quality"], price="price")
    >>> res.coefficients[["term", "estimate"]].round(2)
          term  estimate
    0    price     -0.89
    1  quality     -0.16
    """
    conf_level = check_open_unit("conf_level", conf_level)
    attributes, draws, max_iter = _check_arguments(long_df, attributes, price, respondent, draws, seed, max_iter, tol)
    X, y, groups, starts, people = _prepare(long_df, choice, alternative, chooser, attributes, respondent)
    clusters, cluster_idx = np.unique(people, return_inverse=True)
    g = len(clusters)
    if g <= len(attributes):
        raise ValueError(f"clustered standard errors need more clusters than attributes: {g} "
                         f"{'respondents' if respondent is not None else 'choice sets'} ({respondent or chooser!r}) "
                         f"for {len(attributes)} attributes; collect more, or fit fewer attributes")
    _check_identified(X, y, groups, starts, attributes)
    beta, p, loglik = _fit(X, y, groups, starts, attributes, max_iter, tol)
    d = X - np.add.reduceat(p[:, None] * X, starts)[groups]
    bread = _inverse_information((d * p[:, None]).T @ d, d.T @ (y - p), attributes)
    cluster_scores = np.zeros((g, X.shape[1]))
    np.add.at(cluster_scores, cluster_idx, d * (y - p)[:, None])
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
    return ChoiceModelResult(coefficients, wtp, loglik, len(starts), g, cov)


def _fit(X, y, groups, starts, attributes, max_iter, tol):
    """Maximum likelihood by Newton-Raphson with step halving; raises unless it converges."""
    beta = np.zeros(X.shape[1])
    loglik, p = _loglik_parts(beta, X, y, groups, starts)
    for _ in range(max_iter):  # Newton steps, each over all choice sets at once
        d = X - np.add.reduceat(p[:, None] * X, starts)[groups]
        step = np.linalg.solve(_information_checked((d * p[:, None]).T @ d, attributes), d.T @ (y - p))
        for _ in range(60):  # step halving keeps every step uphill (beyond rounding)
            new_ll, new_p = _loglik_parts(beta + step, X, y, groups, starts)
            if new_ll >= loglik - 1e-9 * abs(loglik):
                break
            step /= 2
        else:
            raise ValueError("the fit did not converge: no step from the current estimates raises the "
                             "log-likelihood; check the attributes for near-perfect prediction of the choices")
        beta, p, loglik = beta + step, new_p, new_ll
        if np.max(np.abs(step)) < tol * max(1.0, np.max(np.abs(beta))):  # Newton converges quadratically
            return beta, p, loglik
    raise ValueError(f"the fit did not converge in max_iter={max_iter} Newton steps (the last changed a coefficient "
                     f"by {np.max(np.abs(step)):.3g}); raise max_iter, or check the attributes for near-perfect "
                     "prediction of the choices")


def _information_checked(info, attributes):
    """The information matrix, after checking that it is positive definite (well enough to invert)."""
    scale = np.sqrt(np.clip(np.diag(info), 0, None))
    with np.errstate(divide="ignore", invalid="ignore"):
        corr = info / np.outer(scale, scale)
    if not np.isfinite(corr).all():
        flat = [a for a, v in zip(attributes, scale, strict=True) if not v > 0]
        raise ValueError(f"the likelihood is flat in attribute(s) {flat} at the current estimates (every choice "
                         "probability is 0 or 1): near-perfect prediction of the choices; no estimate is reliable")
    values, vectors = np.linalg.eigh(corr)
    if values[0] < 1e-10:
        weak = vectors[:, 0]
        involved = [a for a, v in zip(attributes, np.abs(weak), strict=True) if v > 0.1]
        raise ValueError(f"the information matrix is singular at the estimates (smallest eigenvalue {values[0]:.2g} "
                         f"after scaling): the likelihood is flat along a combination of {involved}, so their "
                         "estimates and standard errors would be meaningless; check these attributes for near-perfect "
                         "prediction of the choices or near-collinearity")
    return info


def _inverse_information(info, grad, attributes):
    """Classical covariance (inverse information) at the final estimates, after checking convergence."""
    inverse = np.linalg.inv(_information_checked(info, attributes))
    gain = float(grad @ inverse @ grad) / 2  # log-likelihood a further Newton step would add
    if not gain < 1e-6:
        raise ValueError(f"the fit did not converge: a further Newton step would still raise the log-likelihood by "
                         f"{gain:.3g}; raise max_iter or lower tol")
    return inverse


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
