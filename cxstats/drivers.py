"""Key driver analysis: how much of an outcome's explained variance (R²) each answer accounts for.

Two decompositions of the R² of a linear regression of an outcome (overall
satisfaction, likelihood to recommend) on its drivers (ratings of service
aspects), both computed from the (weighted) correlation matrix alone, which
is their sufficient statistic:

- ``shapley``: the Shapley value of R², also called LMG (Lindeman, Merenda
  and Gold 1980): each driver's increase in R² averaged over every order in
  which the drivers can enter the model. Exact: the R² of all 2^k subsets of
  the k drivers is computed by one sweep over the lattice of subsets.
- ``relative_weights``: Johnson's (2000) relative weights, which regress the
  outcome on the orthogonal counterparts of the drivers.

Intervals come from a bootstrap that follows the survey design (the Rao-Wu
rescaled bootstrap, as R's ``as.svrepdesign(type = "subbootstrap")``).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from math import comb

import numpy as np
import pandas as pd

from ._inference import p_value
from ._validate import check_choice, check_open_unit, check_seed, whole_number
from .design import check_columns, survey_design
from .multiple import ADJUST_METHODS, adjust_pvalues

METHODS = ("shapley", "relative_weights")
MISSING = ("listwise", "pairwise")
MAX_SHAPLEY_DRIVERS = 22  # 2^22 subsets: about a second and 200 MB; beyond, use relative_weights
MIN_BOOT, MAX_BOOT = 50, 100_000  # fewer replicates leave too few in each tail for a percentile interval
LATTICE_BATCH = 1 << 20  # replicates x subsets swept at once (about 150 MB of working memory)
SINGULAR = 1e-10  # smallest eigenvalue of the drivers' correlation matrix below which they are collinear


@dataclass(frozen=True, eq=False)
class KeyDriversResult:
    """Result of :func:`key_drivers`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per driver, in the order given: ``driver``, ``estimate``
        (its part of R²; the parts sum to ``r2``), ``share`` (estimate / R²;
        the shares sum to 1), ``ci_low``, ``ci_high`` (bootstrap percentile
        interval of ``estimate``), ``share_ci_low``, ``share_ci_high`` (of
        ``share``), ``rank`` (1 for the largest part). Intervals are missing
        with ``n_boot=0``.
    r2 : float
        R² of the regression of the outcome on all drivers (weighted).
    r2_ci : tuple of float
        Bootstrap percentile interval of ``r2`` (missing with ``n_boot=0``).
    n : int
        Respondents used: with ``missing="listwise"``, those who answered the
        outcome and every driver (with a positive weight); with
        ``"pairwise"``, the fewest behind any one correlation.
    n_missing : int
        Respondents without an answer to the outcome or to at least one driver.
    outcome, method, missing : str
        The outcome column and the options used (``missing="pairwise"`` flags
        correlations computed from different respondents).
    conf_level : float
    n_boot : int
    boot_estimates : numpy.ndarray
        Bootstrap replicates of ``estimate``, shape (n_boot, drivers), columns in table order.
    boot_r2 : numpy.ndarray
        Bootstrap replicates of ``r2``, shape (n_boot,).
    weight : str or None
        The survey weight column the analysis used (given as ``weight=`` or
        carried by a survey design), None without weights; the
        importance-performance functions use it for performance by default.
    """

    table: pd.DataFrame
    r2: float
    r2_ci: tuple
    n: int
    n_missing: int
    outcome: str
    method: str
    missing: str
    conf_level: float
    n_boot: int
    boot_estimates: np.ndarray
    boot_r2: np.ndarray
    weight: str | None = None

    @property
    def boot_shares(self) -> np.ndarray:
        """Bootstrap replicates of ``share``, shape (n_boot, drivers)."""
        return self.boot_estimates / self.boot_r2[:, None]

    def to_frame(self) -> pd.DataFrame:
        """The driver table."""
        return self.table

    def compare(self, drivers=None, *, adjust="holm") -> pd.DataFrame:
        """Whether one driver's share of R² exceeds another's, for every pair of ``drivers``.

        Parameters
        ----------
        drivers : list of str, optional
            The drivers to compare pairwise (at least two; default all).
        adjust : {"holm", "hochberg", "bonferroni", "bh", "by", "none"}
            Multiple-comparison adjustment of the p-values over the pairs
            (:func:`cxstats.adjust_pvalues`).

        Returns
        -------
        pandas.DataFrame
            One row per pair, the higher-ranked driver first: ``driver1``,
            ``driver2``, ``diff`` (share1 - share2), ``se`` (bootstrap standard
            deviation of the difference), ``ci_low``, ``ci_high`` (bootstrap
            percentile interval of the difference at ``conf_level``, for that
            pair alone, not adjusted), ``ci_low_bonferroni``,
            ``ci_high_bonferroni`` (simultaneous interval over the m pairs:
            diff -/+ the normal quantile at 1 - (1 - conf_level) / (2 m)
            times se), ``statistic`` (diff / se), ``p_value`` (two-sided,
            normal), ``p_adjusted``, ``reject`` (``p_adjusted <= 1 -
            conf_level``: the shares differ, driver1's being larger when
            ``diff > 0``), ``adjust``.

        Raises
        ------
        ValueError
            No bootstrap replicates (``n_boot=0``), an unknown or repeated
            driver, fewer than two drivers, an unknown ``adjust``.

        Notes
        -----
        The p-value treats the bootstrap distribution of the difference as
        normal (z = diff / se), so it is not limited by the number of
        replicates as a count of replicates beyond zero would be.

        Which interval goes with which test: the Bonferroni interval and the
        test use the same z = diff / se, so with ``adjust="bonferroni"`` a
        pair's Bonferroni interval excludes 0 exactly when ``reject`` is
        True. Holm's procedure (the default) rejects every pair Bonferroni
        rejects and possibly more, so an interval that excludes 0 implies
        ``reject``, not the converse. The percentile interval ``ci_low``,
        ``ci_high`` is for one pair looked at alone (no adjustment).
        """
        from scipy import stats

        check_choice("adjust", adjust, ADJUST_METHODS)
        if self.n_boot == 0:
            raise ValueError("the result has no bootstrap replicates; fit key_drivers with n_boot of at least "
                             f"{MIN_BOOT} to compare drivers")
        names = list(self.table["driver"])
        chosen = names if drivers is None else ([drivers] if isinstance(drivers, str) else list(drivers))
        unknown = [d for d in chosen if d not in names]
        if unknown or len(set(chosen)) < len(chosen) or len(chosen) < 2:
            raise ValueError(f"drivers must be at least two different drivers of the result {names}; got {drivers!r}")
        rank = dict(zip(names, self.table["rank"], strict=True))
        chosen = sorted(chosen, key=lambda d: (rank[d], names.index(d)))
        pairs = list(combinations(chosen, 2))
        first = np.array([names.index(a) for a, _ in pairs])
        second = np.array([names.index(b) for _, b in pairs])
        share = self.table["share"].to_numpy()
        boot = self.boot_shares[:, first] - self.boot_shares[:, second]
        diff = share[first] - share[second]
        se = boot.std(axis=0, ddof=1)
        tail = (1 - self.conf_level) / 2
        with np.errstate(divide="ignore", invalid="ignore"):
            z = diff / se
        p = p_value(z)
        adjusted = adjust_pvalues(np.nan_to_num(p, nan=1.0), method=adjust, alpha=1 - self.conf_level)
        half = stats.norm.ppf(1 - tail / len(pairs)) * se  # Bonferroni: each pair at level 1 - (1 - conf) / m
        return pd.DataFrame({
            "driver1": [a for a, _ in pairs], "driver2": [b for _, b in pairs], "diff": diff, "se": se,
            "ci_low": np.quantile(boot, tail, axis=0), "ci_high": np.quantile(boot, 1 - tail, axis=0),
            "ci_low_bonferroni": diff - half, "ci_high_bonferroni": diff + half, "statistic": z, "p_value": p,
            "p_adjusted": adjusted["p_adjusted"].to_numpy(),
            "reject": adjusted["reject"].to_numpy(), "adjust": adjust})


# ------------------------------------------------------------------ the decompositions

def subset_r2(corr: np.ndarray) -> np.ndarray:
    """R² of the outcome on every subset of the drivers, from correlation (or covariance) matrices.

    ``corr`` has shape (..., k + 1, k + 1): the k drivers first, the outcome
    last. Returns shape (..., 2^k); entry ``s`` is the R² of the subset whose
    drivers are the set bits of ``s`` (driver j when bit j is set).

    The lattice is built one driver at a time: for every subset of drivers
    0..j-1 the matrix of the remaining variables conditional on the subset
    (a Schur complement) is kept; adding driver j sweeps it out, which
    doubles the subsets and shrinks each matrix by one row and column. At the
    end each subset's matrix is the outcome's residual variance, and R² is 1
    minus its share of the outcome's variance. About 12 x 2^k arithmetic
    operations per matrix, vectorized; the sweeps are Gaussian elimination
    without pivoting on a positive definite matrix, which is stable.
    """
    k = corr.shape[-1] - 1
    batch = corr.shape[:-2]
    c = np.asarray(corr, dtype=float).reshape(-1, 1, k + 1, k + 1)
    var_y = c[:, 0, -1, -1].copy()
    for _ in range(k):
        half = c.shape[1]
        rest = c[:, :, 1:, 1:]
        swept = np.empty((c.shape[0], 2 * half, *rest.shape[2:]))
        swept[:, :half] = rest  # subsets without this driver: drop its row and column
        np.subtract(rest, c[:, :, 1:, :1] * (c[:, :, :1, 1:] / c[:, :, :1, :1]), out=swept[:, half:])  # with it
        c = swept
    return (1 - c[:, :, 0, 0] / var_y[:, None]).reshape(*batch, 2**k)


def shapley_values(r2: np.ndarray) -> np.ndarray:
    """Shapley values of a set function given on all 2^k subsets (last axis, subsets numbered as by ``subset_r2``).

    Driver j gets the sum over subsets S without j of
    |S|! (k - |S| - 1)! / k! * (r2[S + j] - r2[S]): its average gain over
    all k! orders of entry. Returns shape (..., k).
    """
    k = int(np.log2(r2.shape[-1]))
    batch = r2.shape[:-1]
    values = r2.reshape(-1, 2**k)
    size = np.zeros(1, dtype=np.int64)  # number of drivers in each subset
    for _ in range(k):
        size = np.concatenate([size, size + 1])
    weight = np.array([1 / (k * comb(k - 1, s)) for s in range(k)])
    out = np.empty((values.shape[0], k))
    for j in range(k):  # subsets as (higher bits, bit j, lower bits): a view, no gathering
        v = values.reshape(-1, 2 ** (k - 1 - j), 2, 2**j)
        w = weight[size.reshape(2 ** (k - 1 - j), 2, 2**j)[:, 0, :]]
        out[:, j] = np.einsum("bij,ij->b", v[:, :, 1, :] - v[:, :, 0, :], w)
    return out.reshape(*batch, k)


def relative_weights(corr: np.ndarray) -> np.ndarray:
    """Johnson's (2000) relative weights from correlation matrices (..., k + 1, k + 1), drivers first.

    With R the drivers' correlation matrix and L = R^(1/2) its symmetric
    square root, the outcome is regressed on the orthogonal variables
    Z = X R^(-1/2) (coefficients b = L^-1 r_xy), and driver j gets
    sum_m L_jm² b_m². The weights sum to R². Returns shape (..., k).
    """
    rxx, rxy = corr[..., :-1, :-1], corr[..., :-1, -1]
    values, vectors = np.linalg.eigh(rxx)
    root = (vectors * np.sqrt(values)[..., None, :]) @ np.swapaxes(vectors, -1, -2)
    b = np.linalg.solve(root, rxy[..., None])[..., 0]
    return np.einsum("...jm,...m->...j", root**2, b**2)


def _decompose(corr: np.ndarray, method: str) -> tuple[np.ndarray, np.ndarray]:
    """Parts of R² per driver and R², for a stack of correlation matrices (B, k + 1, k + 1)."""
    rxx, rxy = corr[:, :-1, :-1], corr[:, :-1, -1]
    r2 = np.einsum("bj,bj->b", rxy, np.linalg.solve(rxx, rxy[..., None])[..., 0])
    if method == "relative_weights":
        return relative_weights(corr), r2
    k = corr.shape[-1] - 1
    step = max(1, LATTICE_BATCH >> k)
    parts = [shapley_values(subset_r2(corr[i:i + step])) for i in range(0, len(corr), step)]
    return np.concatenate(parts), r2


# ------------------------------------------------------------------ correlations

def _correlation(cov: np.ndarray) -> np.ndarray:
    sd = np.sqrt(np.diagonal(cov, axis1=-2, axis2=-1))
    with np.errstate(divide="ignore", invalid="ignore"):  # a constant column: NaN, refused by callers
        return cov / sd[..., :, None] / sd[..., None, :]


def _listwise_corr(X: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Weighted correlation matrix of the columns of ``X`` (centred near their means) with weights ``v``."""
    return _listwise_from(v.sum(), v @ X, X.T @ (X * v[:, None]))


def _listwise_from(total, sums, products) -> np.ndarray:
    """Correlations from the total weight (...), weighted sums (..., k) and cross-products (..., k, k)."""
    mean = sums / total[..., None]
    cov = products / total[..., None, None] - mean[..., :, None] * mean[..., None, :]
    return _correlation(cov)


def _pairwise_corr(X: np.ndarray, present: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Weighted correlations, each from the respondents who answered both columns (R's pairwise.complete.obs).

    ``X`` holds 0 where an answer is missing (``present`` False).
    """
    P = present.astype(float)
    Xv, Pv = X * v[:, None], P * v[:, None]
    return _pairwise_from(Pv.T @ P, Xv.T @ P, (Xv * X).T @ P, Xv.T @ X)


def _pairwise_from(w, s1, s2, products) -> np.ndarray:
    """Pairwise correlations from, per pair (a, b) of columns over the respondents with both (each (..., k, k)):
    the weight ``w``, the weighted sums of a (``s1``) and of a^2 (``s2``), and of a b (``products``)."""
    with np.errstate(divide="ignore", invalid="ignore"):  # a pair without (varying) answers: NaN, refused by callers
        mean_a = s1 / w
        mean_b = np.swapaxes(mean_a, -1, -2)
        cov = products / w - mean_a * mean_b
        var_a = s2 / w - mean_a**2
        return cov / np.sqrt(var_a * np.swapaxes(var_a, -1, -2))


# ------------------------------------------------------------------ checks

def _as_names(drivers, outcome) -> list:
    names = [drivers] if isinstance(drivers, str) else list(drivers) if isinstance(drivers, list | tuple) else None
    if names is None or not all(isinstance(d, str) for d in names):
        raise ValueError(f"drivers must be a list of column names, got {drivers!r}")
    if len(names) < 2:
        raise ValueError(f"drivers must name at least two columns (a decomposition of R² needs two), got {names}")
    repeated = sorted({d for d in names if names.count(d) > 1})
    if repeated:
        raise ValueError(f"drivers lists {', '.join(map(repr, repeated))} more than once; give each driver once")
    if outcome in names:
        raise ValueError(f"the outcome {outcome!r} is also listed among the drivers; remove it from drivers")
    return names


def _numbers(df: pd.DataFrame, column: str) -> np.ndarray:
    """A numeric column as floats (NaN where missing); text, categories and infinities are errors."""
    values = df[column]
    if isinstance(values.dtype, pd.CategoricalDtype) or not (
            pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values)):
        shown = [v.item() if isinstance(v, np.generic) else v for v in values.dropna().unique()[:5]]
        raise ValueError(f"column {column!r} must hold numbers (the answers' scores); it has values {shown}")
    x = values.to_numpy(dtype=float, na_value=np.nan)
    if np.isinf(x).any():
        raise ValueError(f"column {column!r} has infinite values; answers must be finite numbers or missing")
    return x


def _check_identified(corr: np.ndarray, names: list) -> None:
    """Raise when drivers are perfectly collinear (named): the regression on them is not identified."""
    values, vectors = np.linalg.eigh(corr[:-1, :-1])
    null = values < SINGULAR
    if null.any():
        involved = np.abs(vectors[:, null]).max(axis=1) > 1e-6
        raise ValueError(f"drivers {[n for n, i in zip(names, involved, strict=True) if i]} are perfectly "
                         f"collinear (one is a linear combination of the others), so their parts of R² are "
                         "not identified; drop one of them or combine them into one score")


def _in_memory(design, columns):
    """The design with its respondents in memory (the needed columns only) for data read where it lives."""
    if design.in_memory:
        return design
    keep = list(dict.fromkeys(c for c in (*columns, design.weight, design.strata, *design.cluster, *design.fpc)
                              if c is not None))
    frame = design.data.select(keep).to_pandas()
    return survey_design(frame, weight=design.weight, strata=design.strata, cluster=list(design.cluster) or None,
                         fpc=list(design.fpc) or None, nest=design.nest, lonely_psu=design.lonely_psu)


def _too_few(n, names, outcome, missing) -> None:
    if n >= len(names) + 2:
        return
    if missing == "listwise":
        raise ValueError(f"only {n} respondents answered {outcome!r} and every driver; the regression on "
                         f"{len(names)} drivers needs at least {len(names) + 2}")
    raise ValueError(f"with missing='pairwise' the fewest respondents behind one correlation is {n}; the "
                     f"regression on {len(names)} drivers needs at least {len(names) + 2}")


def _from_rows(design, columns, names, outcome, missing):
    """In memory: respondents used, missing, and the correlations as a function of per-row weight multipliers."""
    X = np.empty((design.n_rows, len(columns)), order="F")  # column by column: contiguous writes
    for j, column in enumerate(columns):
        X[:, j] = _numbers(design.data, column)
    w = design.weights
    present = ~np.isnan(X)
    complete = present.all(axis=1)
    n_missing = int((~complete).sum())
    positive = w > 0
    if missing == "listwise":
        rows = complete & positive
        n = int(rows.sum())
        _too_few(n, names, outcome, missing)
        v = w if n_missing == 0 else w * complete
        if n_missing:
            X[~present] = 0.0
        X -= v @ X / v.sum()  # centred near the means, so sums of squares do not cancel
        _check_variation(X if n == len(X) else X[rows], columns, outcome)
        return n, n_missing, lambda m=None: _listwise_corr(X, v if m is None else v * m)
    both = (present & positive[:, None]).astype(float)
    n = int((both.T @ both).min())
    _too_few(n, names, outcome, missing)
    means = np.array([np.average(X[present[:, j], j], weights=w[present[:, j]]) if w[present[:, j]].sum() > 0
                      else 0.0 for j in range(X.shape[1])])
    X = np.where(present, X - means, 0.0)
    _check_variation_pairwise(X, present & positive[:, None], columns, outcome)
    return n, n_missing, lambda m=None: _pairwise_corr(X, present, w if m is None else w * m)


def _from_engine(design, columns, names, outcome, missing, per_psu):
    """Where the data lives: as :func:`_from_rows`, from weighted cross-products summed by the engine.

    With ``per_psu`` the sums come per PSU, and the correlations are a
    function of per-PSU weight multipliers (the bootstrap's).
    """
    from ._engine import cross_products, unpack_cross_products

    found = cross_products(design, columns, missing, per_psu)
    _too_few(found.n, names, outcome, missing)
    _constant_error([c for c, s in zip(columns, found.spread, strict=True) if not s > 0], outcome)
    finish = _listwise_from if missing == "listwise" else _pairwise_from

    def corr_of(m=None):
        sums = found.sums.sum(axis=0) if m is None else m @ found.sums
        return finish(*unpack_cross_products(sums, len(columns), missing))

    return found.n, found.n_missing, corr_of, found.psu_stratum


# ------------------------------------------------------------------ bootstrap

def rao_wu_multipliers(design, rng):
    """Replicate weight multipliers per row, one replicate per call: the Rao-Wu rescaled bootstrap.

    In each stratum with n_h PSUs, n_h - 1 PSUs are drawn with replacement;
    a PSU drawn m times gets m n_h / (n_h - 1), as R's
    ``as.svrepdesign(type = "subbootstrap")``. Only the first stage is
    resampled and the fpc is not used (as R). A stratum with a single PSU
    keeps its weights (multiplier 1) when ``lonely_psu`` is ``"certainty"``
    or ``"remove"``; other ``lonely_psu`` choices are refused. Returns a
    function of no arguments giving the next replicate's multipliers (n_rows,).
    """
    n = design.n_rows
    psu = np.unique(design.unit_codes[0], return_inverse=True)[1].ravel() if design.cluster else np.arange(n)
    stratum = np.broadcast_to(design.stratum_codes, n)
    psu_stratum = np.zeros(int(psu.max()) + 1, dtype=np.int64)
    psu_stratum[psu] = stratum
    draw = psu_multipliers(psu_stratum, design.lonely_psu, rng)
    return lambda: draw()[psu]


def psu_multipliers(psu_stratum: np.ndarray, lonely_psu: str, rng):
    """The Rao-Wu multipliers of :func:`rao_wu_multipliers` per PSU (``psu_stratum``: each PSU's stratum code)."""
    n_psu = psu_stratum.size
    by_stratum = np.argsort(psu_stratum, kind="stable")  # PSUs grouped by stratum
    sizes = np.bincount(psu_stratum)
    if (sizes == 1).any() and lonely_psu not in ("certainty", "remove"):
        raise ValueError(f"the design has strata with a single PSU and lonely_psu={lonely_psu!r}; the "
                         "bootstrap can only keep such PSUs fixed: make the design with lonely_psu='certainty' or "
                         "'remove', or pass n_boot=0")
    starts = np.cumsum(sizes) - sizes
    draw_stratum = np.repeat(np.arange(len(sizes)), np.maximum(sizes - 1, 0))
    scale = np.where(sizes > 1, sizes / np.maximum(sizes - 1, 1), 0.0)[psu_stratum]
    fixed = sizes[psu_stratum] == 1

    def draw():
        picked = starts[draw_stratum] + (rng.random(draw_stratum.size) * sizes[draw_stratum]).astype(np.int64)
        multiplier = np.bincount(by_stratum[picked], minlength=n_psu) * scale
        multiplier[fixed] = 1.0
        return multiplier

    return draw


# ------------------------------------------------------------------ the function

def key_drivers(data, outcome, drivers, *, weight=None, method="shapley", missing="listwise", conf_level=0.95,
                n_boot=1000, seed=None) -> KeyDriversResult:
    """Which answers drive an outcome: each driver's part of the R² of a regression of the outcome on all drivers.

    Parameters
    ----------
    data : pandas.DataFrame, path, ibis.Table or SurveyDesign
        Respondents, as :func:`cxstats.weighted_mean` takes them. A file or
        an Ibis table (DuckDB, Spark, ...) is summed where it lies: its
        engine returns the weighted cross-products of the answers (per PSU
        for the bootstrap of a clustered design), never the rows; only a
        bootstrap without clusters, which resamples respondents, reads the
        needed columns into memory.
    outcome : str
        Numeric outcome column (e.g. overall satisfaction 1-10).
    drivers : list of str
        At least two numeric driver columns (ratings of aspects), up to
        22 for ``method="shapley"``.
    weight : str, optional
        Survey (sampling) weight column; not with a survey design (which carries its own).
    method : {"shapley", "relative_weights"}
        ``shapley``: exact Shapley value (LMG) of R², averaged over every order
        of entry; ``relative_weights``: Johnson's relative weights (usually
        close to Shapley, and instant for any number of drivers).
    missing : {"listwise", "pairwise"}
        ``listwise`` (default) uses the respondents who answered the outcome
        and every driver. ``pairwise`` computes each correlation from the
        respondents who answered both of its columns: more answers are used,
        but the correlations come from different respondents and may not
        form a valid (positive definite) matrix, which is then an error.
    conf_level : float, default 0.95
    n_boot : int, default 1000
        Bootstrap replicates for the intervals (0 for none, else at least 50).
        Each replicate repeats the whole computation (a weighted
        cross-product of the respondents and, for ``shapley``, the 2^k
        subsets). On the 2-core build machine the default takes about 1 s
        for 9 drivers and 2,000 respondents, 10 s for 15 drivers and 1e4
        respondents and 4 minutes for 20 drivers (0.2 s per replicate); on
        1e6 respondents each replicate takes about 0.25 s more.
    seed : int, optional
        Seed of the bootstrap (``numpy.random.default_rng``).

    Returns
    -------
    KeyDriversResult
        ``.table`` (one row per driver: ``driver``, ``estimate``, ``share``,
        intervals, ``rank``), ``.r2``, ``.n``, ``.n_missing``; ``.compare()``
        tests whether one driver's share exceeds another's.

    Raises
    ------
    ValueError
        Fewer than two drivers, the outcome among the drivers, a driver named
        twice, a missing or non-numeric column, a driver or outcome that does
        not vary, perfectly collinear drivers (named), fewer respondents than
        drivers + 2, more than 22 drivers for ``shapley``, a pairwise
        correlation matrix that is not positive definite, a bootstrap
        replicate in which the drivers are collinear (too few respondents or
        PSUs), ``n_boot`` out of range.

    Notes
    -----
    Both decompositions depend on the data only through the weighted
    correlation matrix of the outcome and the drivers (weights normalized:
    as R's ``cov.wt``). The Shapley part of driver j is
    sum over subsets S of the other drivers of |S|! (k-|S|-1)! / k! *
    (R²(S + j) - R²(S)); every R²(S) comes from one vectorized sweep of the
    lattice of subsets (about 0.25 s for 20 drivers), equal to R's
    ``relaimpo::calc.relimp(type = "lmg")``. Relative weights follow
    Johnson (2000). Parts of R² are not effects: two correlated drivers share
    the credit for what they explain together. A driver whose coefficient
    given the others is zero still gets a share through its correlations
    (Grömping 2007). When R² is small, shares of it are unstable (their
    intervals show how much).

    The bootstrap resamples the design: within each stratum n_h - 1 of the
    n_h PSUs are drawn with replacement and weights are rescaled by n_h /
    (n_h - 1) (Rao and Wu 1988; R's ``as.svrepdesign(type =
    "subbootstrap")``); without strata or clusters this is the ordinary
    bootstrap of respondents. Intervals are percentile intervals.
    Respondents without an answer keep their place in the resampling (their
    PSU can be drawn) but add nothing.

    References
    ----------
    Lindeman, R. H., Merenda, P. F. and Gold, R. Z. (1980). Introduction to
    Bivariate and Multivariate Analysis. Scott, Foresman, p. 119ff.
    Grömping, U. (2006). Relative importance for linear regression in R: the
    package relaimpo. Journal of Statistical Software 17(1).
    Grömping, U. (2007). Estimators of relative importance in linear
    regression based on variance decomposition. The American Statistician
    61(2), 139-147.
    Johnson, J. W. (2000). A heuristic method for estimating the relative
    weight of predictor variables in multiple regression. Multivariate
    Behavioral Research 35(1), 1-19.
    Rao, J. N. K. and Wu, C. F. J. (1988). Resampling inference with complex
    survey data. JASA 83, 231-241.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> df = pd.DataFrame(rng.normal(size=(500, 3)), columns=["staff", "speed", "price"])
    >>> df["overall"] = df.staff + 0.5 * df.speed + rng.normal(size=500)
    >>> res = key_drivers(df, "overall", ["staff", "speed", "price"], n_boot=0)
    >>> res.table[["driver", "estimate", "share", "rank"]].round(3)
      driver  estimate  share  rank
    0  staff     0.476  0.855     1
    1  speed     0.075  0.134     2
    2  price     0.006  0.011     3
    >>> round(res.r2, 3)
    0.557
    """
    from .survey import as_design

    check_choice("method", method, METHODS)
    check_choice("missing", missing, MISSING)
    conf_level = check_open_unit("conf_level", conf_level)
    n_boot = whole_number("n_boot", n_boot, 0, MAX_BOOT)
    if 0 < n_boot < MIN_BOOT:
        raise ValueError(f"n_boot must be 0 (no intervals) or at least {MIN_BOOT}, got {n_boot}")
    check_seed(seed)
    design, outcome = as_design(data, outcome, weight)
    names = _as_names(drivers, outcome)
    if method == "shapley" and len(names) > MAX_SHAPLEY_DRIVERS:
        raise ValueError(f"method='shapley' is exact over all 2^k subsets of drivers, at most {MAX_SHAPLEY_DRIVERS} "
                         f"drivers here (got {len(names)}); use method='relative_weights' or fewer drivers")
    check_columns(design.data, *names, where=design.source)
    columns = [*names, outcome]
    rng = np.random.default_rng(seed)
    if design.in_memory or (n_boot and not design.cluster):  # resampling respondents needs their rows
        design = _in_memory(design, columns)
        n, n_missing, corr_of = _from_rows(design, columns, names, outcome, missing)
        replicates = lambda: rao_wu_multipliers(design, rng)  # noqa: E731 - made when needed, after the checks
    else:
        n, n_missing, corr_of, psu_stratum = _from_engine(design, columns, names, outcome, missing, n_boot > 0)
        replicates = lambda: psu_multipliers(psu_stratum, design.lonely_psu, rng)  # noqa: E731
    corr = corr_of()
    if missing == "pairwise" and np.linalg.eigvalsh(corr).min() < SINGULAR:
        raise ValueError("the pairwise correlations of the outcome and drivers do not form a valid (positive "
                         "definite) correlation matrix, as can happen when they come from different respondents; "
                         "use missing='listwise'")
    _check_identified(corr, names)
    estimate, r2 = _decompose(corr[None], method)
    estimate, r2 = estimate[0], float(r2[0])
    boot_estimates, boot_r2 = np.empty((0, len(names))), np.empty(0)
    if n_boot:
        draw = replicates()
        stack = np.stack([corr_of(draw()) for _ in range(n_boot)])
        # the drivers' matrix must be invertible; with pairwise correlations, the whole matrix positive definite
        checked = stack if missing == "pairwise" else stack[:, :-1, :-1]
        ok = np.isfinite(stack).all(axis=(1, 2))
        ok[ok] = np.linalg.eigvalsh(checked[ok]).min(axis=1) >= SINGULAR
        bad = np.flatnonzero(~ok)
        if bad.size:
            raise ValueError(f"in {bad.size} of {n_boot} bootstrap replicates the drivers are collinear or constant "
                             "(or, with missing='pairwise', the correlations are not a valid matrix): too few "
                             "respondents or PSUs for this many drivers; use fewer drivers, more data, or n_boot=0")
        boot_estimates, boot_r2 = _decompose(stack, method)
    return KeyDriversResult(_table(names, estimate, r2, boot_estimates, boot_r2, conf_level), r2,
                            _interval(boot_r2, conf_level), n, n_missing, outcome, method, missing, conf_level,
                            n_boot, boot_estimates, boot_r2, design.weight)


def _check_variation(X, columns, outcome) -> None:
    """A column with a single value among the respondents used is an error naming it."""
    spread = X.max(axis=0) - X.min(axis=0)
    _constant_error([c for c, s in zip(columns, spread, strict=True) if not s > 0], outcome)


def _check_variation_pairwise(X, present, columns, outcome) -> None:
    spread = [np.ptp(X[present[:, j], j]) if present[:, j].any() else 0.0 for j in range(X.shape[1])]
    _constant_error([c for c, s in zip(columns, spread, strict=True) if not s > 0], outcome)


def _constant_error(constant, outcome) -> None:
    if outcome in constant:
        raise ValueError(f"the outcome {outcome!r} has the same value for every respondent used; there is no "
                         "variance to explain")
    if constant:
        raise ValueError(f"driver(s) {constant} have the same value for every respondent used; a driver that does "
                         "not vary explains nothing and makes the regression singular: drop it")


def _interval(boot, conf_level):
    """Percentile interval of replicates along the first axis (missing without replicates)."""
    if not len(boot):
        shape = boot.shape[1:]
        return (np.full(shape, np.nan), np.full(shape, np.nan)) if shape else (np.nan, np.nan)
    tail = (1 - conf_level) / 2
    low, high = np.quantile(boot, [tail, 1 - tail], axis=0)
    return (low, high) if np.ndim(low) else (float(low), float(high))


def _table(names, estimate, r2, boot_estimates, boot_r2, conf_level) -> pd.DataFrame:
    low, high = _interval(boot_estimates, conf_level)
    share_low, share_high = _interval(boot_estimates / boot_r2[:, None], conf_level)
    table = pd.DataFrame({"driver": names, "estimate": estimate, "share": estimate / r2, "ci_low": low,
                          "ci_high": high, "share_ci_low": share_low, "share_ci_high": share_high})
    table["rank"] = table["estimate"].rank(ascending=False, method="min").astype(np.int64)
    return table
