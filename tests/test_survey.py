"""Weighted estimates, NPS, top-box and raking against R's survey package and closed forms."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import cxstats

from .conftest import ROOT
from .reference import r_survey_values as R

RTOL = 1e-6


@pytest.fixture(scope="module")
def sample():
    return pd.read_csv(ROOT / "tests" / "reference" / "survey_sample.csv")


@pytest.mark.parametrize("method", ["logit", "beta", "mean"])
def test_weighted_proportion_matches_svyciprop(sample, method):
    """Estimate, SE, design effect and each interval method equal svymean/svyciprop (missing answers excluded)."""
    out = cxstats.weighted_proportion(sample, "likes", weight="w", method=method)
    assert_allclose(out.proportion, R.LIKES_MEAN, rtol=RTOL)
    assert_allclose(out.se, R.LIKES_SE, rtol=RTOL)
    assert_allclose(out.deff, R.LIKES_DEFF, rtol=RTOL)
    assert_allclose([out.ci_low[0], out.ci_high[0]], getattr(R, f"LIKES_CI_{method.upper()}"), rtol=RTOL)
    assert out.n[0] == 288 and out.n_missing[0] == 12


@pytest.mark.parametrize("method", ["logit", "beta", "mean"])
def test_weighted_proportion_by_group_matches_svyby(sample, method):
    """Domain estimates by region equal svyby(svymean) and svyby(svyciprop)."""
    out = cxstats.weighted_proportion(sample, "likes", weight="w", by="region", method=method)
    assert out.region.tolist() == R.BY_REGION
    assert_allclose(out.proportion, R.BY_MEAN, rtol=RTOL)
    assert_allclose(out.se, R.BY_SE, rtol=RTOL)
    assert_allclose(out.deff, R.BY_DEFF, rtol=RTOL)
    assert_allclose(out.ci_low, getattr(R, f"BY_CI_LOW_{method.upper()}"), rtol=RTOL)
    assert_allclose(out.ci_high, getattr(R, f"BY_CI_HIGH_{method.upper()}"), rtol=RTOL)


def test_level_picks_an_answer(sample):
    """level= counts one answer of a categorical column (here: region == 'North', weighted share)."""
    out = cxstats.weighted_proportion(sample, "region", level="North", weight="w")
    w = sample.w
    assert_allclose(out.proportion[0], w[sample.region == "North"].sum() / w.sum())


def test_unweighted_equals_classical_formulas(sample):
    """Without weights the share is x/n, the SE is sqrt(p(1-p)/(n-1)) and the Kish base is n."""
    out = cxstats.weighted_proportion(sample, "likes")
    y = sample.likes.dropna()
    p, n = y.mean(), len(y)
    assert_allclose(out.proportion[0], p)
    # domain of 288 answers in a sample of 300 rows: linearization gives n_total/(n_total-1) * p(1-p)/n
    assert_allclose(out.se[0], np.sqrt(300 / 299 * p * (1 - p) / n))
    assert_allclose(out.n_effective[0], n)


def test_kish_effective_base(sample):
    """n_effective is (sum w)^2 / sum w^2 over the answering rows."""
    out = cxstats.weighted_proportion(sample, "likes", weight="w")
    w = sample.w[sample.likes.notna()]
    assert_allclose(out.n_effective[0], w.sum() ** 2 / (w**2).sum())


def test_weighted_mean_matches_svymean(sample):
    """CSAT mean, SE, t interval and design effect equal svymean + confint(df = degf)."""
    out = cxstats.weighted_mean(sample, "csat", weight="w")
    assert_allclose([out["mean"][0], out.se[0], out.deff[0]], [R.CSAT_MEAN, R.CSAT_SE, R.CSAT_DEFF], rtol=RTOL)
    assert_allclose([out.ci_low[0], out.ci_high[0]], R.CSAT_CI, rtol=RTOL)
    by = cxstats.weighted_mean(sample, "csat", weight="w", by="segment")
    assert_allclose(by["mean"], R.CSAT_BY_MEAN, rtol=RTOL)
    assert_allclose(by.se, R.CSAT_BY_SE, rtol=RTOL)


def test_nps_matches_svymean_of_plus_minus_100(sample):
    """NPS and its SE equal svymean of 100 * (promoter - detractor), overall and by segment."""
    out = cxstats.nps(sample.nps, weight=sample.w)
    assert_allclose([out.nps[0], out.se[0]], [R.NPS, R.NPS_SE], rtol=RTOL, atol=1e-9)
    by = cxstats.nps(sample.nps, weight=sample.w, by=sample.segment)
    assert_allclose(by.nps, R.NPS_BY, rtol=RTOL)
    assert_allclose(by.se, R.NPS_BY_SE, rtol=RTOL)


def test_nps_unweighted_closed_form():
    """Unweighted NPS SE is 100 sqrt((P + D - (P - D)^2) / n) times sqrt(n / (n - 1))."""
    scores = np.array([10] * 50 + [8] * 30 + [3] * 20)
    out = cxstats.nps(scores)
    P, D, n = 0.5, 0.2, 100
    assert_allclose(out.nps[0], 30)
    assert_allclose(out.se[0], 100 * np.sqrt((P + D - (P - D) ** 2) / n * n / (n - 1)))
    assert_allclose([out.promoters[0], out.passives[0], out.detractors[0]], [0.5, 0.3, 0.2])


def test_compare_nps_planted_difference():
    """Two simulated waves with true NPS 40 and 20: the difference and its z test behave as the closed form."""
    rng = np.random.default_rng(5)
    a = rng.choice([10, 8, 2], size=4000, p=[0.55, 0.30, 0.15])   # true NPS 40
    b = rng.choice([10, 8, 2], size=4000, p=[0.45, 0.30, 0.25])   # true NPS 20
    out = cxstats.compare_nps(a, b)
    assert out.ci_low[0] < 20 < out.ci_high[0]
    se = np.hypot(cxstats.nps(a).se[0], cxstats.nps(b).se[0])
    assert_allclose(out.statistic[0], out["diff"][0] / se)
    assert out.p_value[0] < 1e-6


def test_top_and_bottom_box_use_counts_layer():
    """Top-2 box of a 5-point scale: 3 of 5, with the Wilson interval of proportion_ci(3, 5)."""
    out = cxstats.top_box([5, 4, 3, 2, 5, None], k=2, scale=5)
    ref = cxstats.proportion_ci(3, 5)
    assert_allclose([out.proportion[0], out.ci_low[0], out.ci_high[0]], [0.6, ref.ci_low[0], ref.ci_high[0]])
    assert out.n_missing[0] == 1
    assert cxstats.bottom_box([5, 4, 3, 2, 1], k=1, scale=5).proportion[0] == 0.2


def test_top_box_reads_ordered_categories():
    """An ordered categorical counts its categories in order as 1..scale."""
    levels = ["Very poor", "Poor", "Fair", "Good", "Very good"]
    scores = pd.Categorical(["Very good", "Good", "Poor", "Fair"], categories=levels, ordered=True)
    assert cxstats.top_box(scores, k=2, scale=5).proportion[0] == 0.5


def test_rake_matches_survey_rake(sample):
    """Raked weights equal R's rake() to 1e-6 and hit the targets; efficiency is (sum w)^2 / (n sum w^2)."""
    targets = {"age": {"18-34": 90, "35-54": 120, "55+": 90},
               "region": {"East": 60, "North": 90, "South": 90, "West": 60}}
    res = cxstats.rake(sample, targets, weight="w", tol=1e-13, max_iter=1000)
    assert_allclose(res.weights, R.RAKE_WEIGHTS, rtol=RTOL)
    assert_allclose(res.margins.target, res.margins.achieved, atol=1e-12)
    w = res.weights.to_numpy()
    assert_allclose(res.efficiency, w.sum() ** 2 / (len(w) * (w**2).sum()))
    raked = cxstats.weighted_proportion(sample.assign(rw=res.weights), "likes", weight="rw")
    assert_allclose(raked.proportion[0], R.RAKE_LIKES, rtol=RTOL)


def test_rake_with_shares_sums_to_sample_size(sample):
    """Targets given as shares give weights summing to the number of respondents."""
    res = cxstats.rake(sample, {"age": {"18-34": 0.3, "35-54": 0.4, "55+": 0.3}})
    assert_allclose(res.weights.sum(), len(sample))


@pytest.mark.parametrize("targets, message", [
    ({"age": {"18-34": 0.5, "35-54": 0.5, "55+": 0.0, "65+": 0.0}}, r"target categories \['65\+'\] of 'age' have no"),
    ({"age": {"18-34": 0.5, "35-54": 0.5}}, r"column 'age' has categories \['55\+'\] with no target"),
    ({"agegroup": {"18-34": 1.0}}, r"column\(s\) \['agegroup'\] not in the data"),
    ({"age": {"18-34": 10, "35-54": 10, "55+": 10}, "region": {"East": 1, "North": 1, "South": 1, "West": 1}},
     "one total"),
])
def test_rake_errors(sample, targets, message):
    """Absent categories, untargeted respondents, unknown columns and inconsistent totals are named."""
    with pytest.raises(ValueError, match=message):
        cxstats.rake(sample, targets)


def test_rake_reports_non_convergence(sample):
    """Raking that cannot converge in max_iter raises instead of returning half-calibrated weights."""
    targets = {"age": {"18-34": 90, "35-54": 120, "55+": 90},
               "region": {"East": 60, "North": 90, "South": 90, "West": 60}}
    with pytest.raises(ValueError, match="did not converge in 1 iterations"):
        cxstats.rake(sample, targets, max_iter=1)


@pytest.mark.parametrize("call, message", [
    (lambda d: cxstats.weighted_proportion(d, "nope"), r"column\(s\) \['nope'\] not in the data"),
    (lambda d: cxstats.weighted_proportion(d.assign(w=-d.w), "likes", weight="w"), "has 300 negative value"),
    (lambda d: cxstats.weighted_proportion(d.assign(w=0.0), "likes", weight="w"), "sums to zero"),
    (lambda d: cxstats.weighted_proportion(d.assign(w=np.where(d.id == 5, np.nan, d.w)), "likes", weight="w"),
     r"1 missing or non-finite value\(s\), e.g. rows \[4\]"),
    (lambda d: cxstats.weighted_proportion(d, "csat"), r"must be 0/1 or boolean without level="),
    (lambda d: cxstats.weighted_mean(d, "region"), "must be numeric for a mean"),
    (lambda d: cxstats.nps(d.csat * 3), r"scores must be whole numbers from 0 to 10; found \[12.0, 15.0\]"),
    (lambda d: cxstats.top_box(d.nps, scale=5), "scores must be whole numbers from 1 to 5"),
    (lambda d: cxstats.nps(d.nps, weight=d.w[:10]), "weight has 10 values for 300 scores"),
    (lambda d: cxstats.weighted_mean(d.assign(csat=d.csat.where(d.region != "West")), "csat", by="region"),
     r"group\(s\) \['West'\] have no answers"),
])
def test_bad_input_names_column_and_values(sample, call, message):
    """Missing columns, bad weights and out-of-scale scores raise errors naming the column and the values."""
    with pytest.raises(ValueError, match=message):
        call(sample)
