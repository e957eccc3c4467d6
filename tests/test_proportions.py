"""proportion_ci, test_proportion, compare_proportions against R and published tables."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

import cxstats

from .reference import r_values as R

RTOL = 1e-6
ONE_X, ONE_N = np.array(R.ONE_X), np.array(R.ONE_N)


@pytest.mark.parametrize("method, low, high", [
    ("wilson", R.WILSON_LOW, R.WILSON_HIGH),
    ("clopper_pearson", R.CP_LOW, R.CP_HIGH),
    ("jeffreys", R.JEFFREYS_LOW, R.JEFFREYS_HIGH),
    ("agresti_coull", R.AC_LOW, R.AC_HIGH),
])
def test_interval_matches_r(method, low, high):
    """Each interval equals R's (prop.test / binom.test / qbeta / closed form) to 1e-6, edge cases included."""
    ci = cxstats.proportion_ci(ONE_X, ONE_N, method=method)
    assert_allclose(ci.ci_low, low, rtol=RTOL, atol=1e-12)
    assert_allclose(ci.ci_high, high, rtol=RTOL, atol=1e-12)


def test_wilson_cc_matches_r_away_from_half():
    """wilson_cc equals prop.test(correct=TRUE) wherever x != n/2 (where R shrinks its correction)."""
    ci = cxstats.proportion_ci(ONE_X, ONE_N, method="wilson_cc")
    away = ONE_X != ONE_N / 2
    assert_allclose(ci.ci_low[away], np.array(R.WILSON_CC_LOW)[away], rtol=RTOL, atol=1e-12)
    assert_allclose(ci.ci_high[away], np.array(R.WILSON_CC_HIGH)[away], rtol=RTOL, atol=1e-12)


def test_conf_level_is_used():
    """A 90% Wilson interval equals prop.test(conf.level = 0.90)."""
    ci = cxstats.proportion_ci(ONE_X, ONE_N, conf_level=0.90)
    assert_allclose(ci.ci_low, R.WILSON90_LOW, rtol=RTOL, atol=1e-12)
    assert_allclose(ci.ci_high, R.WILSON90_HIGH, rtol=RTOL, atol=1e-12)


# Newcombe (1998), Statistics in Medicine 17, 857-872, Table I: 95% intervals
# for 81/263, 15/148, 0/20 and 1/29 by method 3 (Wilson score) and method 4
# (score with continuity correction), printed to 4 decimals.
NEWCOMBE_SINGLE = [
    (81, 263, "wilson", 0.2553, 0.3662), (15, 148, "wilson", 0.0624, 0.1605),
    (0, 20, "wilson", 0.0, 0.1611), (1, 29, "wilson", 0.0061, 0.1718),
    (81, 263, "wilson_cc", 0.2535, 0.3682), (15, 148, "wilson_cc", 0.0598, 0.1644),
    (0, 20, "wilson_cc", 0.0, 0.2005), (1, 29, "wilson_cc", 0.0018, 0.1963),
]


@pytest.mark.parametrize("x, n, method, low, high", NEWCOMBE_SINGLE)
def test_newcombe_1998_single_proportion_table(x, n, method, low, high):
    """Wilson and continuity-corrected Wilson reproduce Newcombe's published examples."""
    ci = cxstats.proportion_ci(x, n, method=method)
    assert_allclose([ci.ci_low[0], ci.ci_high[0]], [low, high], atol=5e-5)


def test_wald_closed_form():
    """Wald is p -/+ z sqrt(p(1-p)/n), clipped to [0, 1]."""
    ci = cxstats.proportion_ci([30, 1], [100, 50], method="wald")
    z = 1.959963984540054
    assert_allclose(ci.ci_low, [0.3 - z * np.sqrt(0.21 / 100), 0.0])
    assert_allclose(ci.ci_high[0], 0.3 + z * np.sqrt(0.21 / 100))


def test_design_effect_uses_effective_base():
    """deff = 2 gives the interval of half the base at the same proportion."""
    with_deff = cxstats.proportion_ci(1000, 2000, deff=2.0)
    halved = cxstats.proportion_ci(500, 1000)
    assert_allclose(with_deff[["ci_low", "ci_high"]], halved[["ci_low", "ci_high"]])
    assert with_deff.n_effective[0] == 1000


def test_series_index_is_kept():
    """A pandas Series in gives rows labelled by its index."""
    counts = pd.Series([10, 20], index=["north", "south"])
    assert list(cxstats.proportion_ci(counts, 50).index) == ["north", "south"]


@pytest.mark.parametrize("alt, tag", [("two-sided", "TWO"), ("less", "LESS"), ("greater", "GREATER")])
def test_exact_test_matches_binom_test(alt, tag):
    """test_proportion(method='exact') p-values and intervals equal R's binom.test."""
    res = cxstats.test_proportion(R.TEST_X, R.TEST_N, value=R.TEST_P, alternative=alt, method="exact")
    assert_allclose(res.p_value, getattr(R, f"BINOM_P_{tag}"), rtol=RTOL)
    assert_allclose(res.ci_low, getattr(R, f"BINOM_CI_LOW_{tag}"), rtol=RTOL, atol=1e-12)
    assert_allclose(res.ci_high, getattr(R, f"BINOM_CI_HIGH_{tag}"), rtol=RTOL, atol=1e-12)


@pytest.mark.parametrize("alt, tag", [("two-sided", "TWO"), ("less", "LESS"), ("greater", "GREATER")])
def test_score_test_matches_prop_test(alt, tag):
    """test_proportion(method='score') equals prop.test(correct=FALSE): p-value, z^2, interval."""
    res = cxstats.test_proportion(R.TEST_X, R.TEST_N, value=R.TEST_P, alternative=alt, method="score")
    assert_allclose(res.p_value, getattr(R, f"SCORE_P_{tag}"), rtol=RTOL)
    assert_allclose(res.statistic**2, R.SCORE_CHISQ, rtol=RTOL)
    assert_allclose(res.ci_low, getattr(R, f"SCORE_CI_LOW_{tag}"), rtol=RTOL, atol=1e-12)
    assert_allclose(res.ci_high, getattr(R, f"SCORE_CI_HIGH_{tag}"), rtol=RTOL, atol=1e-12)


TWO = (R.TWO_X1, R.TWO_N1, R.TWO_X2, R.TWO_N2)


@pytest.mark.parametrize("method, tag", [("z", "Z"), ("chi2_cc", "YATES")])
@pytest.mark.parametrize("alt", ["two-sided", "less", "greater"])
def test_two_sample_matches_prop_test(method, tag, alt):
    """z and chi2_cc equal prop.test(correct = FALSE / TRUE) for every alternative."""
    res = cxstats.compare_proportions(*TWO, method=method, alternative=alt)
    key = {"two-sided": "TWO", "less": "LESS", "greater": "GREATER"}[alt]
    assert_allclose(res.p_value, getattr(R, f"{tag}_P_{key}"), rtol=RTOL)
    stat = res.statistic**2 if method == "z" else res.statistic
    assert_allclose(stat, getattr(R, f"{tag}_CHISQ"), rtol=RTOL, atol=1e-12)  # case 10 is 0 up to rounding


def test_wald_difference_interval_matches_prop_test():
    """ci_method='wald' equals prop.test(correct=FALSE)$conf.int."""
    res = cxstats.compare_proportions(*TWO, ci_method="wald")
    assert_allclose(res.ci_low, R.Z_CI_LOW, rtol=RTOL)
    assert_allclose(res.ci_high, R.Z_CI_HIGH, rtol=RTOL)


BIG = (R.BIG_X1, R.BIG_N1, R.BIG_X2, R.BIG_N2)
FISHER_RTOL = 1e-7  # the relative error R's fisher.test allows itself (its relErr)


@pytest.mark.parametrize("alt", ["two-sided", "less", "greater"])
@pytest.mark.parametrize("tables, tag", [(TWO, "FISHER"), (BIG, "BIG_FISHER")])
def test_fisher_matches_fisher_test(tables, tag, alt):
    """Fisher p-values equal R's fisher.test for every alternative, at small bases and at bases up to 1e5."""
    res = cxstats.compare_proportions(*tables, method="fisher", alternative=alt)
    key = {"two-sided": "TWO", "less": "LESS", "greater": "GREATER"}[alt]
    assert_allclose(res.p_value, getattr(R, f"{tag}_P_{key}"), rtol=FISHER_RTOL)


@pytest.mark.parametrize("tables, tag", [(TWO, "FISHER"), (BIG, "BIG_FISHER")])
def test_fisher_conditional_odds_ratio(tables, tag):
    """The conditional MLE odds ratio equals a precise R root (tol 1e-13) and fisher.test's (uniroot's 1e-4)."""
    res = cxstats.compare_proportions(*tables, method="fisher")
    assert_allclose(res.odds_ratio, getattr(R, f"{tag}_OR_PRECISE"), rtol=1e-9)
    assert_allclose(res.odds_ratio, getattr(R, f"{tag}_OR"), rtol=1e-3)


def _fisher_both(tables):
    two = cxstats.compare_proportions(*tables, method="fisher")
    less = cxstats.compare_proportions(*tables, method="fisher", alternative="less")
    ci = np.concatenate([two.odds_ratio_ci_low, two.odds_ratio_ci_high, less.odds_ratio_ci_high])
    return np.concatenate([two.p_value, less.p_value]), two.odds_ratio.to_numpy(), ci


def test_fisher_window_too_narrow_is_redone_over_the_whole_support(monkeypatch):
    """A window that leaves weight outside is detected, and the row redone over its whole support: same numbers."""
    from cxstats import _exact

    tables = tuple(np.concatenate([a, b]) for a, b in zip(TWO, BIG, strict=True))
    p_ref, or_ref, ci_ref = _fisher_both(tables)

    def narrow(x, m, n, total, lo, hi, x2):  # one value either side of the observed count
        return np.maximum(lo, x - 1), np.minimum(hi, x + 1)

    monkeypatch.setattr(_exact, "_windows", narrow)
    p, odds, ci = _fisher_both(tables)
    assert_allclose(p, p_ref, rtol=1e-10)
    assert_allclose(odds, or_ref, rtol=1e-10)
    assert_allclose(ci, ci_ref, rtol=1e-9)


def test_fisher_chunks_and_mixed_bases_equal_one_table_at_a_time(monkeypatch):
    """Tables of very different bases in one call, cut into many chunks, equal one call per table."""
    from cxstats import _exact

    tables = tuple(np.concatenate([a, b]) for a, b in zip(TWO, BIG, strict=True))
    monkeypatch.setattr(_exact, "_CHUNK", 1000)  # a chunk per table or two
    p, odds, ci = _fisher_both(tables)
    apart = [_fisher_both(tuple([v[i]] for v in tables)) for i in range(len(tables[0]))]
    n = len(tables[0])
    assert_allclose(p[:n], [a[0][0] for a in apart], rtol=1e-12)
    assert_allclose(p[n:], [a[0][1] for a in apart], rtol=1e-12)
    assert_allclose(odds, [a[1][0] for a in apart], rtol=1e-12)
    assert_allclose(ci, np.concatenate([[a[2][j] for a in apart] for j in range(3)]), rtol=1e-12)


CI_TABLES = (R.CI_FISHER_X1, R.CI_FISHER_N1, R.CI_FISHER_X2, R.CI_FISHER_N2)
CI_CASES = [(alt, key, level) for alt, key in (("two-sided", "TWO"), ("less", "LESS"), ("greater", "GREATER"))
            for level in (0.95, 0.9)]


def _fisher_ci_root(x, m, n, total, alpha, lower):
    """The odds ratio where P(X >= x) (lower end) or P(X <= x) (upper end) is alpha, by brentq in log psi."""
    from scipy import optimize, special, stats

    k = np.arange(max(0, total - n), min(total, m) + 1)
    logd = stats.hypergeom.logpmf(k, m + n, m, total)
    tail = k >= x if lower else k <= x

    def gap(t):
        w = logd + t * k
        return special.logsumexp(w[tail]) - special.logsumexp(w) - np.log(alpha)

    return np.exp(optimize.brentq(gap, -80, 80, xtol=1e-12, rtol=1e-14))


@pytest.mark.parametrize("alt, key, level", CI_CASES)
def test_fisher_odds_ratio_interval_matches_fisher_test(alt, key, level):
    """The odds ratio's interval equals fisher.test's conf.int to its uniroot's tolerance, and a tight root closely.

    R solves for psi or 1 / psi (whichever is below 1) with uniroot's absolute
    tolerance of about 1.2e-4, so its ends are compared on that scale; a
    brentq root of the hypergeometric tail (in log psi, to 1e-12) is compared
    at rtol 1e-6. Ends at 0 (x at the bottom of its support, or ``less``) and
    inf (at the top, or ``greater``) are exact.
    """
    res = cxstats.compare_proportions(*CI_TABLES, method="fisher", alternative=alt, conf_level=level)
    alpha = (1 - level) / 2 if alt == "two-sided" else 1 - level
    x, m, x2, n = (np.asarray(v, dtype=int) for v in CI_TABLES)
    for side in ("low", "high"):
        got = res[f"odds_ratio_ci_{side}"].to_numpy()
        ref = np.asarray(getattr(R, f"FISHER_CI_{side.upper()}_{key}_{round(100 * level)}"))
        edge = (ref == 0) | np.isinf(ref)
        assert_array_equal(got[edge], ref[edge])
        assert not np.isnan(got).any()

        def scale(v):
            return np.minimum(v, 1 / v)

        assert_allclose(scale(got[~edge]), scale(ref[~edge]), rtol=1e-3, atol=1.3e-4)
        assert_allclose(got[~edge], ref[~edge], rtol=1e-2)
        tight = [_fisher_ci_root(x[i], m[i], n[i], x[i] + x2[i], alpha, side == "low") for i in np.flatnonzero(~edge)]
        assert_allclose(got[~edge], tight, rtol=1e-6)


def test_fisher_odds_ratio_interval_brackets_the_estimate_and_is_nan_elsewhere():
    """Fisher's interval holds its conditional MLE and narrows with the level; other methods give NaN."""
    wide = cxstats.compare_proportions(*TWO, method="fisher", conf_level=0.99)
    res = cxstats.compare_proportions(*TWO, method="fisher")
    assert (res.odds_ratio_ci_low <= res.odds_ratio).all() and (res.odds_ratio <= res.odds_ratio_ci_high).all()
    assert (wide.odds_ratio_ci_low <= res.odds_ratio_ci_low).all()
    assert (wide.odds_ratio_ci_high >= res.odds_ratio_ci_high).all()
    for method in ("z", "chi2_cc"):
        other = cxstats.compare_proportions(*TWO, method=method)
        assert other.odds_ratio_ci_low.isna().all() and other.odds_ratio_ci_high.isna().all()


# Newcombe (1998), Statistics in Medicine 17, 873-890, Table II: 95% intervals
# for p1 - p2 by method 10 (hybrid score) and method 11 (with continuity
# correction), printed to 4 decimals.
NEWCOMBE_DIFF = [
    (56, 70, 48, 80, "newcombe", 0.0524, 0.3339), (9, 10, 3, 10, "newcombe", 0.1705, 0.8090),
    (5, 56, 0, 29, "newcombe", -0.0381, 0.1926), (0, 10, 0, 20, "newcombe", -0.1611, 0.2775),
    (0, 10, 0, 10, "newcombe", -0.2775, 0.2775), (10, 10, 0, 20, "newcombe", 0.6791, 1.0),
    (10, 10, 0, 10, "newcombe", 0.6075, 1.0),
    (56, 70, 48, 80, "newcombe_cc", 0.0428, 0.3422), (9, 10, 3, 10, "newcombe_cc", 0.1013, 0.8387),
    (5, 56, 0, 29, "newcombe_cc", -0.0667, 0.2037), (0, 10, 0, 20, "newcombe_cc", -0.2005, 0.3445),
    (0, 10, 0, 10, "newcombe_cc", -0.3445, 0.3445),
]


@pytest.mark.parametrize("x1, n1, x2, n2, method, low, high", NEWCOMBE_DIFF)
def test_newcombe_1998_difference_table(x1, n1, x2, n2, method, low, high):
    """The difference interval reproduces Newcombe's published methods 10 and 11."""
    res = cxstats.compare_proportions(x1, n1, x2, n2, ci_method=method)
    assert_allclose([res.ci_low[0], res.ci_high[0]], [low, high], atol=5e-5)


def test_newcombe_matches_statsmodels():
    """The default difference interval equals statsmodels' independent 'newcomb' implementation."""
    from statsmodels.stats.proportion import confint_proportions_2indep

    res = cxstats.compare_proportions(*TWO)
    for i in range(len(R.TWO_X1)):
        low, high = confint_proportions_2indep(R.TWO_X1[i], R.TWO_N1[i], R.TWO_X2[i], R.TWO_N2[i], method="newcomb")
        assert_allclose([res.ci_low[i], res.ci_high[i]], [low, high], rtol=1e-9, atol=1e-12)


def test_effect_sizes_closed_form():
    """cohen_h, odds_ratio and risk_ratio follow their definitions."""
    res = cxstats.compare_proportions(200, 250, 112, 250)
    assert_allclose(res.cohen_h[0], 2 * np.arcsin(np.sqrt(0.8)) - 2 * np.arcsin(np.sqrt(0.448)))
    assert_allclose(res.odds_ratio[0], (200 * 138) / (112 * 50))
    assert_allclose(res.risk_ratio[0], 0.8 / 0.448)


def test_identical_degenerate_groups_give_p_one():
    """0 of 10 vs 0 of 20 is no evidence of a difference: statistic 0, p-value 1."""
    res = cxstats.compare_proportions(0, 10, 0, 20)
    assert res.p_value[0] == 1.0 and res.statistic[0] == 0.0


# --- invariants (hypothesis) -------------------------------------------------

counts = st.integers(1, 400).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n)))


@settings(max_examples=60, deadline=None)
@given(pair=counts, method=st.sampled_from(["wilson", "wilson_cc", "clopper_pearson", "jeffreys",
                                            "agresti_coull", "wald"]))
def test_interval_contains_estimate_and_stays_in_unit(pair, method):
    """Every interval lies in [0, 1] and contains the sample proportion."""
    x, n = pair
    ci = cxstats.proportion_ci(x, n, method=method)
    assert 0 <= ci.ci_low[0] <= x / n + 1e-12 and x / n - 1e-12 <= ci.ci_high[0] <= 1


@settings(max_examples=40, deadline=None)
@given(a=counts, b=counts, method=st.sampled_from(["z", "chi2_cc", "fisher"]))
def test_two_sided_p_value_does_not_depend_on_group_order(a, b, method):
    """Swapping the groups leaves the two-sided p-value unchanged and mirrors the interval."""
    ab = cxstats.compare_proportions(a[0], a[1], b[0], b[1], method=method)
    ba = cxstats.compare_proportions(b[0], b[1], a[0], a[1], method=method)
    assert_allclose(ab.p_value, ba.p_value, rtol=1e-9)
    assert_allclose(ab.ci_low, -ba.ci_high, atol=1e-12)


@settings(max_examples=20, deadline=None)
@given(rows=st.lists(st.tuples(counts, counts), min_size=2, max_size=8))
def test_vectorized_equals_row_by_row(rows):
    """One call on arrays equals one call per row, for intervals and all three tests."""
    x1, n1 = zip(*[r[0] for r in rows], strict=True)
    x2, n2 = zip(*[r[1] for r in rows], strict=True)
    for method in ("z", "chi2_cc", "fisher"):
        together = cxstats.compare_proportions(x1, n1, x2, n2, method=method)
        apart = pd.concat([cxstats.compare_proportions(*r[0], *r[1], method=method) for r in rows])
        assert_allclose(together.p_value, apart.p_value, rtol=1e-9)
        assert_allclose(together.ci_low, apart.ci_low, rtol=1e-9)
    together = cxstats.test_proportion(x1, n1, value=0.3)
    apart = pd.concat([cxstats.test_proportion(*r[0], value=0.3) for r in rows])
    assert_allclose(together.p_value, apart.p_value, rtol=1e-9)


@settings(max_examples=40, deadline=None)
@given(pair=counts, p0=st.floats(0.01, 0.99))
def test_exact_two_sided_matches_scipy(pair, p0):
    """The vectorized binomial test agrees with scipy.stats.binomtest (same R-style rule)."""
    from scipy.stats import binomtest

    x, n = pair
    ours = cxstats.test_proportion(x, n, value=p0)["p_value"][0]
    assert_allclose(ours, binomtest(x, n, p0).pvalue, rtol=1e-6)


# --- errors --------------------------------------------------------------------

@pytest.mark.parametrize("call, message", [
    (lambda: cxstats.proportion_ci(11, 10), "count must not exceed nobs; element 0 has 11 of 10"),
    (lambda: cxstats.proportion_ci([1, -1], 10), "count must not be negative; element 1 is -1"),
    (lambda: cxstats.proportion_ci(1, 0), "nobs must be positive; element 0 is 0"),
    (lambda: cxstats.proportion_ci(np.nan, 10), "count must be finite; element 0"),
    (lambda: cxstats.proportion_ci(1, [10, np.inf]), "nobs must be finite; element 1"),
    (lambda: cxstats.proportion_ci(1, 10, conf_level=1.5), "conf_level must be a number strictly between 0 and 1"),
    (lambda: cxstats.proportion_ci(1, 10, method="exact"), "method='exact' is not valid; choose one of: 'wilson'"),
    (lambda: cxstats.proportion_ci([1, 2], [10, 20, 30]), "same length"),
    (lambda: cxstats.proportion_ci(1, 10, deff=0), "deff must be positive"),
    (lambda: cxstats.test_proportion(1.5, 10), "count must be whole numbers for this method; element 0"),
    (lambda: cxstats.test_proportion(1, 10, value=1), "value must be strictly between 0 and 1"),
    (lambda: cxstats.test_proportion(1, 10, alternative="bigger"), "alternative='bigger' is not valid"),
    (lambda: cxstats.compare_proportions(1, 10, 12, 10), "count2 must not exceed nobs2; element 0"),
    (lambda: cxstats.compare_proportions(1, 10, 2, 10, method="t"), "method='t' is not valid"),
    (lambda: cxstats.compare_proportions([1, 2], 10, [1, 2, 3], 10), "same length"),
])
def test_bad_input_is_named(call, message):
    """Bad input raises ValueError naming the argument, the element and the valid choices."""
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call()


def test_options_after_the_counts_are_keyword_only():
    """conf_level, method, value... are named: a positional level cannot be mistaken for a count."""
    with pytest.raises(TypeError):
        cxstats.proportion_ci(1, 10, 0.9)
    with pytest.raises(TypeError):
        cxstats.compare_proportions(1, 10, 2, 10, 0.9)
    assert "nobs_effective" not in cxstats.proportion_ci(1, 10).columns


# --- the shared inference primitives (cxstats._inference) ----------------------

def test_p_value_equals_scipy_for_z_and_t():
    """z and t p-values for every alternative equal scipy.stats; an infinite df is the normal."""
    from scipy import stats

    from cxstats._inference import p_value

    stat = np.array([-3.1, -1.0, 0.0, 0.4, 2.5])
    df = np.array([3, 10, np.inf, 1, 40])
    for alt, z_ref, t_ref in [
        ("two-sided", 2 * stats.norm.sf(np.abs(stat)), 2 * stats.t.sf(np.abs(stat), df)),
        ("less", stats.norm.cdf(stat), stats.t.cdf(stat, df)),
        ("greater", stats.norm.sf(stat), stats.t.sf(stat, df)),
    ]:
        assert_allclose(p_value(stat, alt), z_ref, rtol=1e-12)
        assert_allclose(p_value(stat, alt, df=df), t_ref, rtol=1e-12)
    with pytest.raises(ValueError, match="alternative='both' is not valid"):
        p_value(1.0, "both")


def test_critical_value_equals_scipy():
    """Two-sided and one-sided normal and t quantiles equal scipy.stats' ppf."""
    from scipy import stats

    from cxstats._inference import critical_value

    assert_allclose(critical_value(0.9), stats.norm.ppf(0.95), rtol=1e-14)
    assert_allclose(critical_value(0.9, alternative="less"), stats.norm.ppf(0.9), rtol=1e-14)
    assert_allclose(critical_value(0.95, df=[4, np.inf]), [stats.t.ppf(0.975, 4), stats.norm.ppf(0.975)], rtol=1e-14)


def test_bisect_continuous_and_integer():
    """Continuous bisection by iterations or tolerance, and the integer search of the exact tests."""
    from cxstats._inference import bisect

    targets = np.array([2.0, 3.0, 10.0])
    root = bisect(lambda x: x**2 >= targets, np.zeros(3), np.full(3, 4.0), iterations=60)
    assert_allclose(root, np.sqrt(targets), rtol=1e-12)
    loose = bisect(lambda x: x**2 >= targets, np.zeros(3), np.full(3, 4.0), tol=1e-3)
    assert np.all(np.abs(loose - np.sqrt(targets)) <= 1e-3)
    # the smallest whole k with k^2 >= target, with sentinels 0 and 100
    first = bisect(lambda k: k * k >= targets, np.zeros(3), np.full(3, 100.0), integer=True)
    assert first.tolist() == [2, 2, 4]
    with pytest.raises(ValueError, match="exactly one of iterations or tol"):
        bisect(lambda x: x >= 1, 0.0, 2.0)


def test_pooled_z_cohen_h_and_verdict():
    """Pooled z squared is the 2 x 2 Pearson chi-square (scipy), h is Cohen's, the verdict reads p-value ranges."""
    from scipy.stats import chi2_contingency

    from cxstats._inference import cohen_h, pooled_z, verdict

    chi2 = chi2_contingency([[200, 50], [112, 138]], correction=False)[0]
    assert_allclose(pooled_z(200, 250, 112, 250) ** 2, chi2, rtol=1e-12)
    assert pooled_z(0, 10, 0, 20) == 0.0
    assert_allclose(cohen_h(0.5, 0.5), 0.0)
    assert_allclose(cohen_h(1.0, 0.0), np.pi)
    out = verdict([0.01, 0.01, 0.2, np.nan], [0.04, 0.2, 0.3, np.nan], 0.05)
    assert out[:3].tolist() == ["all", "some", "none"] and pd.isna(out[3])


def test_fisher_one_table_at_the_base_limit_runs():
    """A single table with both bases at the limit (1e7) has 1e7 + 1 possible first cells: the per-base limit bounds
    it, so it is not refused by the per-call total (meant for many tables). x1 = 0 gives odds ratio 0 and p ~ 0."""
    out = cxstats.compare_proportions(0, 10_000_000, 10_000_000, 10_000_000, method="fisher")
    assert out.odds_ratio[0] == 0 and out.p_value[0] < 1e-300
    with pytest.raises(ValueError, match=r"the 2 tables have 20,000,002 possible tables in all"):
        cxstats.compare_proportions([0, 0], [10_000_000] * 2, [10_000_000] * 2, [10_000_000] * 2, method="fisher")
