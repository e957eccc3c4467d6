"""Ordinal regression: the proportional-odds (cumulative link) model of a rating on its predictors."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._inference import p_value, wald_interval
from ._validate import check_choice, check_open_unit
from .design import SurveyDesign, check_columns

LINKS = ("logit", "probit")
MAX_ITER = 2000  # BFGS iterations
POLISH_STEPS = 5  # Newton steps after BFGS
MIN_INFORMATION = 1e-6  # smallest eigenvalue of the observed information (scaled predictors) of an identified model


@dataclass(frozen=True, eq=False)
class OrdinalModelResult:
    """Result of :func:`ordinal_model`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per coefficient, then one per cut-point: ``term``
        (``Infl[T.Medium]`` for a category against the first one, the column
        name for a number, ``Low|Medium`` for the cut-point between two
        answers), ``estimate``, ``se``, ``statistic`` (z), ``p_value``
        (two-sided, normal), ``ci_low``, ``ci_high`` (Wald, normal quantile),
        and for the logit link ``odds_ratio``, ``odds_ratio_ci_low``,
        ``odds_ratio_ci_high`` (exp of the coefficient and of its interval;
        missing for cut-points).
    loglik : float
    n : int
        Respondents used (the sum of the frequencies).
    n_missing : int
        Respondents (frequencies) left out for a missing outcome or predictor.
    link : str
    outcome : str
    levels : tuple
        The outcome's answers, lowest first.
    covariance : pandas.DataFrame
        Covariance of the estimates (coefficients and cut-points), from the
        observed information.
    """

    table: pd.DataFrame
    loglik: float
    n: int
    n_missing: int
    link: str
    outcome: str
    levels: tuple
    covariance: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """The coefficient table."""
        return self.table


# ------------------------------------------------------------------ data to arrays

def _outcome_codes(column: pd.Series, name: str) -> tuple[np.ndarray, list]:
    """Codes 0..K-1 of an ordered outcome (-1 where missing) and its levels, lowest first."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        if not column.dtype.ordered:
            raise ValueError(f"outcome {name!r} is an unordered categorical; give its order with "
                             f"df[{name!r}].cat.as_ordered() or pd.Categorical(..., categories=[low, ..., high], "
                             "ordered=True)")
        return column.cat.codes.to_numpy(dtype=np.int64), list(column.cat.categories)
    if pd.api.types.is_bool_dtype(column) or not pd.api.types.is_numeric_dtype(column):
        raise ValueError(f"outcome {name!r} must be ordered: numbers (ordered by value) or an ordered categorical; "
                         f"it has values {column.dropna().unique()[:5].tolist()}")
    values = column.to_numpy(dtype=float, na_value=np.nan)
    if np.isinf(values).any():
        raise ValueError(f"outcome {name!r} has infinite values (rows {np.flatnonzero(np.isinf(values))[:5].tolist()}, "
                         "counted from 0); answers must be finite numbers or missing")
    levels = np.unique(values[~np.isnan(values)])
    codes = np.full(len(values), -1, dtype=np.int64)
    codes[~np.isnan(values)] = np.searchsorted(levels, values[~np.isnan(values)])
    whole = bool((levels == np.round(levels)).all())
    return codes, [int(lv) if whole else float(lv) for lv in levels]


def _design_matrix(frame: pd.DataFrame, predictors: list) -> tuple[np.ndarray, list, np.ndarray]:
    """Numeric predictors as they are, categories as indicators against their first level (patsy's names).

    Returns the matrix, the term names, which rows have a missing predictor and the positions of the numeric terms.
    """
    blocks, names, numeric_terms = [], [], []
    missing = np.zeros(len(frame), dtype=bool)
    for column in predictors:
        values = frame[column]
        missing |= values.isna().to_numpy()
        numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values) and \
            not isinstance(values.dtype, pd.CategoricalDtype)
        if numeric:
            x = values.to_numpy(dtype=float, na_value=np.nan)
            if np.isinf(x).any():
                raise ValueError(f"predictor {column!r} has infinite values (rows "
                                 f"{np.flatnonzero(np.isinf(x))[:5].tolist()}, counted from 0); give finite numbers "
                                 "or missing values")
            blocks.append(x[:, None])
            numeric_terms.append(len(names))
            names.append(column)
            continue
        if isinstance(values.dtype, pd.CategoricalDtype):
            levels = [lv for lv in values.cat.categories if (values == lv).any()]  # unused categories are dropped
        else:
            try:
                levels = sorted(values.dropna().unique().tolist())
            except TypeError:
                kinds = sorted({type(v).__name__ for v in values.dropna()})
                raise ValueError(f"predictor {column!r} mixes values of different types ({', '.join(kinds)}), which "
                                 "have no order for its categories; convert it to one type, e.g. "
                                 f"df[{column!r}].astype(str), or give it as a categorical") from None
        if len(levels) < 2:
            raise ValueError(f"predictor {column!r} has a single value {levels} among the respondents; it explains "
                             "nothing: drop it")
        blocks.append(np.column_stack([(values == lv).to_numpy(dtype=float) for lv in levels[1:]]))
        names += [f"{column}[T.{lv}]" for lv in levels[1:]]
    return np.column_stack(blocks), names, missing, numeric_terms


def _frequencies(frame: pd.DataFrame, freq_weight) -> np.ndarray:
    """Whole-number frequencies (ones without ``freq_weight``); anything else is an error naming the column."""
    if freq_weight is None:
        return np.ones(len(frame))
    column = frame[freq_weight]
    if isinstance(column.dtype, pd.CategoricalDtype) or pd.api.types.is_bool_dtype(column) or \
            not pd.api.types.is_numeric_dtype(column):
        raise ValueError(f"freq_weight column {freq_weight!r} must hold whole numbers (how many respondents gave "
                         "each row's answers)")
    f = column.to_numpy(dtype=float, na_value=np.nan)
    if not np.isfinite(f).all() or (f < 0).any():
        raise ValueError(f"freq_weight column {freq_weight!r} has missing, infinite or negative values; every row "
                         "needs a count of 0 or more")
    if (f != np.round(f)).any():
        shown = f[f != np.round(f)][:3].tolist()
        raise ValueError(f"freq_weight column {freq_weight!r} has values that are not whole numbers, e.g. {shown}; "
                         "it counts identical respondents. Survey weights are not supported by ordinal_model")
    return f


# ------------------------------------------------------------------ fit

def _fit(y, X, freq, link):
    """Maximum likelihood with statsmodels' OrderedModel, each row's log-likelihood times its frequency."""
    from statsmodels.miscmodels.ordinal_model import OrderedModel
    from statsmodels.tools.sm_exceptions import ConvergenceWarning, HessianInversionWarning

    class FrequencyWeighted(OrderedModel):
        # OrderedModel has no weights (a freq_weights= keyword is silently ignored): weight its rows' log-likelihood
        def __init__(self, endog, exog, weights, **kwargs):
            self.freq = weights
            super().__init__(endog, exog, **kwargs)

        def loglikeobs(self, params):
            return self.freq * super().loglikeobs(params)

    model = FrequencyWeighted(y, X, freq, distr=link)
    k = y.max() + 1
    shares = np.bincount(y, weights=freq, minlength=k).cumsum()[:-1] / freq.sum()
    cuts = model.distr.ppf(shares)  # start: the cut-points of the model without predictors
    start = np.concatenate([np.zeros(X.shape[1]), cuts[:1], np.log(np.diff(cuts))])
    with warnings.catch_warnings():  # convergence is judged by _checked_covariance, not by BFGS's own flag
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", HessianInversionWarning)
        params = np.asarray(model.fit(start_params=start, method="bfgs", maxiter=MAX_ITER, gtol=1e-8, disp=0).params)
    loglik = model.loglike(params)
    for _ in range(POLISH_STEPS):  # BFGS on numerical gradients can stop early: finish with Newton steps
        try:
            step = np.linalg.solve(-model.hessian(params), model.score(params))
        except np.linalg.LinAlgError:
            break  # a singular information matrix is reported by _checked_covariance
        new = model.loglike(params + step)
        if not new > loglik:
            break
        params, loglik = params + step, new
    return model, params, float(loglik)


def _checked_covariance(model, params):
    """Inverse observed information, after checking that the estimates are a well-defined maximum."""
    hess = -model.hessian(params)
    try:
        chol = np.linalg.cholesky(hess) if np.isfinite(hess).all() else None
    except np.linalg.LinAlgError:
        chol = None
    values = np.linalg.eigvalsh(hess) if chol is not None else None
    # numeric predictors arrive centred and scaled, so an information this small (relative, or absolute: a whole
    # respondent contributes far more) means a likelihood flat along some direction: separation or collinearity
    if chol is None or values.min() < max(1e-9 * values.max(), MIN_INFORMATION):
        raise ValueError("the model is not identified: the log-likelihood has no clear maximum (its information "
                         "matrix is singular), as when a predictor category predicts the outcome perfectly "
                         "(separation) or predictors are collinear; merge sparse categories or drop a predictor")
    step = np.linalg.solve(chol, model.score(params))
    gain = float(step @ step) / 2  # log-likelihood a further Newton step would add
    if not gain < 1e-6:
        raise ValueError(f"the fit did not converge: a further Newton step would still raise the log-likelihood by "
                         f"{gain:.3g}; coefficients may be diverging (separation) or predictors badly scaled")
    return np.linalg.inv(hess)


def ordinal_model(data, outcome, predictors, *, freq_weight=None, link="logit", conf_level=0.95,
                  weight=None) -> OrdinalModelResult:
    """Proportional-odds regression of an ordered answer (Low < Medium < High, 1-5) on predictors.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent, or per combination of answers with its count
        in ``freq_weight``.
    outcome : str
        The ordered answer: an ordered categorical (its order) or numbers
        (ordered by value). Every answer level must occur.
    predictors : list of str
        Numeric columns (one coefficient each) and categorical or text
        columns (one coefficient per category against the first: categories
        in their order, text sorted; unused categories are dropped).
    freq_weight : str, optional
        Column of whole-number counts: how many respondents gave the row's
        answers (a frequency table). Not a survey weight.
    link : {"logit", "probit"}
    conf_level : float, default 0.95
    weight : None
        Survey weights are not supported (a design-based ordinal model is not
        implemented); giving one is an error rather than a silent
        frequency weight.

    Returns
    -------
    OrdinalModelResult
        ``.table`` (coefficients then cut-points, with odds ratios for the
        logit link), ``.loglik``, ``.n``, ``.link``, ``.covariance``.

    Raises
    ------
    ValueError
        A survey design or ``weight=``; a missing column; an outcome that is
        not ordered or has an answer level nobody gave (named), or fewer than
        two levels; a predictor with a single value; collinear predictors;
        frequencies that are not whole numbers; a model whose information
        matrix is singular (separation) or a fit that did not converge.

    Notes
    -----
    The model is P(Y <= k | x) = F(zeta_k - x'beta) with F the logistic or
    normal distribution function, as R's ``MASS::polr``: a positive
    coefficient moves answers up the scale, and for the logit link
    exp(beta) is the odds ratio of a higher versus a lower answer per unit
    of the predictor, the same at every cut. The fit is statsmodels'
    ``OrderedModel`` (BFGS, then Newton steps; numerical derivatives) with each row's
    log-likelihood multiplied by its frequency, which equals fitting the
    expanded respondents. statsmodels parametrizes the cut-points as the
    first one and the logs of the increments; they are converted to the
    cut-points themselves, with delta-method standard errors (exact for a
    reparametrization at the maximum). Numeric predictors are centred and
    scaled to unit standard deviation for the fit, and the estimates and
    their covariance transformed back (exactly: a linear map), so a year or
    an income in its own units fits as well as a z-score. Standard errors
    come from the observed information (numerical Hessian); intervals are Wald intervals
    (R's ``confint.default``; R's ``confint`` on a polr fit profiles the
    likelihood instead). Rows with a missing outcome or predictor are left
    out and counted in ``n_missing``.

    References
    ----------
    McCullagh, P. (1980). Regression models for ordinal data. JRSS B 42(2), 109-142.
    Agresti, A. (2010). Analysis of Ordinal Categorical Data, 2nd ed. Wiley, ch. 3.
    Venables, W. N. and Ripley, B. D. (2002). Modern Applied Statistics with S, 4th ed. Springer.

    Examples
    --------
    Satisfaction by channel, as a frequency table (the numbers equal R's
    ``polr(sat ~ channel, weights = count)``):

    >>> import pandas as pd
    >>> df = pd.DataFrame({"sat": pd.Categorical(["Low", "Medium", "High"] * 2, ["Low", "Medium", "High"],
    ...                                          ordered=True),
    ...                    "channel": ["phone"] * 3 + ["web"] * 3, "count": [40, 35, 25, 20, 30, 50]})
    >>> res = ordinal_model(df, "sat", ["channel"], freq_weight="count")
    >>> res.table[["term", "estimate", "se", "odds_ratio"]].round(3)
                 term  estimate     se  odds_ratio
    0  channel[T.web]     1.047  0.270       2.849
    1      Low|Medium    -0.384  0.194         NaN
    2     Medium|High     1.064  0.209         NaN
    >>> res.n, round(res.loglik, 4)
    (200, -211.0852)
    """
    conf_level = check_open_unit("conf_level", conf_level)
    check_choice("link", link, LINKS)
    if weight is not None:
        raise ValueError("ordinal_model does not take survey weights: give freq_weight= for a column of counts of "
                         "identical respondents")
    if isinstance(data, SurveyDesign):
        raise ValueError("ordinal_model does not support survey designs (its standard errors assume independent "
                         "respondents); pass the respondents' DataFrame")
    if not isinstance(data, pd.DataFrame):
        raise ValueError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    names = [predictors] if isinstance(predictors, str) else list(predictors) if isinstance(
        predictors, list | tuple) else None
    if not names or not all(isinstance(p, str) for p in names) or len(set(names)) < len(names):
        raise ValueError(f"predictors must be a list of different column names, got {predictors!r}")
    if outcome in names or (freq_weight is not None and freq_weight in [outcome, *names]):
        raise ValueError(f"the outcome {outcome!r}, predictors {names} and freq_weight {freq_weight!r} must be "
                         "different columns")
    check_columns(data, outcome, *names, freq_weight)
    freq = _frequencies(data, freq_weight)
    y, levels = _outcome_codes(data[outcome], outcome)
    X, terms, missing, numeric_terms = _design_matrix(data, names)
    dropped = missing | (y < 0)
    n_missing = int(freq[dropped].sum())
    keep = ~dropped & (freq > 0)
    y, X, freq = y[keep], X[keep], freq[keep]
    if not len(y):
        raise ValueError("no respondents with the outcome and every predictor answered (and a count above 0)")
    given = np.bincount(y, weights=freq, minlength=len(levels)) > 0
    if not given.all():
        empty = [lv for lv, g in zip(levels, given, strict=True) if not g]
        raise ValueError(f"outcome {outcome!r} has answer level(s) {empty} that no respondent used gave; their "
                         "cut-points cannot be estimated: drop or merge them (e.g. remove_unused_categories)")
    if len(levels) < 2:
        raise ValueError(f"outcome {outcome!r} has a single answer level {levels}; there is nothing to model")
    centred = X - freq @ X / freq.sum()
    if np.linalg.matrix_rank(centred * np.sqrt(freq)[:, None]) < X.shape[1]:
        raise ValueError(f"the predictors' terms {terms} are collinear (or one is constant) among the respondents "
                         "used; drop a predictor or merge categories")
    # numeric predictors are fitted centred and scaled (the optimizer and the identification check need terms of
    # similar size: a year or an income would otherwise look singular); estimates are transformed back below
    centre, spread = np.zeros(X.shape[1]), np.ones(X.shape[1])
    for j in numeric_terms:
        centre[j] = freq @ X[:, j] / freq.sum()
        spread[j] = np.sqrt(freq @ (X[:, j] - centre[j]) ** 2 / freq.sum())
    model, params, loglik = _fit(y, (X - centre) / spread, freq, link)
    cov_model = _checked_covariance(model, params)
    p = X.shape[1]
    theta = params[p:]
    jac = np.eye(len(params))  # d(coefficients, cut-points) / d(coefficients, first cut, log increments)
    jac[p:, p] = 1.0
    jac[p:, p + 1:] = np.tril(np.ones((len(theta), len(theta))))[:, 1:] * np.exp(theta[1:])
    estimate = np.concatenate([params[:p], np.cumsum(np.concatenate([theta[:1], np.exp(theta[1:])]))])
    # back to the predictors' own units: beta = beta_s / spread, zeta = zeta_s + centre' beta (a linear map)
    back = np.eye(len(params))
    back[:p, :p] = np.diag(1 / spread)
    back[p:, :p] = centre / spread
    estimate = back @ estimate
    cov = back @ jac @ cov_model @ jac.T @ back.T
    se = np.sqrt(np.diag(cov))
    z = estimate / se
    low, high = wald_interval(estimate, se, conf_level)
    labels = terms + [f"{a}|{b}" for a, b in zip(levels[:-1], levels[1:], strict=True)]
    table = pd.DataFrame({"term": labels, "estimate": estimate, "se": se, "statistic": z, "p_value": p_value(z),
                          "ci_low": low, "ci_high": high})
    if link == "logit":
        is_term = np.arange(len(labels)) < p
        with np.errstate(over="ignore"):  # a coefficient beyond about 709 has an odds ratio of inf
            for column, values in (("odds_ratio", estimate), ("odds_ratio_ci_low", low),
                                   ("odds_ratio_ci_high", high)):
                table[column] = np.where(is_term, np.exp(np.where(is_term, values, 0.0)), np.nan)
    return OrdinalModelResult(table, loglik, int(freq.sum()), n_missing, link, outcome, tuple(levels),
                              pd.DataFrame(cov, index=labels, columns=labels))
