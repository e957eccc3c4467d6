"""Van Westendorp (+ NMS) against R's pricesensitivitymeter; Gabor-Granger against closed forms."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import cxstats
from cxstats.wtp import gabor_granger, van_westendorp

from .conftest import ROOT
from .reference import r_psm_values as R

COLS = ("too_cheap", "cheap", "expensive", "too_expensive")


@pytest.fixture(scope="module")
def sample():
    return pd.read_csv(ROOT / "tests" / "reference" / "vw_sample.csv")


@pytest.fixture(scope="module")
def result(sample):
    return van_westendorp(sample, *COLS, pi_cheap="pi_cheap", pi_expensive="pi_expensive")


def test_price_points_match_pricesensitivitymeter(result):
    """PMC, OPP, IDP and PME equal psm_analysis() with its defaults."""
    got = result.price_points.set_index("point").price
    assert_allclose([got.pmc, got.opp, got.idp, got.pme], [R.PMC, R.OPP, R.IDP, R.PME], rtol=1e-12)


def test_curves_match_pricesensitivitymeter(result):
    """The four cumulative curves equal R's at every price respondents named."""
    c = result.curves
    assert_allclose(c.price, R.CURVE_PRICE)
    for ours, ref in [("too_cheap", R.CURVE_TOO_CHEAP), ("cheap", R.CURVE_CHEAP), ("expensive", R.CURVE_EXPENSIVE),
                      ("too_expensive", R.CURVE_TOO_EXPENSIVE)]:
        assert_allclose(c[ours], ref, atol=1e-12)
    assert_allclose(c.not_cheap, 1 - c.cheap)


def test_inconsistent_respondents_are_counted_and_listed(result, sample):
    """The 15 respondents with out-of-order prices are removed, counted (as R) and listed by index."""
    assert result.n_invalid == R.INVALID == 15 and result.n_valid == R.TOTAL - R.INVALID
    out_of_order = sample.index[~(np.diff(sample[list(COLS)].to_numpy(), axis=1) > 0).all(axis=1)]
    assert list(result.invalid) == list(out_of_order)


def test_without_validation_matches_r(sample):
    """validate=False keeps everyone, as psm_analysis(validate = FALSE)."""
    res = van_westendorp(sample, *COLS, validate=False)
    assert_allclose(res.price_points.price, [R.NOVALID_PMC, R.NOVALID_OPP, R.NOVALID_IDP, R.NOVALID_PME], rtol=1e-12)
    assert res.n_valid == 300


def test_nms_reach_revenue_and_optima_match_r(result):
    """Newton-Miller-Smith reach, revenue and their optimal prices equal R's (default calibration)."""
    assert_allclose(result.nms.reach, R.NMS_REACH, atol=1e-12)
    assert_allclose(result.nms.revenue, R.NMS_REVENUE, atol=1e-12)
    assert (result.optimal_reach_price, result.optimal_revenue_price) == (R.OPT_REACH, R.OPT_REVENUE)


def test_hand_computed_example():
    """Five respondents: the indifference and marginal-cheapness points solved by hand from the step curves."""
    cheap, expensive = [3, 4, 5, 6, 7], [5, 6, 7, 8, 9]
    df = pd.DataFrame({"tc": [p - 2 for p in cheap], "c": cheap, "e": expensive, "te": [p + 3 for p in expensive]})
    got = van_westendorp(df, "tc", "c", "e", "te").price_points.set_index("point").price
    # IDP: "expensive" is 0 at 5 and 0.4 at 6; "cheap" is 0.4 at 5 and 0.2 at 6: the lines meet at 5 + 0.4/0.6
    assert_allclose(got.idp, 5 + 0.4 / 0.6)
    # PMC: "not cheap" minus "too cheap" is -0.4 at 3 and +0.2 at 4: zero at 3 + 0.4/0.6
    assert_allclose(got.pmc, 3 + 0.4 / 0.6)


def test_bootstrap_intervals_are_seeded_and_cover(sample):
    """Bootstrap intervals contain the point estimates and repeat exactly with the same seed."""
    a = van_westendorp(sample, *COLS, bootstrap=40, seed=3).price_points
    b = van_westendorp(sample, *COLS, bootstrap=40, seed=3).price_points
    assert_allclose(a[["ci_low", "ci_high"]], b[["ci_low", "ci_high"]])
    assert ((a.ci_low <= a.price) & (a.price <= a.ci_high)).all()


def test_weights_of_one_change_nothing(sample):
    """Unit weights give the unweighted price points."""
    res = van_westendorp(sample.assign(w=1.0), *COLS, weight="w")
    assert_allclose(res.price_points.price, [R.PMC, R.OPP, R.IDP, R.PME], rtol=1e-12)


@pytest.mark.parametrize("edit, message", [
    (lambda d: d.assign(cheap=-d.cheap), "negative prices"),
    (lambda d: d.assign(cheap=d.cheap.astype(str)), "must be numeric"),
    (lambda d: d.assign(cheap=d.too_expensive + 1), "all 300 respondents gave prices out of order"),
    (lambda d: d.assign(pi_cheap=9), r"purchase intents must be one of \[5, 4, 3, 2, 1\]"),
])
def test_bad_input_is_named(sample, edit, message):
    """Negative or non-numeric prices, everyone inconsistent and off-scale intents are named errors."""
    with pytest.raises(ValueError, match=message):
        van_westendorp(edit(sample), *COLS, pi_cheap="pi_cheap", pi_expensive="pi_expensive")


def test_gabor_granger_closed_forms():
    """Shares, revenue, the revenue-maximizing price, arc elasticities and the logit interval by hand."""
    from scipy import special, stats

    df = pd.DataFrame({"p10": [1] * 80 + [0] * 20, "p15": [1] * 60 + [0] * 40, "p20": [1] * 30 + [0] * 70})
    res = gabor_granger(df, {10: "p10", 15: "p15", 20: "p20"})
    d = res.demand
    assert_allclose(d.estimate, [0.8, 0.6, 0.3])
    assert_allclose(d.revenue, [8.0, 9.0, 6.0])
    assert res.optimal_price == 15
    assert_allclose(d.elasticity.iloc[1], ((0.6 - 0.8) / 0.7) / (5 / 12.5))
    # svyciprop(method = "logit") on a simple random sample of 100: se = sqrt(p (1 - p) / (n - 1)), t with 99 df
    p, n = 0.6, 100
    se = np.sqrt(p * (1 - p) / (n - 1))
    half = stats.t.ppf(0.975, n - 1) * se / (p * (1 - p))
    assert_allclose(d.se.iloc[1], se)
    assert_allclose([d.ci_low.iloc[1], d.ci_high.iloc[1]],
                    [special.expit(special.logit(p) - half), special.expit(special.logit(p) + half)])
    assert res.n_inconsistent == 0


def test_gabor_granger_shares_equal_weighted_proportion():
    """Each price's share goes through the same route as weighted_proportion (same numbers, weights included)."""
    rng = np.random.default_rng(4)
    df = pd.DataFrame({"p10": rng.integers(0, 2, 300), "p20": rng.integers(0, 2, 300), "w": rng.uniform(0.5, 2, 300)})
    res = gabor_granger(df, {10: "p10", 20: "p20"}, weight="w")
    ref = cxstats.weighted_proportion(df, "p20", weight="w")
    assert_allclose(res.demand.iloc[1][["estimate", "se", "ci_low", "ci_high"]].astype(float),
                    ref.iloc[0][["estimate", "se", "ci_low", "ci_high"]].astype(float), rtol=1e-12)


def test_gabor_granger_counts_inconsistent_buyers():
    """Someone who buys at 20 but not at 15 is counted as inconsistent, not dropped."""
    df = pd.DataFrame({"p15": [1, 0, 1], "p20": [1, 1, 0]})
    res = gabor_granger(df, {15: "p15", 20: "p20"})
    assert res.n_inconsistent == 1 and res.demand.n.tolist() == [3, 3]


def test_gabor_granger_errors():
    """A single price, negative prices and non-0/1 answers are named."""
    df = pd.DataFrame({"a": [1, 0], "b": [2, 1]})
    with pytest.raises(ValueError, match="at least two tested prices"):
        gabor_granger(df, {10: "a"})
    with pytest.raises(ValueError, match="non-negative numbers"):
        gabor_granger(df, {-1: "a", 10: "a"})
    with pytest.raises(ValueError, match=r"column 'b' must be 0/1 or boolean.*\[2.0\]"):
        gabor_granger(df, {10: "a", 12: "b"})
