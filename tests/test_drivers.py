"""Key driver analysis: R's relaimpo, brute force over every subset regression and order of entry (statsmodels),
Johnson's construction from the singular value decomposition of the data, closed forms, and the Rao-Wu bootstrap."""

from itertools import combinations, permutations
from math import factorial

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

import cxstats
from cxstats.drivers import key_drivers, rao_wu_multipliers, relative_weights, shapley_values, subset_r2
from cxstats.responses import load_responses

from .reference import r_drivers_values as R

DRIVERS = R.CS_DRIVERS  # q2..q10 of customerSat, q1 (overall satisfaction) the outcome


@pytest.fixture(scope="module")
def sat():
    return load_responses("customer_sat")


@pytest.fixture(scope="module")
def sat_missing(sat):
    """customerSat with the answers make_drivers_reference.R removes (rows numbered from 1 there)."""
    df = sat.astype(float)
    row = np.arange(1, len(df) + 1)
    df.loc[row % 13 == 5, "q1"] = np.nan
    df.loc[row % 7 == 0, "q3"] = np.nan
    df.loc[row % 11 == 3, "q5"] = np.nan
    return df


def weighted_sample(n=400, k=6, seed=3):
    """Correlated drivers, an outcome on them and unequal survey weights (lognormal)."""
    rng = np.random.default_rng(seed)
    common = rng.normal(size=(n, 1))
    X = 0.7 * common + rng.normal(size=(n, k))
    y = X @ np.linspace(1.0, 0.0, k) + rng.normal(scale=2.0, size=n)
    df = pd.DataFrame(X, columns=[f"x{j}" for j in range(k)]).assign(y=y, w=rng.lognormal(0, 0.6, n))
    return df, [f"x{j}" for j in range(k)]


# ------------------------------------------------------------------ Shapley (LMG) against R and brute force

def test_shapley_equals_relaimpo_lmg_on_customer_sat(sat):
    """R's relaimpo calc.relimp(q1 ~ q2 + ... + q10, type = "lmg") on bayesm's customerSat (1,811 respondents)."""
    res = key_drivers(sat, "q1", DRIVERS, n_boot=0)
    t = res.table
    assert list(t["driver"]) == DRIVERS
    np.testing.assert_allclose(t["estimate"], R.CS_LMG, rtol=1e-10)
    assert res.r2 == pytest.approx(R.CS_R2, rel=1e-12)
    np.testing.assert_allclose(t["share"], np.array(R.CS_LMG) / R.CS_R2, rtol=1e-10)
    assert t["estimate"].sum() == pytest.approx(res.r2, rel=1e-12) and t["share"].sum() == pytest.approx(1.0)
    assert list(t["rank"]) == list(stats.rankdata(-np.array(R.CS_LMG)).astype(int))
    assert (res.n, res.n_missing, res.method, res.missing) == (1811, 0, "shapley", "listwise")
    assert t[["ci_low", "ci_high"]].isna().all().all() and np.isnan(res.r2_ci).all()


def test_shapley_equals_relaimpo_lmg_with_weights(sat):
    """Survey weights: relaimpo on lm(..., weights = w) (weighted covariance, as cov.wt)."""
    df = sat.assign(w=1 + (np.arange(len(sat)) % 5) / 2)
    res = key_drivers(df, "q1", DRIVERS, weight="w", n_boot=0)
    np.testing.assert_allclose(res.table["estimate"], R.CS_W_LMG, rtol=1e-10)
    assert res.r2 == pytest.approx(R.CS_W_R2, rel=1e-12)
    design = cxstats.survey_design(df, weight="w")
    from_design = key_drivers(design, "q1", DRIVERS, n_boot=0)
    np.testing.assert_allclose(from_design.table["estimate"], R.CS_W_LMG, rtol=1e-10)
    assert res.weight == from_design.weight == "w"  # kept for the importance-performance chart


def test_shapley_equals_relaimpo_lmg_on_swiss():
    """A second dataset: R's swiss (47 provinces), Fertility on its five socio-economic indicators."""
    df = pd.DataFrame(R.SWISS)
    res = key_drivers(df, "Fertility", R.SWISS_DRIVERS, n_boot=0)
    np.testing.assert_allclose(res.table["estimate"], R.SWISS_LMG, rtol=1e-10)
    assert res.r2 == pytest.approx(R.SWISS_R2, rel=1e-12)


@pytest.mark.parametrize("weighted", [False, True])
def test_subset_lattice_gives_relaimpo_first_and_last(sat, weighted):
    """The lattice's one-driver R² are relaimpo's "first", full minus leave-one-out its "last"."""
    w = 1 + (np.arange(len(sat)) % 5) / 2 if weighted else np.ones(len(sat))
    X = sat[[*DRIVERS, "q1"]].to_numpy(float)
    corr = np.cov(X, rowvar=False, aweights=w)
    r2 = subset_r2(corr)
    k = len(DRIVERS)
    full = 2**k - 1
    first, last = (R.CS_W_FIRST, R.CS_W_LAST) if weighted else (R.CS_FIRST, R.CS_LAST)
    np.testing.assert_allclose([r2[1 << j] for j in range(k)], first, rtol=1e-10)
    np.testing.assert_allclose([r2[full] - r2[full ^ (1 << j)] for j in range(k)], last, rtol=1e-8)
    assert r2[0] == 0


def test_shapley_equals_brute_force_over_orders_with_statsmodels_wls():
    """Independent computation: R² of all 2^6 weighted regressions by statsmodels WLS, then each driver's gain
    averaged over all 720 orders of entry."""
    df, names = weighted_sample()
    k = len(names)
    r2 = {(): 0.0}
    for size in range(1, k + 1):
        for subset in combinations(range(k), size):
            exog = sm.add_constant(df[[names[j] for j in subset]])
            r2[subset] = sm.WLS(df["y"], exog, weights=df["w"]).fit().rsquared
    gains = np.zeros(k)
    for order in permutations(range(k)):
        entered = ()
        for j in order:
            after = tuple(sorted((*entered, j)))
            gains[j] += r2[after] - r2[entered]
            entered = after
    expected = gains / factorial(k)
    res = key_drivers(df, "y", names, weight="w", n_boot=0)
    np.testing.assert_allclose(res.table["estimate"], expected, rtol=1e-9, atol=1e-13)
    assert res.r2 == pytest.approx(r2[tuple(range(k))], rel=1e-10)


def test_twenty_drivers_exact():
    """20 drivers (2^20 subsets): R² of sampled subsets equals a direct solve; the parts sum to the full R²."""
    rng = np.random.default_rng(5)
    k = 20
    A = rng.normal(size=(300, k + 1))
    A[:, :k] += 0.5 * A[:, [0]]
    A[:, k] += A[:, :k] @ rng.uniform(0, 1, k)
    corr = np.corrcoef(A, rowvar=False)
    r2 = subset_r2(corr)
    for mask in rng.integers(1, 2**k, 100):
        idx = [j for j in range(k) if mask >> j & 1]
        direct = corr[k, idx] @ np.linalg.solve(corr[np.ix_(idx, idx)], corr[idx, k])
        assert r2[mask] == pytest.approx(direct, rel=1e-10)
    df = pd.DataFrame(A, columns=[f"d{j}" for j in range(k)] + ["y"])
    res = key_drivers(df, "y", [f"d{j}" for j in range(k)], n_boot=0)
    assert res.table["estimate"].sum() == pytest.approx(r2[-1], rel=1e-12)


def test_closed_forms_uncorrelated_and_exchangeable_drivers():
    """Uncorrelated drivers: every method gives each its squared correlation with the outcome. Two drivers with
    the same correlations get the same part (Shapley's symmetry)."""
    r = np.array([0.5, 0.3, 0.1])
    corr = np.eye(4)
    corr[3, :3] = corr[:3, 3] = r
    np.testing.assert_allclose(shapley_values(subset_r2(corr)), r**2, rtol=1e-12)
    np.testing.assert_allclose(relative_weights(corr), r**2, rtol=1e-12)
    corr = np.array([[1, 0.4, 0.2, 0.5], [0.4, 1, 0.2, 0.5], [0.2, 0.2, 1, 0.1], [0.5, 0.5, 0.1, 1]])
    phi = shapley_values(subset_r2(corr))
    assert phi[0] == pytest.approx(phi[1], rel=1e-12) and phi[0] != pytest.approx(phi[2])


# ------------------------------------------------------------------ relative weights

def johnson_svd(X, y, w):
    """Johnson (2000) as published: orthogonalize the standardized data by its SVD, X = P D Q', Z = P Q'."""
    s = np.sqrt(w / w.sum())[:, None]
    standardize = lambda a: (a - np.average(a, axis=0, weights=w)) / np.sqrt(  # noqa: E731
        np.average((a - np.average(a, axis=0, weights=w)) ** 2, axis=0, weights=w))
    Xs, ys = standardize(X) * s, standardize(y[:, None]) * s
    P, d, Qt = np.linalg.svd(Xs, full_matrices=False)
    Z = P @ Qt
    lam = Qt.T @ np.diag(d) @ Qt  # X = Z Lambda
    beta = Z.T @ ys[:, 0]
    return (lam**2) @ beta**2


def test_relative_weights_equal_johnsons_construction(sat):
    res = key_drivers(sat, "q1", DRIVERS, method="relative_weights", n_boot=0)
    X, y = sat[DRIVERS].to_numpy(float), sat["q1"].to_numpy(float)
    np.testing.assert_allclose(res.table["estimate"], johnson_svd(X, y, np.ones(len(y))), rtol=1e-10)
    assert res.r2 == pytest.approx(R.CS_R2, rel=1e-12)  # the weights sum to R²
    assert res.table["estimate"].sum() == pytest.approx(R.CS_R2, rel=1e-12)
    df, names = weighted_sample()
    res = key_drivers(df, "y", names, weight="w", method="relative_weights", n_boot=0)
    np.testing.assert_allclose(res.table["estimate"],
                               johnson_svd(df[names].to_numpy(), df["y"].to_numpy(), df["w"].to_numpy()), rtol=1e-10)


# ------------------------------------------------------------------ missing answers

def test_listwise_equals_relaimpo_and_counts(sat_missing):
    res = key_drivers(sat_missing, "q1", DRIVERS, n_boot=0)
    np.testing.assert_allclose(res.table["estimate"], R.CS_LISTWISE_LMG, rtol=1e-10)
    assert res.r2 == pytest.approx(R.CS_LISTWISE_R2, rel=1e-12)
    assert res.n == R.CS_MISSING_N and res.n_missing == len(sat_missing) - R.CS_MISSING_N
    assert res.missing == "listwise"


def test_pairwise_equals_relaimpo_on_pairwise_correlations(sat_missing):
    res = key_drivers(sat_missing, "q1", DRIVERS, missing="pairwise", n_boot=0)
    np.testing.assert_allclose(res.table["estimate"], R.CS_PAIRWISE_LMG, rtol=1e-10)
    assert res.r2 == pytest.approx(R.CS_PAIRWISE_R2, rel=1e-12)
    assert (res.n, res.missing) == (R.CS_PAIRWISE_MIN_N, "pairwise")
    assert res.n_missing == len(sat_missing) - R.CS_MISSING_N


def test_weighted_pairwise_equals_pandas_pairwise_on_weighted_rows():
    """Weighted pairwise correlations equal the unweighted ones on rows repeated by whole-number weights."""
    df, names = weighted_sample(n=200, k=4)
    rng = np.random.default_rng(8)
    df["w"] = rng.integers(1, 4, len(df)).astype(float)
    for column in ["x1", "x2", "y"]:
        df.loc[rng.random(len(df)) < 0.15, column] = np.nan
    res = key_drivers(df, "y", names, weight="w", missing="pairwise", n_boot=0)
    rows = df.loc[df.index.repeat(df["w"].astype(int))]
    corr = rows[[*names, "y"]].corr(min_periods=1).to_numpy()  # pandas: pairwise complete observations
    np.testing.assert_allclose(res.table["estimate"], shapley_values(subset_r2(corr)), rtol=1e-10)


# ------------------------------------------------------------------ bootstrap

def test_rao_wu_replicates_match_the_linearization_variance():
    """Rao-Wu with n_h - 1 draws: the replicate variance of a total is, in expectation, the with-replacement
    linearization variance (as cxstats.weighted_total computes it); each stratum's multipliers sum to n_h."""
    rng = np.random.default_rng(4)
    n = 600
    df = pd.DataFrame({"stratum": rng.integers(0, 4, n), "psu": rng.integers(0, 12, n), "w": rng.uniform(1, 3, n)})
    df["psu"] = df["stratum"] * 100 + df["psu"]
    df["y"] = rng.normal(size=n) + (df["psu"] % 7) * 0.5
    design = cxstats.survey_design(df, weight="w", strata="stratum", cluster="psu")
    draw = rao_wu_multipliers(design, np.random.default_rng(0))
    psu, first = np.unique(df["psu"], return_index=True)
    stratum = psu // 100
    sizes = np.bincount(stratum)
    w_y = df["w"].to_numpy() * df["y"].to_numpy()
    totals = []
    for _ in range(4000):
        m = draw()
        np.testing.assert_allclose(np.bincount(stratum, weights=m[first]), sizes, rtol=1e-12)
        totals.append(w_y @ m)
    linearized = cxstats.weighted_total(design, "y")["se"].iloc[0]
    assert np.std(totals, ddof=1) == pytest.approx(linearized, rel=0.05)


def test_bootstrap_sd_of_r2_matches_its_normal_theory_variance():
    """For normal data, Var(R²) ≈ 4 R² (1 - R²)² / n (Olkin and Finn 1995): the bootstrap's spread agrees."""
    rng = np.random.default_rng(11)
    n = 3000
    X = rng.normal(size=(n, 3))
    df = pd.DataFrame(X, columns=["a", "b", "c"]).assign(y=X @ [0.6, 0.5, 0.3] + rng.normal(size=n) * 0.8)
    res = key_drivers(df, "y", ["a", "b", "c"], n_boot=200, seed=2)
    expected = np.sqrt(4 * res.r2 * (1 - res.r2) ** 2 / n)
    assert np.std(res.boot_r2, ddof=1) == pytest.approx(expected, rel=0.2)
    assert res.r2_ci[0] < res.r2 < res.r2_ci[1]
    t = res.table
    assert (t["ci_low"] < t["estimate"]).all() and (t["estimate"] < t["ci_high"]).all()
    np.testing.assert_allclose(res.boot_estimates.sum(axis=1), res.boot_r2, rtol=1e-12)


def test_bootstrap_follows_clusters():
    """Answers shared within clusters: the design bootstrap (PSUs resampled) is wider than treating rows as
    independent, and a seed repeats it exactly."""
    rng = np.random.default_rng(6)
    n_psu, per = 40, 25
    psu = np.repeat(np.arange(n_psu), per)
    effect = rng.normal(size=(n_psu, 3))[psu] * 1.5
    X = effect + rng.normal(size=(n_psu * per, 3)) * 0.5
    df = pd.DataFrame(X, columns=["a", "b", "c"]).assign(psu=psu)
    df["y"] = X @ [1.0, 0.5, 0.2] + rng.normal(size=len(df)) * 0.5 + rng.normal(size=n_psu)[psu]
    design = cxstats.survey_design(df, cluster="psu")
    clustered = key_drivers(design, "y", ["a", "b", "c"], n_boot=100, seed=1)
    independent = key_drivers(df, "y", ["a", "b", "c"], n_boot=100, seed=1)
    np.testing.assert_allclose(clustered.table["estimate"], independent.table["estimate"], rtol=1e-12)
    assert np.std(clustered.boot_r2) > 1.5 * np.std(independent.boot_r2)
    again = key_drivers(design, "y", ["a", "b", "c"], n_boot=100, seed=1)
    np.testing.assert_array_equal(again.boot_estimates, clustered.boot_estimates)


def test_compare_by_hand_and_planted_truth():
    """compare(): differences of shares, bootstrap SE, percentile interval, z p-values adjusted by Holm, all
    recomputed from the stored replicates; a planted large gap is found, two equal drivers are not told apart."""
    rng = np.random.default_rng(9)
    n = 1500
    X = rng.normal(size=(n, 3))
    df = pd.DataFrame(X, columns=["big", "same1", "same2"]).assign(y=X @ [1.0, 0.4, 0.4] + rng.normal(size=n))
    res = key_drivers(df, "y", ["big", "same1", "same2"], n_boot=200, seed=3)
    out = res.compare()
    assert len(out) == 3 and list(out.columns) == ["driver1", "driver2", "diff", "se", "ci_low", "ci_high",
                                                   "ci_low_bonferroni", "ci_high_bonferroni", "statistic",
                                                   "p_value", "p_adjusted", "reject", "adjust"]
    shares = dict(zip(res.table["driver"], res.table["share"], strict=True))
    boot = dict(zip(res.table["driver"], res.boot_shares.T, strict=True))
    p = []
    for row in out.itertuples():
        d = boot[row.driver1] - boot[row.driver2]
        assert row.diff == pytest.approx(shares[row.driver1] - shares[row.driver2], rel=1e-12)
        assert row.se == pytest.approx(np.std(d, ddof=1), rel=1e-12)
        assert (row.ci_low, row.ci_high) == pytest.approx(tuple(np.quantile(d, [0.025, 0.975])), rel=1e-12)
        p.append(2 * stats.norm.sf(abs(row.diff) / np.std(d, ddof=1)))
    np.testing.assert_allclose(out["p_value"], p, rtol=1e-9)
    m = len(p)
    order = np.argsort(p)
    holm = np.minimum(np.maximum.accumulate((m - np.arange(m)) * np.array(p)[order]), 1)
    np.testing.assert_allclose(out["p_adjusted"].to_numpy()[order], holm, rtol=1e-12)
    verdict = {(r.driver1, r.driver2): r.reject for r in out.itertuples()}
    assert verdict[("big", "same1")] or verdict[("big", "same2")]
    assert not verdict.get(("same1", "same2"), verdict.get(("same2", "same1")))
    one = res.compare(["same2", "big"], adjust="none")
    assert (one["driver1"].iloc[0], one["driver2"].iloc[0]) == ("big", "same2")


def test_compare_bonferroni_interval_agrees_with_the_bonferroni_test():
    """The simultaneous interval is diff -/+ z(1 - 0.05 / (2 m)) se (scipy's quantile at the Bonferroni level); it
    excludes 0 exactly when the Bonferroni-adjusted test rejects, and whenever it does Holm's test rejects too.
    Drivers of graded size give pairs on both sides of the line."""
    rng = np.random.default_rng(4)
    n = 800
    X = rng.normal(size=(n, 5))
    df = pd.DataFrame(X, columns=list("abcde")).assign(y=X @ [0.6, 0.45, 0.35, 0.3, 0.1] + rng.normal(size=n))
    res = key_drivers(df, "y", list("abcde"), n_boot=300, seed=2)
    bonf, holm = res.compare(adjust="bonferroni"), res.compare()
    m = len(bonf)
    half = stats.norm.ppf(1 - 0.05 / (2 * m)) * bonf["se"]
    np.testing.assert_allclose(bonf["ci_low_bonferroni"], bonf["diff"] - half, rtol=1e-12)
    np.testing.assert_allclose(bonf["ci_high_bonferroni"], bonf["diff"] + half, rtol=1e-12)
    excludes = (bonf["ci_low_bonferroni"] > 0) | (bonf["ci_high_bonferroni"] < 0)
    assert excludes.tolist() == bonf["reject"].tolist()
    assert 0 < excludes.sum() < m  # the check is not vacuous
    assert (holm["reject"] | ~excludes).all()  # Bonferroni interval excluding 0 => Holm rejects
    np.testing.assert_allclose(holm["ci_low_bonferroni"], bonf["ci_low_bonferroni"])  # the same interval either way


def test_data_read_where_it_lies_gives_the_same(tmp_path, sat):
    path = tmp_path / "sat.parquet"
    sat.assign(w=1 + (np.arange(len(sat)) % 5) / 2).to_parquet(path)
    res = key_drivers(str(path), "q1", DRIVERS, weight="w", n_boot=0)
    np.testing.assert_allclose(res.table["estimate"], R.CS_W_LMG, rtol=1e-10)


# ------------------------------------------------------------------ errors

@pytest.mark.parametrize(("kwargs", "message"), [
    ({"drivers": ["q2"]}, "at least two"),
    ({"drivers": ["q2", "q1"]}, "also listed among the drivers"),
    ({"drivers": ["q2", "q3", "q2"]}, r"drivers lists 'q2' more than once"),
    ({"drivers": ["q2", "nope"]}, "nope"),
    ({"n_boot": 10}, "n_boot must be 0"),
    ({"method": "lmg"}, "method='lmg' is not valid"),
    ({"missing": "drop"}, "missing='drop'"),
])
def test_argument_errors(sat, kwargs, message):
    args = {"drivers": ["q2", "q3"], "n_boot": 0, **kwargs}
    with pytest.raises(ValueError, match=message):
        key_drivers(sat, "q1", **args)


def test_data_errors(sat):
    df = sat.head(50).astype(float)
    with pytest.raises(ValueError, match=r"driver\(s\) \['k'\] have the same value"):
        key_drivers(df.assign(k=3.0), "q1", ["q2", "k"], n_boot=0)
    with pytest.raises(ValueError, match="outcome 'q1' has the same value"):
        key_drivers(df.assign(q1=1.0), "q1", ["q2", "q3"], n_boot=0)
    with pytest.raises(ValueError, match=r"drivers \['q2', 'q3', 'sum'\] are perfectly collinear"):
        key_drivers(df.assign(sum=df.q2 + 2 * df.q3), "q1", ["q2", "q3", "q4", "sum"], n_boot=0)
    with pytest.raises(ValueError, match="only 4 respondents answered"):
        key_drivers(df.head(4), "q1", ["q2", "q3", "q4"], n_boot=0)
    with pytest.raises(ValueError, match="column 'txt' must hold numbers"):
        key_drivers(df.assign(txt="a"), "q1", ["q2", "txt"], n_boot=0)
    with pytest.raises(ValueError, match="at most 22 drivers"):
        key_drivers(pd.DataFrame(np.ones((5, 24))).add_prefix("c"), "c0", [f"c{j}" for j in range(1, 24)])
    with pytest.raises(ValueError, match="carries its weights"):
        key_drivers(cxstats.survey_design(df), "q1", ["q2", "q3"], weight="q4")
    res = key_drivers(df, "q1", ["q2", "q3"], n_boot=0)
    with pytest.raises(ValueError, match="no bootstrap replicates"):
        res.compare()
    res = key_drivers(df, "q1", ["q2", "q3"], n_boot=50, seed=0)
    with pytest.raises(ValueError, match="at least two different drivers"):
        res.compare(["q2", "q9"])


def test_pairwise_matrix_that_is_not_a_correlation_matrix_is_refused():
    """Pairwise correlations from disjoint respondents can contradict each other (a ~ b, b ~ c, a ~ -c): refused."""
    up, down = np.arange(6.0), -np.arange(6.0)
    gap = np.full(6, np.nan)
    df = pd.DataFrame({"a": np.r_[up, gap, up], "b": np.r_[up, up, gap], "c": np.r_[gap, up, down],
                       "y": np.r_[up, up, up] + np.tile([0.1, -0.1], 9)})
    with pytest.raises(ValueError, match="do not form a valid .positive definite. correlation matrix"):
        key_drivers(df, "y", ["a", "b", "c"], missing="pairwise", n_boot=0)


def test_bootstrap_with_too_few_respondents_says_so():
    """Five respondents, three drivers: most resamples of four hold three or fewer distinct respondents."""
    rng = np.random.default_rng(0)
    df = pd.DataFrame(rng.normal(size=(5, 4)), columns=["a", "b", "c", "y"])
    assert key_drivers(df, "y", ["a", "b", "c"], n_boot=0).r2 > 0
    with pytest.raises(ValueError, match="bootstrap replicates the drivers are collinear"):
        key_drivers(df, "y", ["a", "b", "c"], n_boot=50, seed=0)


def test_single_psu_strata_stay_fixed_only_when_the_design_says_so():
    """A stratum with one PSU keeps multiplier 1 with lonely_psu='certainty'; 'average' cannot be bootstrapped."""
    rng = np.random.default_rng(2)
    df = pd.DataFrame(rng.normal(size=(40, 3)), columns=["a", "b", "y"])
    df["stratum"] = np.r_[np.zeros(10), np.ones(30)]
    df["psu"] = np.r_[np.zeros(10), np.repeat([1, 2, 3], 10)]
    certain = cxstats.survey_design(df, strata="stratum", cluster="psu", lonely_psu="certainty")
    draw = rao_wu_multipliers(certain, np.random.default_rng(0))
    for _ in range(20):
        m = draw()
        assert (m[:10] == 1).all() and m[10:].sum() == pytest.approx(30)
    average = cxstats.survey_design(df, strata="stratum", cluster="psu", lonely_psu="average")
    with pytest.raises(ValueError, match="lonely_psu='average'"):
        key_drivers(average, "y", ["a", "b"], n_boot=50)


def test_pairwise_replicate_without_shared_answers_is_an_error_not_a_missing_number():
    """a and b answered together by 5 of 30 respondents: some resamples keep at most one of them, so their
    correlation is undefined there; that is an error, never a NaN in an interval."""
    rng = np.random.default_rng(1)
    df = pd.DataFrame(rng.normal(size=(30, 4)), columns=["a", "b", "c", "y"])
    df.loc[17:, "a"] = np.nan
    df.loc[:11, "b"] = np.nan
    assert key_drivers(df, "y", ["a", "b", "c"], missing="pairwise", n_boot=0).n == 5
    with pytest.raises(ValueError, match="bootstrap replicates the drivers are collinear or constant"):
        key_drivers(df, "y", ["a", "b", "c"], missing="pairwise", n_boot=50, seed=0)
