"""Customer segmentation: k-means, Gaussian mixtures and latent classes, with several random starts.

The models follow scikit-learn's conventions (parameters in ``__init__``,
``fit`` returns ``self``, learned state ends in ``_``) and wrap scikit-learn
(k-means, Gaussian mixture) and StepMix (latent classes, with missing answers
handled by full-information likelihood). Each model runs ``n_init`` random
starts itself, keeps the best, and reports every start's fit in
``start_scores_`` so that a local optimum is visible.
"""

from __future__ import annotations

import inspect
import warnings

import numpy as np
import pandas as pd

from .survey import survey_weights


class _Segments:
    """Shared plumbing: parameters, validation, random starts."""

    def get_params(self, deep=True) -> dict:
        names = [p for p in inspect.signature(type(self).__init__).parameters if p != "self"]
        return {name: getattr(self, name) for name in names}

    def set_params(self, **params):
        for name, value in params.items():
            if name not in self.get_params():
                raise ValueError(f"{type(self).__name__} has no parameter {name!r}")
            setattr(self, name, value)
        return self

    def clone(self, **params):
        """A fresh, unfitted copy with some parameters changed."""
        return type(self)(**{**self.get_params(), **params})

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"

    def _check_k(self, n_rows: int, n_distinct: int) -> None:
        k = self.n_segments
        if not isinstance(k, int | np.integer) or k < 1:
            raise ValueError(f"n_segments must be a whole number of at least 1, got {k!r}")
        if k > n_distinct:
            raise ValueError(f"n_segments={k} is more than the {n_distinct} distinct answer patterns in the data "
                             f"({n_rows} respondents); ask for fewer segments")
        if not isinstance(self.n_init, int | np.integer) or self.n_init < 1:
            raise ValueError(f"n_init must be a whole number of at least 1, got {self.n_init!r}")

    def _seeds(self) -> np.ndarray:
        return np.random.default_rng(self.random_state).integers(0, 2**31 - 1, size=self.n_init)

    def predict(self, X) -> np.ndarray:
        """Segment (0 to n_segments - 1) of each respondent."""
        self._check_fitted()
        return self._predict(self._prepare(X, fitting=False))

    def _check_columns(self, X: pd.DataFrame) -> None:
        if list(X.columns) != self.columns_:
            raise ValueError(f"X has columns {list(X.columns)}; the model was fitted on {self.columns_}")

    def _check_fitted(self) -> None:
        if not hasattr(self, "labels_"):
            raise ValueError(f"this {type(self).__name__} is not fitted yet; call fit(X) first")


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


def _check_answers(X: pd.DataFrame, allow_missing: bool) -> None:
    if X.shape[0] < 2 or X.shape[1] < 1:
        raise ValueError(f"X needs at least 2 respondents and 1 answer column, got shape {X.shape}")
    constant = [c for c in X.columns if X[c].nunique(dropna=True) <= 1]
    if constant:
        raise ValueError(f"column(s) {constant} have a single answer (or none): they cannot separate segments; "
                         "drop them")
    empty = X.isna().all(axis=1)
    if empty.any():
        raise ValueError(f"{int(empty.sum())} respondent(s) answered nothing, e.g. rows {X.index[empty][:5].tolist()}; "
                         "drop them")
    if not allow_missing and X.isna().any().any():
        cols = X.columns[X.isna().any()].tolist()
        raise ValueError(f"column(s) {cols} have missing answers; this model needs complete rows "
                         "(LatentClassSegments handles missing answers)")


def _sample_weight(sample_weight, X) -> np.ndarray | None:
    """Respondent weights as floats (checked as :func:`cxstats.survey.survey_weights` checks a weight column)."""
    if sample_weight is None:
        return None
    index = _frame(X).index
    if np.shape(sample_weight) != (len(index),):
        raise ValueError(f"sample_weight needs one weight per respondent ({len(index)}), "
                         f"got shape {np.shape(sample_weight)}")
    return survey_weights(pd.DataFrame({"sample_weight": np.asarray(sample_weight)}, index=index), "sample_weight")


def _numeric(X: pd.DataFrame, model: str) -> np.ndarray:
    bad = [c for c, t in X.dtypes.items() if not (pd.api.types.is_numeric_dtype(t) or pd.api.types.is_bool_dtype(t))]
    if bad:
        raise ValueError(f"{model} needs numeric answers; column(s) {bad} are not numeric "
                         "(code them as numbers, or use LatentClassSegments for categorical answers)")
    return X.to_numpy(dtype=float)


class KMeansSegments(_Segments):
    """k-means segments of numeric answers (e.g. ratings), standardized by default.

    Parameters
    ----------
    n_segments : int, default 3
    n_init : int, default 10
        Random starts; the one with the smallest within-segment sum of squares is kept.
    standardize : bool, default True
        Scale every column to mean 0 and standard deviation 1 first, so no
        answer dominates because of its units.
    random_state : int, default 0

    Attributes
    ----------
    labels_, centers_ (DataFrame, original units), inertia_, start_scores_
    (minus the inertia of every start), n_features_in_.

    Notes
    -----
    Respondent weights are passed to scikit-learn's ``KMeans`` as
    ``sample_weight``.

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

    def __init__(self, n_segments=3, n_init=10, standardize=True, random_state=0):
        self.n_segments = n_segments
        self.n_init = n_init
        self.standardize = standardize
        self.random_state = random_state

    def _prepare(self, X, fitting):
        X = _frame(X)
        if not fitting:
            self._check_columns(X)
        values = _numeric(X, type(self).__name__)
        if fitting:  # the checks of _check_answers, on the numeric array (cheaper than per-column pandas)
            if values.shape[0] < 2:
                raise ValueError(f"X needs at least 2 respondents, got {values.shape[0]}")
            holes = np.isnan(values).any(axis=0)
            if holes.any():
                raise ValueError(f"column(s) {list(X.columns[holes])} have missing answers; this model needs "
                                 "complete rows (LatentClassSegments handles missing answers)")
            flat = values.min(axis=0) == values.max(axis=0)
            if flat.any():
                raise ValueError(f"column(s) {list(X.columns[flat])} have a single answer: they cannot separate "
                                 "segments; drop them")
            self.columns_ = list(X.columns)
            self.mean_ = values.mean(axis=0) if self.standardize else np.zeros(values.shape[1])
            self.scale_ = values.std(axis=0) if self.standardize else np.ones(values.shape[1])
        return (values - self.mean_) / self.scale_

    def fit(self, X, sample_weight=None):
        """Fit on respondents x answers; ``sample_weight`` are respondent weights."""
        from sklearn.cluster import KMeans

        Z = self._prepare(X, fitting=True)
        sample_weight = _sample_weight(sample_weight, X)
        self._check_k(len(Z), _distinct_rows(Z, self.n_segments))
        best, scores = None, []
        for seed in self._seeds():  # one loop iteration per random start, as scikit-learn's own n_init does
            model = KMeans(n_clusters=self.n_segments, n_init=1, random_state=int(seed), copy_x=False).fit(
                Z, sample_weight=sample_weight)
            scores.append(-model.inertia_)
            if best is None or model.inertia_ < best.inertia_:
                best = model
        self.model_ = best
        self.labels_ = best.labels_
        self.inertia_ = best.inertia_
        self.start_scores_ = np.array(scores)
        self.centers_ = pd.DataFrame(best.cluster_centers_ * self.scale_ + self.mean_, columns=self.columns_)
        self.n_features_in_ = Z.shape[1]
        self._Z = Z
        return self

    def _predict(self, Z):
        return self.model_.predict(Z)


class MixtureSegments(_Segments):
    """Gaussian mixture segments of numeric answers (scikit-learn ``GaussianMixture``).

    Parameters
    ----------
    n_segments : int, default 3
    n_init : int, default 10
        Random starts; the highest log-likelihood is kept.
    covariance_type : {"diag", "full", "tied", "spherical"}, default "diag"
    standardize : bool, default True
    random_state : int, default 0

    Attributes
    ----------
    labels_, weights_ (segment shares), means_ (DataFrame, original units),
    loglik_, n_parameters_, start_scores_ (log-likelihood of every start).

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

    def __init__(self, n_segments=3, n_init=10, covariance_type="diag", standardize=True, random_state=0):
        self.n_segments = n_segments
        self.n_init = n_init
        self.covariance_type = covariance_type
        self.standardize = standardize
        self.random_state = random_state

    _prepare = KMeansSegments._prepare

    def fit(self, X, sample_weight=None):
        """Fit on respondents x answers (weights are not supported by the engine: see Notes)."""
        from sklearn.mixture import GaussianMixture

        if sample_weight is not None:
            raise ValueError("MixtureSegments cannot use respondent weights: scikit-learn's GaussianMixture does "
                             "not support them. Use LatentClassSegments or KMeansSegments, which do.")
        Z = self._prepare(X, fitting=True)
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
        self.means_ = pd.DataFrame(self.model_.means_ * self.scale_ + self.mean_, columns=self.columns_)
        self.n_parameters_ = int(self.model_._n_parameters())
        self.start_scores_ = np.array(scores)
        self._Z = Z
        return self

    def _predict(self, Z):
        return self.model_.predict(Z)

    def predict_proba(self, X) -> np.ndarray:
        """Posterior probability of each segment for each respondent."""
        self._check_fitted()
        return self.model_.predict_proba(self._prepare(X, fitting=False))


class LatentClassSegments(_Segments):
    """Latent class segments of categorical, binary or ordinal answers (StepMix engine).

    Every column is treated as categorical (ordered categoricals keep their
    order in the coding). Missing answers are handled by full-information
    maximum likelihood: a respondent contributes the answers they gave, and no
    row is dropped.

    Parameters
    ----------
    n_segments : int, default 3
    n_init : int, default 10
        Random starts; the highest log-likelihood is kept.
    max_iter : int, default 1000
    random_state : int, default 0

    Attributes
    ----------
    labels_, weights_ (segment shares), item_probabilities_ (DataFrame:
    segment x column x answer), loglik_, n_parameters_, start_scores_
    (log-likelihood of every start), categories_ (answers of each column).

    Notes
    -----
    Respondent weights are passed to StepMix as ``sample_weight`` (the
    log-likelihood is then a weighted pseudo-likelihood).

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

    def __init__(self, n_segments=3, n_init=10, max_iter=1000, random_state=0):
        self.n_segments = n_segments
        self.n_init = n_init
        self.max_iter = max_iter
        self.random_state = random_state

    def _prepare(self, X, fitting):
        X = _frame(X)
        if fitting:
            _check_answers(X, allow_missing=True)
            self.columns_ = list(X.columns)
            self.categories_ = {}
        else:
            self._check_columns(X)
        coded = np.empty(X.shape, order="F")  # column-major: the engine works answer by answer
        for j, column in enumerate(self.columns_):
            values = X[column]
            if fitting:
                if isinstance(values.dtype, pd.CategoricalDtype):
                    self.categories_[column] = list(values.cat.categories)
                else:
                    self.categories_[column] = sorted(values.dropna().unique().tolist())
            codes = pd.Categorical(values, categories=self.categories_[column]).codes.astype(float)
            unknown = values.notna().to_numpy() & (codes < 0)
            if unknown.any():
                raise ValueError(f"column {column!r} has answers {sorted(values[unknown].unique().tolist())[:5]} "
                                 f"not seen when fitting ({self.categories_[column]})")
            codes[codes < 0] = np.nan
            coded[:, j] = codes
        return coded

    def _engine(self, seed):
        from stepmix.stepmix import StepMix

        measurement = "categorical_nan" if self._has_missing else "categorical"
        return StepMix(n_components=self.n_segments, measurement=measurement, n_init=1, max_iter=self.max_iter,
                       random_state=int(seed), verbose=0, progress_bar=0)

    def fit(self, X, sample_weight=None):
        """Fit on respondents x answers; ``sample_weight`` are respondent weights."""
        coded = self._prepare(X, fitting=True)
        sample_weight = _sample_weight(sample_weight, X)
        self._has_missing = bool(np.isnan(coded).any())
        self._check_k(len(coded), _distinct_rows(coded, self.n_segments))
        total = len(coded) if sample_weight is None else float(np.sum(sample_weight))
        best, scores = None, []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # StepMix reports non-convergence per start; the scores show it
            for seed in self._seeds():
                model = self._engine(seed).fit(coded, sample_weight=sample_weight)
                loglik = model.lower_bound_ * total  # the engine's average log-likelihood at convergence
                scores.append(loglik)
                if best is None or loglik > best[0]:
                    best = (loglik, model)
            self.model_ = best[1]
            self.loglik_ = self.model_.score(coded, sample_weight=sample_weight) * total
        self._coded = coded
        self.labels_ = self.model_.predict(coded)
        self.weights_ = np.asarray(self.model_.weights_)
        self.n_parameters_ = int(self.model_.n_parameters)
        self.start_scores_ = np.array(scores)
        self.item_probabilities_ = self._item_table()
        return self

    def _item_table(self) -> pd.DataFrame:
        params = self.model_.get_parameters()["measurement"]["pis"]  # segments x (columns x max answers)
        n_answers = params.shape[1] // len(self.columns_)
        rows = []
        for k in range(self.n_segments):
            for j, column in enumerate(self.columns_):
                for a, answer in enumerate(self.categories_[column]):
                    rows.append({"segment": k, "column": column, "answer": answer,
                                 "probability": params[k, j * n_answers + a]})
        return pd.DataFrame(rows)

    def _predict(self, coded):
        return self.model_.predict(coded)

    def predict_proba(self, X) -> np.ndarray:
        """Posterior probability of each segment for each respondent."""
        self._check_fitted()
        return self.model_.predict_proba(self._prepare(X, fitting=False))


def _fit_stats(model, weight) -> dict:
    """Log-likelihood based criteria of a fitted mixture or latent class model (``weight``: one per row)."""
    if not hasattr(model, "loglik_"):
        return {"loglik": np.nan, "aic": np.nan, "bic": np.nan, "sabic": np.nan, "entropy": np.nan}
    ll, p, n = model.loglik_, model.n_parameters_, weight.sum()
    post = model.predict_proba(model._source)
    k = post.shape[1]
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(post > 0, post * np.log(post), 0.0)
    entropy = 1 + (weight @ plogp.sum(axis=1)) / (n * np.log(k)) if k > 1 else 1.0
    return {"loglik": ll, "aic": -2 * ll + 2 * p, "bic": -2 * ll + p * np.log(n),
            "sabic": -2 * ll + p * np.log((n + 2) / 24), "entropy": entropy}


def select_segments(model, X, k=range(2, 9), n_bootstrap=10, sample_weight=None, random_state=0):
    """Fit ``model`` for each number of segments and tabulate the criteria for choosing one.

    Parameters
    ----------
    model : KMeansSegments, MixtureSegments or LatentClassSegments
        An (unfitted) model whose other settings are kept.
    X : DataFrame
        Respondents x answers.
    k : iterable of int, default range(2, 9)
    n_bootstrap : int, default 10
        Resamples for the stability column (0 to skip it).
    sample_weight : array-like, optional
        Respondent weights. The criteria treat them as frequency weights: the
        sample size in BIC and SABIC is their sum, and entropy and the
        smallest share are weighted, so a table of answer patterns with their
        counts gives the same criteria as one row per respondent. Scale survey
        weights to sum to the number of respondents. The stability resamples
        rows with their weights (patterns, for a table of patterns).
    random_state : int, default 0

    Returns
    -------
    pandas.DataFrame
        One row per k: ``k``, ``loglik``, ``aic``, ``bic``, ``sabic``
        (sample-size adjusted BIC), ``entropy`` (relative entropy, 1 = crisp
        classification; mixtures and latent classes), ``silhouette``
        (k-means), ``smallest_share``, ``stability`` (mean adjusted Rand index
        between the full fit and fits on bootstrap resamples, all predicted on
        X), ``suggested`` (True on one row) and ``criterion`` (what suggested
        it: lowest BIC for mixtures and latent classes, highest silhouette for
        k-means).

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
    ks = [int(v) for v in k]
    if not ks or min(ks) < 1:
        raise ValueError(f"k must list numbers of segments of at least 1, got {ks}")
    X = _frame(X)
    weight = _sample_weight(sample_weight, X)
    weight = np.ones(len(X)) if weight is None else weight
    rng = np.random.default_rng(random_state)
    rows = []
    for n_seg in ks:  # one fit per candidate k (plus the bootstrap refits)
        fitted = model.clone(n_segments=n_seg).fit(X, sample_weight=sample_weight)
        fitted._source = X
        labels = fitted.labels_
        row = {"k": n_seg, **_fit_stats(fitted, weight)}
        row["silhouette"] = np.nan
        if isinstance(fitted, KMeansSegments) and n_seg > 1:
            row["silhouette"] = silhouette_score(fitted._Z, labels, sample_size=min(len(X), 5000),
                                                 random_state=random_state)
        row["smallest_share"] = np.bincount(labels, weights=weight, minlength=n_seg).min() / weight.sum()
        agreements = []
        for _ in range(n_bootstrap):
            rows_b = rng.integers(0, len(X), len(X))
            w_b = None if sample_weight is None else np.asarray(sample_weight)[rows_b]
            refit = fitted.clone(n_init=max(1, min(3, fitted.n_init)), random_state=int(rng.integers(2**31 - 1)))
            refit.fit(X.iloc[rows_b].reset_index(drop=True), sample_weight=w_b)
            agreements.append(adjusted_rand_score(labels, refit.predict(X)))
        row["stability"] = float(np.mean(agreements)) if agreements else np.nan
        rows.append(row)
    table = pd.DataFrame(rows)
    if isinstance(model, KMeansSegments):
        best, criterion = table["silhouette"].idxmax(), "highest silhouette"
    else:
        best, criterion = table["bic"].idxmin(), "lowest BIC"
    table["suggested"] = table.index == best
    table["criterion"] = np.where(table["suggested"], criterion, "")
    return table
