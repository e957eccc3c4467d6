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


# --- tie rule, unbounded work and plain error messages ---------------------------------------------------------------

def test_tie_rule_takes_the_lowest_price_of_a_coinciding_stretch():
    """Everyone answers 0 to "too cheap": the too-cheap curve is 0 at every price, and it coincides with "not cheap"
    and "too expensive" from the lowest price up; the crossing is that stretch, and its lowest price is reported."""
    cheap, expensive = [3, 4, 5, 6, 7], [5, 6, 7, 8, 9]
    df = pd.DataFrame({"tc": [0] * 5, "c": cheap, "e": expensive, "te": [p + 3 for p in expensive]})
    got = van_westendorp(df, "tc", "c", "e", "te").price_points.set_index("point").price
    # prices named: 0, 3, 4, ..., 12. "too cheap" is 0 from 0 on (0 is everyone's answer).
    # "not cheap" (share at or below the cheap answer) is 0 at 0 and 3 (at or below the lowest answer), 0.4 at 4:
    #   the curves coincide on [0, 3]; the lowest price of the stretch is 0 (the highest, 3, was reported before).
    # "too expensive" is 0 up to 8 (the lowest answer), 0.4 at 9: coincide on [0, 8]; lowest 0 (not 8).
    assert got.pmc == 0 and got.opp == 0
    # IDP is a strict crossing: expensive - cheap is 0 - 0.4 at 5 and 0.4 - 0.2 at 6, zero at 5 + 0.4 / 0.6
    assert_allclose(got.idp, 5 + 0.4 / 0.6)


def test_tie_rule_when_the_stretch_starts_above_zero():
    """Everyone says 1 is too cheap: the grid starts at 1, where "too cheap" is already 0 (1 is the highest answer).
    "Not cheap" stays 0 up to 2 (the lowest cheap answer) and "too expensive" up to 7: both stretches start at 1."""
    df = pd.DataFrame({"tc": [1] * 5, "c": [2, 3, 4, 5, 6], "e": [4, 5, 6, 7, 8], "te": [7, 8, 9, 10, 11]})
    got = van_westendorp(df, "tc", "c", "e", "te").price_points.set_index("point").price
    assert got.pmc == 1 and got.opp == 1


@pytest.mark.parametrize("diff, expected", [
    ([0, 0, 0, 1, 1], 1.0),  # coincide from the first price: its lowest price
    ([-1, 0, 0, 1, 1], 2.0),  # coincide on [2, 3] inside the range: 2
    ([-1, -1, 1, 1, 1], 2.5),  # strict sign change between 2 and 3, interpolated
    ([1, 0, 0, 0, 0], 2.0),  # coincide to the end
    ([1, 1, 1, 1, 1], np.nan),  # never meet
    ([1e-17, -1e-17, 1, 1, 1], 1.0),  # rounding of equal shares is equality, not two sign changes
])
def test_crossing_rule(diff, expected):
    """The lowest price where two curves meet: the first equal price or the first strict sign change."""
    from cxstats.wtp import _crossing

    price = np.arange(1.0, 6.0)
    second = np.full(5, 0.5)
    assert_allclose(_crossing(price, second + np.array(diff, dtype=float), second), expected)


def _five():
    cheap = np.array([3.0, 4, 5, 6, 7])
    return pd.DataFrame({"tc": cheap - 2, "c": cheap, "e": cheap + 2, "te": cheap + 5})


def test_interpolation_step_below_the_limit_is_refused():
    """A step under 1e-4 of the price range (1 to 12 here) is refused naming the argument and the smallest valid
    step; that smallest step itself is accepted."""
    with pytest.raises(ValueError, match=r"interpolation_step=1e-05 is below 0.0001 of the price range 1 to 12 "
                                         r"\(1,100,001 prices\); use a step of at least 0.0011"):
        van_westendorp(_five(), "tc", "c", "e", "te", interpolate=True, interpolation_step=1e-5)
    res = van_westendorp(_five(), "tc", "c", "e", "te", interpolate=True, interpolation_step=0.0011)
    assert len(res.curves) == 10001
    for step in (0, -0.5, np.nan, "0.1"):
        with pytest.raises(ValueError, match="interpolation_step must be a positive number"):
            van_westendorp(_five(), "tc", "c", "e", "te", interpolate=True, interpolation_step=step)


@pytest.mark.parametrize("bootstrap", [-1, 10_001, 2.5, True, "100"])
def test_bootstrap_count_out_of_range_is_refused(bootstrap):
    """Negative, too many, fractional, boolean or text resample counts are refused naming the valid range."""
    with pytest.raises(ValueError, match="bootstrap must be a whole number from 0 to 10,000"):
        van_westendorp(_five(), "tc", "c", "e", "te", bootstrap=bootstrap)


def test_bootstrap_of_many_respondents_is_refused_up_front():
    """10,000 resamples of 6,000 respondents (60 million rows) would take minutes: refused before any resample."""
    rng = np.random.default_rng(0)
    cheap = rng.uniform(3, 7, 6000).round(1)
    df = pd.DataFrame({"tc": cheap - 2, "c": cheap, "e": cheap + 2, "te": cheap + 5})
    with pytest.raises(ValueError, match="bootstrap=10,000 resamples of 6,000 respondents would take minutes; use at "
                                         "most bootstrap=8,333"):
        van_westendorp(df, "tc", "c", "e", "te", bootstrap=10_000)


def _reach_respondent_by_respondent(prices, intents, w, grid):
    """NMS reach summed respondent by respondent at every price (the respondents x prices table the package no longer
    forms): 0 outside a respondent's prices; on each segment too cheap -> cheap -> expensive -> too expensive
    (skipped if its end is not above its start) the line between the calibrated intents, a later segment winning
    where segments overlap (answers out of order)."""
    v = np.column_stack([np.zeros(len(prices)), intents, np.zeros(len(prices))])
    g = grid[None, :]
    prob = np.zeros((len(prices), grid.size))
    for k in range(3):
        lo, hi = prices[:, [k]], prices[:, [k + 1]]
        with np.errstate(divide="ignore", invalid="ignore"):
            line = v[:, [k]] + (v[:, [k + 1]] - v[:, [k]]) * (g - lo) / (hi - lo)
        prob = np.where((g >= lo) & (g <= hi) & (hi > lo), line, prob)
    return (w[:, None] * prob).sum(axis=0) / w.sum()


CALIBRATION = dict(zip((5, 4, 3, 2, 1), (0.7, 0.5, 0.3, 0.1, 0.0), strict=True))


@pytest.mark.parametrize("case", range(32))
def test_nms_reach_equals_the_sum_respondent_by_respondent(case):
    """Random answers: rounded and in order; out of order with ties (validate=False); 1e-5 apart at prices near
    1e5 (lines far steeper than the price range), in order and (validate=False) out of order; weighted or not; on
    the answers or on an interpolation grid. The reach built from sorted answers and cumulative sums equals the
    respondents x prices sum to 1e-13, and the optimal reach price is the same."""
    rng = np.random.default_rng(case)
    n, kind = int(rng.integers(1, 300)), case % 4
    base = rng.uniform(1, 100, n)
    if kind == 0:
        x = np.column_stack([base, base * 1.3, base * 1.7, base * 2.5]).round()
    elif kind == 1:
        x = rng.integers(0, 12, (n, 4)).astype(float)
    else:
        base = base * 1000
        x = np.column_stack([base, base + rng.uniform(1e-5, 0.01, n), base + 0.02, base + rng.uniform(0.03, 50, n)])
        if kind == 3:  # cheap and expensive swapped for some: the later segment wins where segments overlap
            flip = rng.random(n) < 0.4
            x[flip] = x[flip][:, [0, 2, 1, 3]]
    df = pd.DataFrame(x, columns=["tc", "c", "e", "te"]).assign(pc=rng.integers(1, 6, n), pe=rng.integers(1, 6, n))
    df["w"] = rng.uniform(0.1, 3, n) if (case // 8) % 2 else 1.0
    validate, interpolate = kind in (0, 2), (case // 4) % 2 == 1
    step = max(0.5, (x.max() - x.min()) / 2000)
    res = van_westendorp(df, "tc", "c", "e", "te", pi_cheap="pc", pi_expensive="pe", weight="w", validate=validate,
                         interpolate=interpolate, interpolation_step=step)
    keep = (np.diff(x, axis=1) > 0).all(axis=1) if validate else np.ones(n, dtype=bool)
    intents = np.column_stack([df.pc.map(CALIBRATION), df.pe.map(CALIBRATION)])[keep]
    grid = res.nms.price.to_numpy()
    expected = _reach_respondent_by_respondent(x[keep], intents, df.w.to_numpy()[keep], grid)
    assert_allclose(res.nms.reach, expected, rtol=0, atol=1e-13)
    first = expected >= expected.max() - 1e-12  # exact ties (alike respondents) keep the lowest price
    assert res.optimal_reach_price == grid[first.argmax()]


def test_nms_of_many_distinct_prices_needs_no_respondents_x_prices_table():
    """8,000 respondents naming 32,000 distinct prices (a slider): the respondents x prices table (11.4 GiB) was
    refused before; the reach is now computed, and equals the sum respondent by respondent at 1,000 of the prices."""
    rng = np.random.default_rng(1)
    cheap = rng.uniform(3, 7, 8000)
    df = pd.DataFrame({"tc": cheap - 2, "c": cheap, "e": cheap + 2.1, "te": cheap + 5.3, "pc": 4, "pe": 2})
    res = van_westendorp(df, "tc", "c", "e", "te", pi_cheap="pc", pi_expensive="pe")
    assert len(res.nms) == 32_000
    pick = np.sort(rng.choice(32_000, 1000, replace=False))
    x = df[["tc", "c", "e", "te"]].to_numpy()
    expected = _reach_respondent_by_respondent(x, np.tile([0.5, 0.1], (8000, 1)), np.ones(8000),
                                               res.nms.price.to_numpy()[pick])
    assert_allclose(res.nms.reach.to_numpy()[pick], expected, rtol=0, atol=1e-13)


def test_nms_optimum_ties_go_to_the_lowest_price():
    """Two respondents alike but for scale: reach 0.7 / 2 at both "cheap" prices, an exact tie; the first (lowest)
    price is the optimum, as pricesensitivitymeter's which.max, although the sums carry rounding."""
    df = pd.DataFrame({"tc": [21.0, 51], "c": [28.0, 66], "e": [36.0, 87], "te": [53.0, 128], "pc": 5, "pe": 2})
    res = van_westendorp(df, "tc", "c", "e", "te", pi_cheap="pc", pi_expensive="pe")
    assert_allclose(res.nms.set_index("price").reach[[28.0, 66.0]], [0.35, 0.35], atol=1e-15)
    assert res.optimal_reach_price == 28.0


def test_van_westendorp_input_errors_name_the_argument():
    """No rows, nullable prices with a gap, a bad seed, mismatched calibration and weights that are all zero among
    the respondents analysed are named errors, not numpy tracebacks."""
    empty = _five().iloc[:0]
    with pytest.raises(ValueError, match="data has no respondents"):
        van_westendorp(empty, "tc", "c", "e", "te")
    gap = _five().astype({"c": "Int64"})
    gap.loc[2, "c"] = pd.NA
    with pytest.raises(ValueError, match=r"price column 'c' has 1 missing or non-finite price\(s\), e.g. rows \[2\]"):
        van_westendorp(gap, "tc", "c", "e", "te")
    with pytest.raises(ValueError, match="seed must be a non-negative whole number"):
        van_westendorp(_five(), "tc", "c", "e", "te", bootstrap=10, seed="x")
    intents = _five().assign(pc=4, pe=2)
    with pytest.raises(ValueError, match="pi_scale .* and pi_calibrated .* must pair each distinct answer"):
        van_westendorp(intents, "tc", "c", "e", "te", pi_cheap="pc", pi_expensive="pe", pi_calibrated=(0.5,))
    with pytest.raises(ValueError, match=r"pi_calibrated must be purchase probabilities from 0 to 1"):
        van_westendorp(intents, "tc", "c", "e", "te", pi_cheap="pc", pi_expensive="pe",
                       pi_calibrated=(70, 50, 30, 10, 0))
    with pytest.raises(ValueError, match=r"column 'pc' has \[9\] in rows \[0\]"):
        van_westendorp(intents.assign(pc=[9, 4, 4, 4, 4]), "tc", "c", "e", "te", pi_cheap="pc", pi_expensive="pe")
    zero = _five().assign(w=[0.0, 0, 0, 0, 1]).astype({"tc": float})
    zero.loc[4, "tc"] = 99.0  # the only weighted respondent is out of order, so removed
    with pytest.raises(ValueError, match="every respondent analysed has weight 0 in w"):
        van_westendorp(zero, "tc", "c", "e", "te", weight="w")


def test_gabor_granger_prices_print_as_plain_values():
    """Numpy prices (e.g. read from a table) are accepted as prices and come back, and appear in errors, as plain
    Python numbers: 0, not np.int64(0)."""
    df = pd.DataFrame({"a": [1, 1, 0, 1], "b": [1, 0, 0, 1]})
    res = gabor_granger(df, {np.int64(0): "a", np.int64(10): "b"})
    assert res.demand.price.tolist() == [0, 10] and type(res.optimal_price) is int and res.optimal_price == 10
    with pytest.raises(ValueError, match=r"must be non-negative numbers; \[-1\] are not") as err:
        gabor_granger(df, {np.int64(-1): "a", 10: "b"})
    assert "np." not in str(err.value)
    with pytest.raises(ValueError, match=r"\['x'\] are not"):  # was a TypeError from sorting mixed keys
        gabor_granger(df, {"x": "a", 10: "b"})
    with pytest.raises(ValueError, match=r"\[nan\] are not"):
        gabor_granger(df, {np.float64("nan"): "a", 10: "b"})


def test_gabor_granger_without_answers_or_buyers_is_an_error():
    """A price column with no answers, or no buyer at any positive price, has no revenue-maximizing price."""
    df = pd.DataFrame({"a": [1, 0, 1], "b": [np.nan] * 3, "c": [0, 0, 0]})
    with pytest.raises(ValueError, match=r"column 'b' \(price 10\) has no answers"):
        gabor_granger(df, {5: "a", 10: "b"})
    with pytest.raises(ValueError, match="revenue .* is 0 at every tested price"):
        gabor_granger(df, {5: "c", 10: "c"})
    with pytest.raises(ValueError, match="revenue .* is 0 at every tested price"):  # buyers only at price 0
        gabor_granger(df, {0: "a", 10: "c"})


def test_gabor_granger_revenue_tie_goes_to_the_lowest_price():
    """Revenue 5 at price 5 (everyone buys) and at price 10 (half buy): the documented tie rule picks 5."""
    df = pd.DataFrame({"p5": [1, 1, 1, 1], "p10": [1, 1, 0, 0]})
    assert gabor_granger(df, {10: "p10", 5: "p5"}).optimal_price == 5
