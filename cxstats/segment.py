"""Customer segmentation: k-means, Gaussian mixtures and latent classes, with several random starts.

The three models are scikit-learn estimators (``BaseEstimator`` and
``ClusterMixin``): keyword-only parameters stored unchanged in ``__init__``,
checked in ``fit``; ``fit`` returns ``self``; learned state ends in ``_``;
``n_features_in_`` and, for a DataFrame, ``feature_names_in_`` are set by
``fit``; ``predict`` and ``fit_predict`` give segments, and the probabilistic
models add ``predict_proba``. They pass
``sklearn.utils.estimator_checks.check_estimator`` (the checks that cannot
apply are listed, with the reason, in ``tests/test_segment.py``), so they work
with ``sklearn.base.clone``, pipelines and model selection.

They wrap scikit-learn (k-means, Gaussian mixture) and StepMix (latent
classes, with missing answers handled by full-information likelihood; each
start is StepMix's fit of the distinct answer patterns weighted by their
counts, and the result is a StepMix model). Each model runs ``n_init`` random
starts itself, keeps the best, and reports every start's fit in
``start_scores_`` (latent classes also each start's iterations and
convergence) so that a local optimum, or a start that did not converge, is
visible.
:func:`select_segments` fits a model for several numbers of segments and
tabulates the criteria for choosing one.

Vocabulary: functions take ``seed``; the estimators keep scikit-learn's
``random_state``.
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClusterMixin, clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.validation import check_is_fitted, validate_data

COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")


def _whole(value, least: int) -> bool:
    """True if ``value`` is a whole number (not a bool) of at least ``least``."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool | np.bool_) and value >= least


class _Segments(ClusterMixin, BaseEstimator):
    """Shared plumbing of the segment models: parameter checks, random starts, validation, ``predict``.

    Subclasses define ``__init__`` (keyword-only parameters, stored unchanged),
    ``fit`` and ``_encode(X, fitting)``, which validates ``X`` and returns it
    as the engine sees it.
    """

    def _check_params(self) -> None:
        """Check the parameters shared by every model (called at the start of ``fit``)."""
        if not _whole(self.n_segments, 1):
            raise ValueError(f"n_segments must be a whole number of at least 1, got {self.n_segments!r}")
        if not _whole(self.n_init, 1):
            raise ValueError(f"n_init must be a whole number of at least 1, got {self.n_init!r}")
        rs = self.random_state
        if not (rs is None or _whole(rs, 0) or isinstance(rs, np.random.RandomState | np.random.Generator)):
            raise ValueError(f"random_state must be None, a whole number of at least 0, a numpy RandomState or "
                             f"a numpy Generator, got {rs!r}")

    def _check_k(self, n_rows: int, n_distinct: int) -> None:
        if self.n_segments > n_distinct:
            raise ValueError(f"n_segments={self.n_segments} is more than the {n_distinct} distinct answer patterns "
                             f"in the data ({n_rows} respondents); ask for fewer segments")

    def _seeds(self) -> np.ndarray:
        """One engine seed per random start, drawn from ``random_state``."""
        if isinstance(self.random_state, np.random.RandomState):
            return self.random_state.randint(0, 2**31 - 1, size=self.n_init)
        return np.random.default_rng(self.random_state).integers(0, 2**31 - 1, size=self.n_init)

    def _validate(self, X, *, reset: bool, **kwargs) -> np.ndarray:
        """scikit-learn's ``validate_data``; a column mismatch at predict time also lists both sets of columns."""
        try:
            return validate_data(self, X, reset=reset, **kwargs)
        except ValueError as err:
            fitted = getattr(self, "feature_names_in_", None)
            if not reset and fitted is not None and isinstance(X, pd.DataFrame) and list(X.columns) != list(fitted):
                raise ValueError(f"{err}\nX has columns {list(X.columns)}; the model was fitted on "
                                 f"{list(fitted)}") from err
            raise

    def _names(self) -> list:
        """Column names: X's when fitted on a DataFrame with string column names, else x0, x1, ..."""
        if hasattr(self, "feature_names_in_"):
            return list(self.feature_names_in_)
        return [f"x{i}" for i in range(self.n_features_in_)]

    def encode(self, X) -> np.ndarray:
        """X as the engine sees it (see the class docstring), checked against the fitted columns.

        Parameters
        ----------
        X : array-like or DataFrame, shape (n_respondents, n_features_in_)
            Answers, one row per respondent, in the columns the model was fitted on.

        Returns
        -------
        numpy.ndarray of float, shape (n_respondents, n_features_in_)

        Raises
        ------
        sklearn.exceptions.NotFittedError
            If the model is not fitted yet.
        ValueError
            If X does not have the fitted columns, or has answers the model cannot use.
        """
        check_is_fitted(self, "labels_")  # set last by fit: a fit that failed half-way is not a fitted model
        return self._encode(X, fitting=False)

    def predict(self, X) -> np.ndarray:
        """Segment of each respondent.

        Parameters
        ----------
        X : array-like or DataFrame, shape (n_respondents, n_features_in_)
            Answers, one row per respondent, in the columns the model was fitted on.

        Returns
        -------
        numpy.ndarray of int, shape (n_respondents,)
            Segments 0 to ``n_segments - 1``.

        Raises
        ------
        sklearn.exceptions.NotFittedError
            If the model is not fitted yet (a ValueError).
        ValueError
            If X does not have the fitted columns, or has answers the model cannot use.
        """
        Z = self.encode(X)  # first: an unfitted model raises NotFittedError
        return self.model_.predict(Z)


def _distinct_rows(values: np.ndarray, enough: int) -> int:
    """Number of distinct answer patterns (rows); stops early once ``enough`` are found.

    A short prefix of rows almost always holds enough patterns (a small sort);
    otherwise all rows are counted by hashing, in linear time.
    """
    prefix = values[: max(200, 20 * enough)]
    found = len(np.unique(np.nan_to_num(prefix, nan=-1.0), axis=0))
    if found >= enough or len(prefix) == len(values):
        return found
    hashes = pd.util.hash_pandas_object(pd.DataFrame(values), index=False).to_numpy()
    return len(pd.unique(hashes))


def _frame(X) -> pd.DataFrame:
    if isinstance(X, pd.DataFrame):
        return X
    arr = np.asarray(X)
    if arr.ndim != 2:
        raise ValueError(f"X must be a 2-d table of respondents by answers, got shape {arr.shape}")
    return pd.DataFrame(arr, columns=[f"x{i}" for i in range(arr.shape[1])])


def _sample_weight(sample_weight, X, n: int) -> np.ndarray | None:
    """Respondent weights as floats, or None; checked by the one weight check of the package (rows named)."""
    from .design import check_weights

    if sample_weight is None:
        return None
    index = X.index if isinstance(X, pd.DataFrame) else pd.RangeIndex(n)
    values = np.asarray(sample_weight)  # array-likes that are not arrays become arrays first
    if values.shape != (n,):
        raise ValueError(f"sample_weight needs one weight per respondent ({n}), got shape {values.shape}")
    weights = pd.DataFrame({"sample_weight": values}, index=index)
    return np.array(check_weights(weights, "sample_weight"), dtype=float)  # a copy: the caller's are never changed


def _check_numeric(X, model: str) -> None:
    """A DataFrame's non-numeric columns, named (before scikit-learn's conversion to floats)."""
    if not isinstance(X, pd.DataFrame):
        return
    bad = [c for c, t in X.dtypes.items() if not (pd.api.types.is_numeric_dtype(t) or pd.api.types.is_bool_dtype(t))]
    if bad:
        raise ValueError(f"{model} needs numeric answers; column(s) {bad} are not numeric "
                         "(code them as numbers, or use LatentClassSegments for categorical answers)")


def _gaussian_parameters(k: int, d: int, covariance_type: str) -> int:
    """Free parameters of a k-component Gaussian mixture in d dimensions: means, covariances, k - 1 shares."""
    covariance = {"full": k * d * (d + 1) // 2, "diag": k * d, "tied": d * (d + 1) // 2, "spherical": k}
    return covariance[covariance_type] + k * d + k - 1


class _Standardized(_Segments):
    """Numeric answers, complete rows, optionally standardized (k-means and Gaussian mixtures)."""

    def _answers(self, X, fitting: bool) -> np.ndarray:
        """Validated float answers: numeric, complete rows, and (when fitting) no constant column."""
        _check_numeric(X, type(self).__name__)
        values = self._validate(X, reset=fitting, dtype=np.float64, ensure_all_finite="allow-nan",
                                ensure_min_samples=2 if fitting else 1)
        holes = np.isnan(values).any(axis=0)
        if holes.any():
            raise ValueError(f"column(s) {[self._names()[j] for j in np.flatnonzero(holes)]} have missing answers "
                             "(NaN); this model needs complete rows (LatentClassSegments handles missing answers)")
        if fitting:
            flat = values.min(axis=0) == values.max(axis=0)
            if flat.any():
                raise ValueError(f"column(s) {[self._names()[j] for j in np.flatnonzero(flat)]} have a single "
                                 "answer: they cannot separate segments; drop them")
        return values

    def _fit_scaling(self, values: np.ndarray, weight: np.ndarray | None) -> None:
        """Set ``mean_`` and ``scale_``, weighted so that a weight of 2 counts as two respondents."""
        d = values.shape[1]
        if not self.standardize:
            self.mean_, self.scale_ = np.zeros(d), np.ones(d)
        elif weight is None:
            self.mean_, self.scale_ = values.mean(axis=0), values.std(axis=0)
        else:
            self.mean_ = np.average(values, axis=0, weights=weight)
            self.scale_ = np.sqrt(np.average((values - self.mean_) ** 2, axis=0, weights=weight))
            flat = self.scale_ == 0
            if flat.any():
                raise ValueError(f"column(s) {[self._names()[j] for j in np.flatnonzero(flat)]} have a single "
                                 "answer among respondents with a positive weight: they cannot separate segments; "
                                 "drop them")

    def _fit_encode(self, X, sample_weight) -> tuple[np.ndarray, np.ndarray | None]:
        """Checked answers, standardized, and checked weights (fit's first step)."""
        self._check_params()
        if not isinstance(self.standardize, bool | np.bool_):
            raise ValueError(f"standardize must be True or False, got {self.standardize!r}")
        values = self._answers(X, fitting=True)
        weight = _sample_weight(sample_weight, X, len(values))
        self._fit_scaling(values, weight)
        return (values - self.mean_) / self.scale_, weight

    def _encode(self, X, fitting: bool) -> np.ndarray:
        return (self._answers(X, fitting) - self.mean_) / self.scale_


class KMeansSegments(_Standardized):
    """k-means segments of numeric answers (e.g. ratings), standardized by default.

    Parameters
    ----------
    n_segments : int, default 3
        Number of segments (at least 1, at most the number of distinct rows).
    n_init : int, default 10
        Random starts; the one with the smallest within-segment sum of squares is kept.
    standardize : bool, default True
        Scale every column to mean 0 and standard deviation 1 first (weighted
        by ``sample_weight``), so no answer dominates because of its units.
    random_state : int, numpy RandomState or Generator, or None, default 0
        Seeds the random starts (scikit-learn's name for it).

    Attributes
    ----------
    labels_ : ndarray of int, shape (n_respondents,)
        Segment of each respondent, 0 to ``n_segments - 1``.
    centers_ : DataFrame, shape (n_segments, n_features_in_)
        Segment centres in the original units of each column.
    inertia_ : float
        Within-segment (weighted) sum of squared distances, in standardized units.
    start_scores_ : ndarray, shape (n_init,)
        Minus the inertia of every start.
    mean_, scale_ : ndarray, shape (n_features_in_,)
        Column means and standard deviations used to standardize (0 and 1 without standardizing).
    model_ : sklearn.cluster.KMeans
        The engine of the best start.
    n_features_in_ : int
        Number of answer columns.
    feature_names_in_ : ndarray of str, shape (n_features_in_,)
        Column names, when X was a DataFrame with string column names.

    Notes
    -----
    Respondent weights are passed to scikit-learn's ``KMeans`` as
    ``sample_weight`` and weight the standardization, so a weight of 2 counts
    as two respondents. ``encode(X)`` gives X standardized as the engine sees it.

    References
    ----------
    MacQueen, J. (1967). Some methods for classification and analysis of
    multivariate observations. Proc. 5th Berkeley Symposium 1, 281-297.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.r_[np.zeros((20, 2)), np.ones((20, 2)) * 5] + np.random.default_rng(0).normal(0, .1, (40, 2))
    >>> KMeansSegments(n_segments=2).fit(X).labels_.tolist().count(0)
    20
    """

    def __init__(self, *, n_segments=3, n_init=10, standardize=True, random_state=0):
        self.n_segments = n_segments
        self.n_init = n_init
        self.standardize = standardize
        self.random_state = random_state

    def fit(self, X, y=None, sample_weight=None):
        """Fit on respondents x answers.

        Parameters
        ----------
        X : array-like or DataFrame, shape (n_respondents, n_answers)
            Numeric answers, complete rows.
        y : None
            Ignored; there for scikit-learn's API (pipelines).
        sample_weight : array-like, shape (n_respondents,), optional
            Respondent weights (not negative, finite, not all zero).

        Returns
        -------
        KMeansSegments
            ``self``, fitted.

        Raises
        ------
        ValueError
            Naming the parameter, column or rows at fault: bad parameters,
            non-numeric, missing or constant answers, bad weights, more
            segments than distinct answer patterns.
        """
        from sklearn.cluster import KMeans

        Z, weight = self._fit_encode(X, sample_weight)
        self._check_k(len(Z), _distinct_rows(Z, self.n_segments))
        best, scores = None, []
        for seed in self._seeds():  # one loop iteration per random start, as scikit-learn's own n_init does
            model = KMeans(n_clusters=self.n_segments, n_init=1, random_state=int(seed), copy_x=False).fit(
                Z, sample_weight=weight)
            scores.append(-model.inertia_)
            if best is None or model.inertia_ < best.inertia_:
                best = model
        self.model_ = best
        self.labels_ = best.labels_
        self.inertia_ = best.inertia_
        self.start_scores_ = np.array(scores)
        self.centers_ = pd.DataFrame(best.cluster_centers_ * self.scale_ + self.mean_, columns=self._names())
        return self


class MixtureSegments(_Standardized):
    """Gaussian mixture segments of numeric answers (scikit-learn ``GaussianMixture``).

    Parameters
    ----------
    n_segments : int, default 3
        Number of segments (mixture components).
    n_init : int, default 10
        Random starts; the highest log-likelihood is kept.
    covariance_type : {"diag", "full", "tied", "spherical"}, default "diag"
        Shape of each segment's covariance matrix (as in ``GaussianMixture``).
    standardize : bool, default True
        Scale every column to mean 0 and standard deviation 1 first.
    random_state : int, numpy RandomState or Generator, or None, default 0
        Seeds the random starts.

    Attributes
    ----------
    labels_ : ndarray of int, shape (n_respondents,)
        Most probable segment of each respondent.
    weights_ : ndarray, shape (n_segments,)
        Segment shares.
    means_ : DataFrame, shape (n_segments, n_features_in_)
        Segment means in the original units.
    loglik_ : float
        Log-likelihood of the kept start (of the standardized answers).
    n_parameters_ : int
        Free parameters: means, covariances and ``n_segments - 1`` shares.
    start_scores_ : ndarray, shape (n_init,)
        Log-likelihood of every start.
    mean_, scale_ : ndarray, shape (n_features_in_,)
        Column means and standard deviations used to standardize.
    model_ : sklearn.mixture.GaussianMixture
        The engine of the best start.
    n_features_in_ : int
        Number of answer columns.
    feature_names_in_ : ndarray of str, shape (n_features_in_,)
        Column names, when X was a DataFrame with string column names.

    Notes
    -----
    scikit-learn's ``GaussianMixture`` does not accept respondent weights:
    ``fit`` raises if you pass them (use ``LatentClassSegments`` or
    ``KMeansSegments``, which do).

    References
    ----------
    McLachlan, G. and Peel, D. (2000). Finite Mixture Models. Wiley.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.r_[np.zeros((30, 2)), np.ones((30, 2)) * 5] + np.random.default_rng(0).normal(0, .3, (60, 2))
    >>> sorted(np.bincount(MixtureSegments(n_segments=2).fit(X).labels_).tolist())
    [30, 30]
    """

    def __init__(self, *, n_segments=3, n_init=10, covariance_type="diag", standardize=True, random_state=0):
        self.n_segments = n_segments
        self.n_init = n_init
        self.covariance_type = covariance_type
        self.standardize = standardize
        self.random_state = random_state

    def fit(self, X, y=None, sample_weight=None):
        """Fit on respondents x answers (weights are not supported by the engine: see Notes).

        Parameters
        ----------
        X : array-like or DataFrame, shape (n_respondents, n_answers)
            Numeric answers, complete rows.
        y : None
            Ignored; there for scikit-learn's API (pipelines).
        sample_weight : None
            Must be None: any weights raise a ValueError rather than being ignored.

        Returns
        -------
        MixtureSegments
            ``self``, fitted.

        Raises
        ------
        ValueError
            If weights are passed, and naming the parameter or column at fault
            otherwise (as ``KMeansSegments.fit``).
        """
        from sklearn.mixture import GaussianMixture

        if sample_weight is not None:
            raise ValueError("MixtureSegments cannot use respondent weights: scikit-learn's GaussianMixture does "
                             "not support them. Use LatentClassSegments or KMeansSegments, which do.")
        if self.covariance_type not in COVARIANCE_TYPES:
            raise ValueError(f"covariance_type must be one of {COVARIANCE_TYPES}, got {self.covariance_type!r}")
        Z, _ = self._fit_encode(X, None)
        self._check_k(len(Z), _distinct_rows(Z, self.n_segments))
        best, scores = None, []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", category=UserWarning)  # convergence notes are reported as scores
            for seed in self._seeds():
                model = GaussianMixture(self.n_segments, covariance_type=self.covariance_type, n_init=1,
                                        random_state=int(seed)).fit(Z)
                loglik = model.score(Z) * len(Z)
                scores.append(loglik)
                if best is None or loglik > best[0]:
                    best = (loglik, model)
        self.loglik_, self.model_ = best
        self.labels_ = self.model_.predict(Z)
        self.weights_ = self.model_.weights_
        self.means_ = pd.DataFrame(self.model_.means_ * self.scale_ + self.mean_, columns=self._names())
        self.n_parameters_ = _gaussian_parameters(self.n_segments, Z.shape[1], self.covariance_type)
        self.start_scores_ = np.array(scores)
        return self

    def predict_proba(self, X) -> np.ndarray:
        """Posterior probability of each segment for each respondent.

        Parameters
        ----------
        X : array-like or DataFrame, shape (n_respondents, n_features_in_)

        Returns
        -------
        numpy.ndarray, shape (n_respondents, n_segments)
            Rows sum to 1.
        """
        Z = self.encode(X)  # first: an unfitted model raises NotFittedError
        return self.model_.predict_proba(Z)


def _check_answers(X: pd.DataFrame, names: list) -> None:
    constant = [names[j] for j in range(X.shape[1]) if X.iloc[:, j].nunique(dropna=True) <= 1]
    if constant:
        raise ValueError(f"column(s) {constant} have a single answer (or none): they cannot separate segments; "
                         "drop them")
    empty = X.isna().all(axis=1)
    if empty.any():
        raise ValueError(f"{int(empty.sum())} respondent(s) answered nothing, e.g. rows {X.index[empty][:5].tolist()}; "
                         "drop them")


def _compress(coded: np.ndarray, sample_weight: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """The distinct answer patterns and their total weight (counts without weights): the likelihood of latent
    classes depends on the data only through these, so EM on them is EM on the respondents, row for row."""
    codes = np.nan_to_num(coded, nan=-1.0).astype(np.int64) + 1  # 0 = missing, 1, 2, ... = the answers
    radix = codes.max(axis=0) + 1
    if float(np.prod(radix.astype(float))) < 2.0**62:  # one integer per pattern (mixed radix): a fast 1-d unique
        keys = codes @ np.concatenate([[1], np.cumprod(radix[:-1])])
        _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    else:
        _, first, inverse = np.unique(codes, axis=0, return_index=True, return_inverse=True)
    weight = np.ones(len(coded)) if sample_weight is None else sample_weight
    return coded[first], np.bincount(inverse.ravel(), weights=weight, minlength=len(first))


class LatentClassSegments(_Segments):
    """Latent class segments of categorical, binary or ordinal answers (StepMix engine).

    Every column is treated as categorical (ordered categoricals keep their
    order in the coding). Missing answers are handled by full-information
    maximum likelihood: a respondent contributes the answers they gave, and no
    row is dropped.

    Parameters
    ----------
    n_segments : int, default 3
        Number of segments (latent classes).
    n_init : int, default 10
        Random starts; the highest log-likelihood is kept.
    max_iter : int, default 1000
        EM iterations per start.
    tol : float, default 1e-10
        A start has converged when an EM iteration changes the
        log-likelihood by less than ``tol`` times its size (a relative
        change, above 0 and below 1: StepMix's ``rel_tol``; see Notes).
    random_state : int, numpy RandomState or Generator, or None, default 0
        Seeds the random starts.

    Attributes
    ----------
    labels_ : ndarray of int, shape (n_respondents,)
        Most probable segment of each respondent.
    weights_ : ndarray, shape (n_segments,)
        Segment shares.
    item_probabilities_ : DataFrame
        One row per segment, column and answer: ``segment``, ``column``,
        ``answer``, ``probability``.
    loglik_ : float
        Log-likelihood (weighted pseudo-likelihood with weights).
    n_parameters_ : int
        Free parameters: answer probabilities and ``n_segments - 1`` shares.
    n_iter_ : int
        EM iterations of the kept start.
    converged_ : bool
        Whether the kept start converged (``tol``) within ``max_iter``
        iterations; if not, ``fit`` warns (``ConvergenceWarning``).
    start_scores_ : ndarray, shape (n_init,)
        Log-likelihood of every start.
    start_iterations_ : ndarray of int, shape (n_init,)
        EM iterations of every start.
    start_converged_ : ndarray of bool, shape (n_init,)
        Whether every start converged.
    categories_ : dict
        The answers of each column, in coding order.
    model_ : stepmix.StepMix
        A StepMix model holding the kept start's shares and answer
        probabilities (its ``predict``, ``score``, ``aic``, ``bic`` apply).
    n_features_in_ : int
        Number of answer columns.
    feature_names_in_ : ndarray of str, shape (n_features_in_,)
        Column names, when X was a DataFrame with string column names.

    Notes
    -----
    Each start is a StepMix fit (``categorical`` measurement, or
    ``categorical_nan`` with missing answers; one start per seed drawn from
    ``random_state``) of the distinct answer patterns, with the number of
    respondents who gave each pattern (their weights summed, with
    ``sample_weight``) as StepMix's ``sample_weight``: the likelihood
    depends on the data only through these, so the fit is the fit of the
    respondents, at a fraction of the work (10 binary answers have at most
    1,024 patterns, whatever the sample size). The patterns go to StepMix
    one-hot coded (its descriptor with ``integer_codes=False``), which saves
    it coding them anew at every iteration; the kept start's parameters are
    then set on a StepMix model of the answer codes (``model_``).
    Respondent weights make the log-likelihood a weighted
    pseudo-likelihood. ``encode(X)`` gives the answer codes the engine sees
    (0, 1, ... in the order of ``categories_``; NaN for a missing answer).

    Convergence: a start ends when an EM iteration changes the
    log-likelihood by less than ``tol`` x |log-likelihood| (StepMix's
    ``rel_tol=tol``, with ``abs_tol=0``); the change of the total and of the
    average per respondent are the same fraction, so the rule does not
    depend on the sample size. StepMix's default (``abs_tol=1e-10``) stops
    on the absolute change of the average per respondent, poLCA's
    (``tol=1e-10``) when the total rises by at most that much: poLCA's rule
    on a sample with log-likelihood LL is ``tol = 1e-10 / |LL|`` here
    (3.5e-13 for the four-class carcinoma model below). Where the model is
    identified EM converges in a few to a few hundred iterations (the
    published carcinoma and values models: 3 to 800). With more segments
    than the data support, a segment splits along a nearly flat likelihood
    and the log-likelihood keeps creeping up for thousands of iterations:
    the start stops at ``max_iter``, ``converged_`` is False and ``fit``
    warns. The four-class carcinoma model shows the price of a tolerance:
    at ``tol=1e-10`` EM stops (about 750 iterations) at -289.285853, 4e-6
    below the maximum, which rounds to -289.2859; poLCA's manual, with
    ``maxiter=5000``, prints -289.2858, which ``tol=1e-12, max_iter=5000``
    reproduces (-289.2858488, about 1,500 iterations).

    References
    ----------
    Morin, S., Legault, R., Lalibert\u00e9, F., Bakk, Z., Gigu\u00e8re, C.-\u00c9., de la Sablonni\u00e8re, R. and
    Lacourse, \u00c9. (2025). StepMix: A Python package for pseudo-likelihood
    estimation of generalized mixture models with external variables.
    Journal of Statistical Software 113(8).
    Linzer, D. A. and Lewis, J. B. (2011). poLCA: an R package for polytomous
    variable latent class analysis. Journal of Statistical Software 42(10).

    Examples
    --------
    >>> import cxstats
    >>> df = cxstats.simulate_respondents("accenture_2016", n=600, seed=1)
    >>> items = df.attrs["item_probabilities"].index
    >>> model = LatentClassSegments(n_segments=3, n_init=2).fit(df[items])
    >>> sorted(np.round(model.weights_, 1).tolist())
    [0.2, 0.3, 0.5]
    """

    def __init__(self, *, n_segments=3, n_init=10, max_iter=1000, tol=1e-10, random_state=0):
        self.n_segments = n_segments
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True  # missing answers: full-information likelihood
        tags.input_tags.categorical = True
        tags.input_tags.string = True  # answers may be text ("yes", "no")
        return tags

    def _encode(self, X, fitting: bool) -> np.ndarray:
        """Answer codes (float, NaN = missing), column-major; when fitting, ``categories_`` is set."""
        values = self._validate(X, reset=fitting, dtype=None, ensure_all_finite="allow-nan",
                                ensure_min_samples=2 if fitting else 1)
        X = X if isinstance(X, pd.DataFrame) else pd.DataFrame(values)  # a DataFrame keeps its categorical dtypes
        names = self._names()
        if fitting:
            _check_answers(X, names)
            self.categories_ = {}
        coded = np.empty(X.shape, order="F")  # column-major: the engine works answer by answer
        for j, column in enumerate(names):
            answers = X.iloc[:, j]
            if fitting:
                if isinstance(answers.dtype, pd.CategoricalDtype):
                    self.categories_[column] = list(answers.cat.categories)
                else:
                    self.categories_[column] = sorted(answers.dropna().unique().tolist())
            unknown = answers.notna().to_numpy() & ~answers.isin(self.categories_[column]).to_numpy()
            if unknown.any():
                raise ValueError(f"column {column!r} has answers {sorted(answers[unknown].unique().tolist())[:5]} "
                                 f"not seen when fitting ({self.categories_[column]})")
            codes = pd.Categorical(answers, categories=self.categories_[column]).codes.astype(float)
            codes[codes < 0] = np.nan
            coded[:, j] = codes
        return coded

    def _engine(self, measurement, seed, max_iter: int):
        """StepMix for one start: stops when an EM iteration changes the log-likelihood by less than ``tol`` of
        itself (``rel_tol=tol``, ``abs_tol=0``: see Notes)."""
        from stepmix.stepmix import StepMix

        return StepMix(n_components=self.n_segments, measurement=measurement, n_init=1, max_iter=max_iter,
                       abs_tol=0.0, rel_tol=float(self.tol), random_state=int(seed), verbose=0, progress_bar=0)

    def fit(self, X, y=None, sample_weight=None):
        """Fit on respondents x answers.

        Parameters
        ----------
        X : array-like or DataFrame, shape (n_respondents, n_answers)
            Categorical answers (numbers, text or pandas categoricals); NaN or
            None for a missing answer.
        y : None
            Ignored; there for scikit-learn's API (pipelines).
        sample_weight : array-like, shape (n_respondents,), optional
            Respondent weights, or the counts of a table of answer patterns.

        Returns
        -------
        LatentClassSegments
            ``self``, fitted.

        Raises
        ------
        ValueError
            Naming the parameter, column or rows at fault: bad parameters,
            constant columns, respondents who answered nothing, bad weights,
            more segments than distinct answer patterns.

        Warns
        -----
        sklearn.exceptions.ConvergenceWarning
            If the kept start did not converge within ``max_iter`` iterations
            (naming ``n_segments`` and how many starts converged).
        """
        from stepmix.utils import max_one_hot

        self._check_params()
        if not _whole(self.max_iter, 1):
            raise ValueError(f"max_iter must be a whole number of at least 1, got {self.max_iter!r}")
        tol = self.tol
        if not (isinstance(tol, numbers.Real) and not isinstance(tol, bool | np.bool_) and 0 < tol < 1):
            raise ValueError(f"tol must be a number above 0 and below 1 (a relative change of the log-likelihood), "
                             f"got {tol!r}")
        coded = self._encode(X, fitting=True)
        sample_weight = _sample_weight(sample_weight, X, len(coded))
        self._check_k(len(coded), _distinct_rows(coded, self.n_segments))
        kind = "categorical_nan" if np.isnan(coded).any() else "categorical"
        patterns, counts = _compress(coded, sample_weight)
        onehot, n_outcomes, n_total = max_one_hot(patterns)
        # StepMix's descriptor for answers already one-hot coded: the same EM, without coding the patterns anew at
        # every E- and M-step (half the time of an iteration)
        one_hot = {"answers": {"model": kind, "n_columns": onehot.shape[1], "integer_codes": False,
                               "max_n_outcomes": n_outcomes, "total_outcomes": n_total}}
        seeds = self._seeds()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # StepMix's, one per start: summed up below
            starts = [self._engine(one_hot, seed, self.max_iter).fit(onehot, sample_weight=counts) for seed in seeds]
            total = float(counts.sum())
            scores = np.array([start.lower_bound_ * total for start in starts])  # at each start's last E-step
            best = int(np.argmax(scores))  # the first of equal bests
            kept = starts[best]
            # model_ takes answer codes (encode's): a StepMix on the codes, set up by one EM iteration, then given
            # the kept start's parameters
            model = self._engine(kind, seeds[best], 1).fit(patterns, sample_weight=counts)
        params = kept.get_parameters()
        params["measurement"], params["measurement_in"] = params["measurement"]["answers"], model.measurement_in_
        model.set_parameters(params)
        model.set_params(max_iter=self.max_iter)
        model.n_iter_, model.converged_, model.lower_bound_ = kept.n_iter_, kept.converged_, kept.lower_bound_
        self.model_ = model
        self.loglik_ = float(model.score(patterns, sample_weight=counts) * total)
        self.labels_ = self.model_.predict(coded)
        self.weights_ = np.asarray(self.model_.weights_)
        self.n_parameters_ = int(self.model_.n_parameters)
        self.n_iter_ = int(kept.n_iter_)
        self.converged_ = bool(kept.converged_)
        self.start_scores_ = scores
        self.start_iterations_ = np.array([start.n_iter_ for start in starts])
        self.start_converged_ = np.array([bool(start.converged_) for start in starts])
        self.item_probabilities_ = self._item_table()
        if not self.converged_:
            warnings.warn(f"LatentClassSegments(n_segments={self.n_segments}): the best of {len(seeds)} start(s) did "
                          f"not converge in max_iter={self.max_iter} EM iterations (the log-likelihood still changed "
                          f"by at least tol={tol:g} of itself); {int(self.start_converged_.sum())} start(s) "
                          "converged. Often a segment too many for the data (it splits a segment along a flat "
                          "likelihood); raise max_iter or compare fewer segments", ConvergenceWarning, stacklevel=2)
        return self

    def _item_table(self) -> pd.DataFrame:
        params = self.model_.get_parameters()["measurement"]["pis"]  # segments x (columns x max answers)
        names = self._names()
        n_answers = params.shape[1] // len(names)
        rows = []
        for k in range(self.n_segments):
            for j, column in enumerate(names):
                for a, answer in enumerate(self.categories_[column]):
                    rows.append({"segment": k, "column": column, "answer": answer,
                                 "probability": params[k, j * n_answers + a]})
        return pd.DataFrame(rows)

    def predict_proba(self, X) -> np.ndarray:
        """Posterior probability of each segment for each respondent.

        Parameters
        ----------
        X : array-like or DataFrame, shape (n_respondents, n_features_in_)
            Answers among those seen when fitting (NaN for missing).

        Returns
        -------
        numpy.ndarray, shape (n_respondents, n_segments)
            Rows sum to 1.
        """
        Z = self.encode(X)  # first: an unfitted model raises NotFittedError
        return self.model_.predict_proba(Z)


def _fit_stats(model, X, weight) -> dict:
    """Log-likelihood based criteria of a fitted mixture or latent class model (``weight``: one per row of X)."""
    if not hasattr(model, "loglik_"):
        return {"loglik": np.nan, "aic": np.nan, "bic": np.nan, "sabic": np.nan, "entropy": np.nan}
    ll, p, n = model.loglik_, model.n_parameters_, weight.sum()
    post = model.predict_proba(X)
    k = post.shape[1]
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(post > 0, post * np.log(post), 0.0)
    entropy = 1 + (weight @ plogp.sum(axis=1)) / (n * np.log(k)) if k > 1 else 1.0
    return {"loglik": ll, "aic": -2 * ll + 2 * p, "bic": -2 * ll + p * np.log(n),
            "sabic": -2 * ll + p * np.log((n + 2) / 24), "entropy": entropy}


def _converged(model) -> bool:
    """Whether the kept fit of a segment model converged (k-means: stopped before its iteration limit)."""
    if hasattr(model, "converged_"):
        return bool(model.converged_)
    engine = model.model_
    if hasattr(engine, "converged_"):
        return bool(engine.converged_)
    return bool(engine.n_iter_ < engine.max_iter)


REFIT_MAX_ITER = 100  # EM iterations of a latent class bootstrap refit in select_segments (see its Notes)


def _refit_budget(model) -> dict:
    """Settings of a bootstrap refit: up to 3 starts; for latent classes at most REFIT_MAX_ITER iterations each."""
    budget = {"n_init": min(3, model.n_init)}
    if isinstance(model, LatentClassSegments):
        budget["max_iter"] = min(REFIT_MAX_ITER, model.max_iter)
    return budget


def select_segments(model, X, *, k=range(2, 9), n_bootstrap=10, sample_weight=None, seed=0):
    """Fit ``model`` for each number of segments and tabulate the criteria for choosing one.

    ``model`` itself is left unfitted: every fit is on a clone
    (``sklearn.base.clone``) with ``n_segments`` set.

    Parameters
    ----------
    model : KMeansSegments, MixtureSegments or LatentClassSegments
        A model whose other settings (``n_init``, ``random_state``, ...) are kept.
    X : array-like or DataFrame, shape (n_respondents, n_answers)
        Respondents x answers.
    k : iterable of int, default range(2, 9)
        Numbers of segments to try.
    n_bootstrap : int, default 10
        Resamples for the stability column (0 to skip it); the work of each
        refit is stated in Notes.
    sample_weight : array-like, shape (n_respondents,), optional
        Respondent weights. The criteria treat them as frequency weights: the
        sample size in BIC and SABIC is their sum, and entropy and the
        smallest share are weighted, so a table of answer patterns with their
        counts gives the same criteria as one row per respondent. Scale survey
        weights to sum to the number of respondents. The stability resamples
        rows with their weights (patterns, for a table of patterns).
    seed : int or None, default 0
        Seeds the bootstrap resamples (and their fits' ``random_state``) and
        the silhouette's subsample.

    Returns
    -------
    pandas.DataFrame
        One row per k: ``k``, ``loglik``, ``aic``, ``bic``, ``sabic``
        (sample-size adjusted BIC), ``entropy`` (relative entropy, 1 = crisp
        classification; mixtures and latent classes), ``silhouette``
        (k-means, on the standardized answers), ``smallest_share``,
        ``stability`` (mean adjusted Rand index between the full fit and fits
        on bootstrap resamples, all predicted on X), ``refits_converged``
        (how many of the ``n_bootstrap`` refits converged within their
        iteration limit; ``stability`` averages over all of them, converged
        or not), ``converged`` (the fit converged within its iteration limit;
        criteria of an unconverged fit are those of its last iteration),
        ``suggested`` (True on one row) and
        ``criterion`` (what suggested it: lowest BIC for mixtures and latent
        classes, highest silhouette for k-means).

    Raises
    ------
    ValueError
        If ``model`` is not a cxstats segment model, ``k`` or ``n_bootstrap``
        is out of range, or the weights are bad (rows named); the models'
        own errors otherwise.

    Warns
    -----
    sklearn.exceptions.ConvergenceWarning
        One warning for the table, naming each k whose fit (or how many of
        whose bootstrap refits) did not converge.

    Notes
    -----
    Time budget: for each k, the fit is the one ``model.fit`` gives
    (``model.n_init`` starts of at most ``max_iter`` EM iterations, for
    latent classes), and each of the ``n_bootstrap`` refits runs
    ``min(3, n_init)`` starts, of latent classes at most 100 EM iterations
    each (``REFIT_MAX_ITER``; a refit stopped there counts as unconverged
    in the warning, and its labels are those of its last iteration). With
    the defaults that is, per k, 10 starts of up to 1,000 iterations and
    30 of up to 100: at most 13,000 iterations per k and 91,000 for
    k = 2..8. Latent classes iterate on the distinct answer patterns: with
    few patterns an iteration costs StepMix about 0.6 ms (its own
    overhead), and the time hardly grows with the number of respondents:
    k = 2..8 on 10,000 respondents and 10 yes/no answers (456 distinct
    patterns) takes about 45 s with a core to itself (2-3x that while
    other jobs load the shared 2-core machine), nearly all of it for
    k >= 4, which (on data with 3 segments) run to ``max_iter``. With many questions or answers nearly every respondent
    is their own pattern, and the cost grows with patterns x answers x k:
    20 questions of 5 answers each on 10,000 respondents take 15-30 ms
    per iteration at k = 8, 15-30 s per start, so minutes for k = 8 alone.
    Then lower ``n_bootstrap`` (0 skips the stability column),
    ``n_init``, ``max_iter`` or the range of ``k``.

    References
    ----------
    Nylund, K. L., Asparouhov, T. and Muth\u00e9n, B. O. (2007). Deciding on the
    number of classes in latent class analysis and growth mixture modeling.
    Structural Equation Modeling 14, 535-569.
    Hennig, C. (2007). Cluster-wise assessment of cluster stability.
    Computational Statistics & Data Analysis 52, 258-271.

    Examples
    --------
    >>> import cxstats
    >>> df = cxstats.simulate_respondents("accenture_2016", n=800, seed=3)
    >>> items = list(df.attrs["item_probabilities"].index)
    >>> table = select_segments(LatentClassSegments(n_init=2), df[items], k=[2, 3, 4], n_bootstrap=0)
    >>> int(table.loc[table.suggested, "k"].iloc[0]), table.loc[table.suggested, "criterion"].iloc[0]
    (3, 'lowest BIC')
    """
    from sklearn.metrics import adjusted_rand_score, silhouette_score

    if not isinstance(model, _Segments):
        raise ValueError(f"model must be a cxstats segment model, got {type(model).__name__}")
    ks = list(k) if np.iterable(k) else [k]
    lowest = 2 if isinstance(model, KMeansSegments) else 1  # a silhouette needs two segments
    if not ks or not all(_whole(v, lowest) for v in ks):
        raise ValueError(f"k must list whole numbers of segments of at least {lowest} for "
                         f"{type(model).__name__}, got {k!r}")
    ks = [int(v) for v in ks]
    if not _whole(n_bootstrap, 0):
        raise ValueError(f"n_bootstrap must be a whole number of at least 0, got {n_bootstrap!r}")
    X = _frame(X)
    weight = _sample_weight(sample_weight, X, len(X))
    weight = np.ones(len(X)) if weight is None else weight
    rng = np.random.default_rng(seed)
    rows, unconverged = [], []
    for n_seg in ks:  # one fit per candidate k (plus the bootstrap refits)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)  # gathered below, one warning for the table
            fitted = clone(model).set_params(n_segments=n_seg).fit(X, sample_weight=sample_weight)
        for w in caught:
            if not issubclass(w.category, ConvergenceWarning):
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        labels = fitted.labels_
        row = {"k": n_seg, **_fit_stats(fitted, X, weight), "converged": _converged(fitted)}
        row["silhouette"] = np.nan
        if isinstance(fitted, KMeansSegments) and n_seg > 1:
            row["silhouette"] = silhouette_score(fitted.encode(X), labels, sample_size=min(len(X), 5000),
                                                 random_state=seed)
        row["smallest_share"] = np.bincount(labels, weights=weight, minlength=n_seg).min() / weight.sum()
        agreements, refits_unconverged = [], 0
        for _ in range(n_bootstrap):
            rows_b = rng.integers(0, len(X), len(X))
            w_b = None if sample_weight is None else np.asarray(sample_weight)[rows_b]
            refit = clone(fitted).set_params(random_state=int(rng.integers(2**31 - 1)), **_refit_budget(fitted))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)  # counted in the summary warning
                refit.fit(X.iloc[rows_b].reset_index(drop=True), sample_weight=w_b)
            refits_unconverged += not _converged(refit)
            agreements.append(adjusted_rand_score(labels, refit.predict(X)))
        if not row["converged"] or refits_unconverged:
            parts = (["the fit"] if not row["converged"] else []) + (
                [f"{refits_unconverged} of {n_bootstrap} bootstrap refits"] if refits_unconverged else [])
            unconverged.append(f"k = {n_seg}: {' and '.join(parts)}")
        row["stability"] = float(np.mean(agreements)) if agreements else np.nan
        row["refits_converged"] = n_bootstrap - refits_unconverged
        rows.append(row)
    if unconverged:
        limit = ""
        if isinstance(model, LatentClassSegments):
            limit = f" (max_iter={model.max_iter}; {_refit_budget(model)['max_iter']} for a bootstrap refit)"
        warnings.warn(f"{type(model).__name__} did not converge within its iteration limit{limit} for "
                      f"{'; '.join(unconverged)} (columns 'converged' and 'refits_converged'). The criteria of an "
                      "unconverged fit are those of its last iteration; non-convergence at large k usually means "
                      "more segments than the data support", ConvergenceWarning, stacklevel=2)
    table = pd.DataFrame(rows)
    table["converged"] = table.pop("converged")  # after the criteria and the refits' count
    if isinstance(model, KMeansSegments):
        best, criterion = table["silhouette"].idxmax(), "highest silhouette"
    else:
        best, criterion = table["bic"].idxmin(), "lowest BIC"
    table["suggested"] = table.index == best
    table["criterion"] = np.where(table["suggested"], criterion, "")
    return table
