"""Respondent-level estimates (means, shares, totals, NPS, top-box, domain comparisons, raking) against R and
closed forms."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from scipy import special, stats

import cxstats

from .conftest import ROOT
from .reference import r_survey_values as R

RTOL = 1e-6
# cxstats method -> the suffix of R's svyciprop method in r_survey_values ("beta" is Korn-Graubard, "mean" is Wald)
R_METHOD = {"logit": "LOGIT", "korn_graubard": "BETA", "wald": "MEAN"}
AGREE = ["Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"]
INTERVAL = ["estimate", "se", "ci_low", "ci_high"]


@pytest.fixture(scope="module")
def sample():
    return pd.read_csv(ROOT / "tests" / "reference" / "survey_sample.csv")


# ------------------------------------------------------------------ R's survey package

@pytest.mark.parametrize("method", list(R_METHOD))
def test_weighted_proportion_matches_svyciprop(sample, method):
    """Estimate, SE, design effect and each interval method equal svymean/svyciprop (missing answers excluded)."""
    out = cxstats.weighted_proportion(sample, "likes", weight="w", method=method)
    assert_allclose(out.estimate, R.LIKES_MEAN, rtol=RTOL)
    assert_allclose(out.se, R.LIKES_SE, rtol=RTOL)
    assert_allclose(out.deff, R.LIKES_DEFF, rtol=RTOL)
    assert_allclose([out.ci_low[0], out.ci_high[0]], getattr(R, f"LIKES_CI_{R_METHOD[method]}"), rtol=RTOL)
    assert out.n[0] == 288 and out.n_missing[0] == 12 and out.method[0] == method
    assert list(out.columns) == ["estimate", "se", "ci_low", "ci_high", "n", "n_missing", "deff", "n_effective",
                                 "df", "weighted_n", "note", "method"]


@pytest.mark.parametrize("method", list(R_METHOD))
def test_weighted_proportion_by_group_matches_svyby(sample, method):
    """Domain estimates by region equal svyby(svymean) and svyby(svyciprop); the by column comes first."""
    out = cxstats.weighted_proportion(sample, "likes", weight="w", by="region", method=method)
    assert out.columns[0] == "region" and out.region.tolist() == R.BY_REGION
    assert_allclose(out.estimate, R.BY_MEAN, rtol=RTOL)
    assert_allclose(out.se, R.BY_SE, rtol=RTOL)
    assert_allclose(out.deff, R.BY_DEFF, rtol=RTOL)
    assert_allclose(out.ci_low, getattr(R, f"BY_CI_LOW_{R_METHOD[method]}"), rtol=RTOL)
    assert_allclose(out.ci_high, getattr(R, f"BY_CI_HIGH_{R_METHOD[method]}"), rtol=RTOL)


def test_weighted_mean_matches_svymean(sample):
    """CSAT mean, SE, t interval and design effect equal svymean + confint(df = degf), overall and by segment."""
    out = cxstats.weighted_mean(sample, "csat", weight="w")
    assert_allclose([out.estimate[0], out.se[0], out.deff[0]], [R.CSAT_MEAN, R.CSAT_SE, R.CSAT_DEFF], rtol=RTOL)
    assert_allclose([out.ci_low[0], out.ci_high[0]], R.CSAT_CI, rtol=RTOL)
    assert out.df[0] == 299
    by = cxstats.weighted_mean(sample, "csat", weight="w", by="segment")
    assert by.segment.tolist() == ["A", "B", "C"]
    assert_allclose(by.estimate, R.CSAT_BY_MEAN, rtol=RTOL)
    assert_allclose(by.se, R.CSAT_BY_SE, rtol=RTOL)


def test_nps_matches_svymean_of_plus_minus_100(sample):
    """NPS and its SE equal svymean of 100 * (promoter - detractor), overall and by segment."""
    out = cxstats.nps(sample, "nps", weight="w")
    assert_allclose([out.estimate[0], out.se[0]], [R.NPS, R.NPS_SE], rtol=RTOL, atol=1e-9)
    by = cxstats.nps(sample, "nps", weight="w", by="segment")
    assert_allclose(by.estimate, R.NPS_BY, rtol=RTOL)
    assert_allclose(by.se, R.NPS_BY_SE, rtol=RTOL)
    # the shares add up, and promoters - detractors is the score
    assert_allclose(by.promoters + by.passives + by.detractors, 1.0)
    assert_allclose(100 * (by.promoters - by.detractors), by.estimate)


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
    assert_allclose(raked.estimate[0], R.RAKE_LIKES, rtol=RTOL)
    # a design's weights are the starting weights
    from_design = cxstats.rake(cxstats.survey_design(sample, weight="w"), targets, tol=1e-13, max_iter=1000)
    assert_allclose(from_design.weights, R.RAKE_WEIGHTS, rtol=RTOL)


# ------------------------------------------------------------------ closed forms

def test_level_picks_an_answer(sample):
    """level= counts one answer of a text column (here: region == 'North', weighted share)."""
    out = cxstats.weighted_proportion(sample, "region", level="North", weight="w")
    w = sample.w
    assert_allclose(out.estimate[0], w[sample.region == "North"].sum() / w.sum())


def test_unweighted_proportion_equals_classical_formulas(sample):
    """Without weights the share is x/n; the domain of n = 288 answers in N = 300 rows has linearization variance
    N/(N-1) p(1-p)/n, the SRS variance is p(1-p)/(n-1), so deff = N/(N-1) (n-1)/n and n_effective = n / deff."""
    out = cxstats.weighted_proportion(sample, "likes")
    y = sample.likes.dropna()
    p, n, N = y.mean(), len(y), len(sample)
    assert_allclose(out.estimate[0], p)
    assert_allclose(out.se[0], np.sqrt(N / (N - 1) * p * (1 - p) / n))
    assert_allclose(out.deff[0], N / (N - 1) * (n - 1) / n)
    assert_allclose(out.n_effective[0], n / out.deff[0])
    assert out.weighted_n[0] == n


def test_n_effective_is_n_over_deff(sample):
    """n_effective is n / deff (not Kish's base); n counts answers with a positive weight."""
    zero = sample.assign(w=np.where(sample.id <= 10, 0.0, sample.w))
    out = cxstats.weighted_mean(zero, "csat", weight="w", by="segment")
    assert_allclose(out.n_effective, out.n / out.deff)
    answered = zero[zero.csat.notna() & (zero.w > 0)]
    assert out.n.tolist() == answered.groupby("segment").size().tolist()
    assert_allclose(out.weighted_n, answered.groupby("segment").w.sum())


def test_nps_unweighted_closed_form():
    """Unweighted NPS SE is 100 sqrt((P + D - (P - D)^2) / n) times sqrt(n / (n - 1))."""
    scores = pd.Series([10] * 50 + [8] * 30 + [3] * 20, name="ltr")
    out = cxstats.nps(scores)
    P, D, n = 0.5, 0.2, 100
    assert_allclose(out.estimate[0], 30)
    assert_allclose(out.se[0], 100 * np.sqrt((P + D - (P - D) ** 2) / n * n / (n - 1)))
    assert_allclose([out.promoters[0], out.passives[0], out.detractors[0]], [0.5, 0.3, 0.2])


def test_top_and_bottom_box_closed_form():
    """Top-2 box of 1-5 answers [5, 4, 3, 2, 5, missing]: 3 of 5, SE sqrt(N/(N-1) p(1-p)/n) with N = 6 rows, and
    the logit interval expit(logit p -/+ t_{N-1} se / (p (1 - p)))."""
    out = cxstats.top_box(pd.Series([5, 4, 3, 2, 5, None], name="csat"), k=2, scale=range(1, 6))
    p, n, N = 0.6, 5, 6
    se = np.sqrt(N / (N - 1) * p * (1 - p) / n)
    half = stats.t.ppf(0.975, N - 1) * se / (p * (1 - p))
    assert_allclose(out[INTERVAL].iloc[0], [p, se, special.expit(special.logit(p) - half),
                                            special.expit(special.logit(p) + half)])
    assert out.n[0] == 5 and out.n_missing[0] == 1 and out.box[0] == "4, 5"
    bottom = cxstats.bottom_box(pd.Series([5, 4, 3, 2, 1], name="csat"), k=1, scale=range(1, 6))
    assert bottom.estimate[0] == 0.2 and bottom.box[0] == "1"


def test_weighted_total_unweighted_closed_form():
    """Without weights or design the total is the sum of the answers; its linearization variance is
    n/(n-1) sum (y - ybar)^2 = n^2 s^2 / n (s^2 the sample variance with n - 1), so SE = sqrt(n) s."""
    y = pd.Series([3.0, 5, 2, 8, 1, 4, 4, 9, 12, 0.5], name="spend")
    out = cxstats.weighted_total(y)
    n = len(y)
    assert_allclose(out.estimate[0], y.sum())
    assert_allclose(out.se[0], np.sqrt(n**2 * y.var(ddof=1) / n))
    assert_allclose([out.ci_low[0], out.ci_high[0]], y.sum() + np.array([-1, 1]) * stats.t.ppf(0.975, n - 1)
                    * np.sqrt(n) * y.std(ddof=1))


def test_weighted_total_with_weights_and_missing_answers(sample):
    """Weights only: the total is sum w y over the answers; each row is a PSU whose influence is w y (0 when the
    answer is missing), so V = N/(N-1) sum (z - zbar)^2 over all N rows. level= counts one answer."""
    out = cxstats.weighted_total(sample, "csat", weight="w")
    z = (sample.w * sample.csat).fillna(0.0)
    N = len(sample)
    assert_allclose(out.estimate[0], z.sum())
    assert_allclose(out.se[0], np.sqrt(N / (N - 1) * ((z - z.mean()) ** 2).sum()))
    north = cxstats.weighted_total(sample, "region", level="North", weight="w")
    assert_allclose(north.estimate[0], sample.w[sample.region == "North"].sum())


# ------------------------------------------------------------------ top-box is a proportion

@pytest.mark.parametrize("method", ["logit", "wilson", "korn_graubard", "asin", "wald"])
def test_top_box_equals_weighted_proportion_of_the_indicator(sample, method):
    """The issue: top_box and weighted_proportion gave different intervals on the same weighted data. Now
    top_box(k=2 of 1-5) is weighted_proportion of the indicator answer >= 4 (missing answers stay missing)."""
    box = cxstats.top_box(sample, "csat", k=2, scale=range(1, 6), weight="w", method=method, by="segment")
    indicator = sample.assign(t=(sample.csat >= 4).where(sample.csat.notna()))
    share = cxstats.weighted_proportion(indicator, "t", weight="w", method=method, by="segment")
    assert_allclose(box[INTERVAL], share[INTERVAL], rtol=1e-12)
    assert (box[["n", "n_missing"]] == share[["n", "n_missing"]]).all().all()
    # without missing answers the indicator may be the plain comparison
    full = sample.dropna(subset=["csat"])
    assert_allclose(cxstats.top_box(full, "csat", k=2, scale=range(1, 6), weight="w", method=method)[INTERVAL],
                    cxstats.weighted_proportion(full.assign(t=full.csat >= 4), "t", weight="w",
                                                method=method)[INTERVAL], rtol=1e-12)


# ------------------------------------------------------------------ answers are scored by value

def test_nps_scores_values_not_category_positions():
    """A categorical whose categories are the observed numbers 0, 3, 7, 9, 10 scores as those numbers: answers
    10, 9, 3, 0, 7 are 2 promoters, 2 detractors and 1 passive, NPS 0 (by position it would be -100)."""
    answers = [10, 9, 3, 0, 7]
    categorical = pd.Series(pd.Categorical(answers, categories=[0, 3, 7, 9, 10], ordered=True), name="ltr")
    for data in (categorical, pd.Series(answers, dtype=float, name="ltr")):
        out = cxstats.nps(data)
        assert out.estimate[0] == 0
        assert_allclose([out.promoters[0], out.passives[0], out.detractors[0]], [0.4, 0.2, 0.4])
    unordered = pd.Series(pd.Categorical(answers), name="ltr")
    with pytest.raises(ValueError, match="column 'ltr' is an unordered categorical"):
        cxstats.nps(unordered)


def test_mean_of_text_labels_needs_values():
    """An ordered categorical of labels has an order but no values: a mean needs scale= (it never scores the
    categories by position); with {label: score} the scores are used."""
    levels = ["Very poor", "Poor", "Good"]
    s = pd.Series(pd.Categorical(["Good", "Poor", "Good"], categories=levels, ordered=True), name="q")
    with pytest.raises(ValueError, match=r"column 'q' has text labels .* no values to average"):
        cxstats.weighted_mean(s)
    assert_allclose(cxstats.weighted_mean(s, scale={"Very poor": 0, "Poor": 5, "Good": 10}).estimate[0], 25 / 3)


def test_top_box_of_agreement_labels():
    """Text labels need their order: an unordered categorical without scale= is an error naming the column; with
    scale= (low to high) the top 2 are 'Agree' and 'Strongly agree'; an ordered categorical needs no scale."""
    answers = ["Strongly agree", "Agree", "Neutral", "Disagree", "Strongly agree", "Strongly disagree", "Agree"]
    unordered = pd.Series(pd.Categorical(answers), name="q1")
    with pytest.raises(ValueError, match=r"column 'q1' is an unordered categorical.*give scale="):
        cxstats.top_box(unordered)
    out = cxstats.top_box(unordered, scale=AGREE)
    assert_allclose(out.estimate[0], 4 / 7)
    assert out.box[0] == "Agree, Strongly agree"
    ordered = pd.Series(pd.Categorical(answers, categories=AGREE, ordered=True), name="q1")
    assert_allclose(cxstats.top_box(ordered)[INTERVAL], out[INTERVAL], rtol=1e-12)
    assert_allclose(cxstats.bottom_box(ordered, k=1).estimate[0], 1 / 7)


def test_top_box_scale_errors():
    """An answer off the scale is named; an int scale is ambiguous (with a hint); numbers need scale=."""
    ratings = pd.Series([1, 2, 3, 6, 5], name="q2")
    with pytest.raises(ValueError, match=r"column 'q2' has answers \[6\] that are not on the scale \[1, 2, 3, 4"):
        cxstats.top_box(ratings, scale=range(1, 6))
    with pytest.raises(ValueError, match=r"scale=5 is ambiguous.*scale=range\(1, 6\)"):
        cxstats.top_box(ratings, scale=5)
    with pytest.raises(ValueError, match=r"give scale= for 'q2'"):
        cxstats.top_box(ratings)


def test_top_box_of_unordered_numeric_categorical_needs_scale():
    """BUG (pinned): an unordered categorical without scale= must be an error (the docstring of top_box says so);
    for numeric categories it is not, and the box is taken from the categories present: answers 1, 2, 3, 5, 5 (no
    4, so pandas infers categories [1, 2, 3, 5]) give a 'top 2' of {3, 5} = 0.6, where the top 2 of a 1-5 rating
    is {4, 5} = 0.4."""
    ratings = pd.Series(pd.Categorical([1, 2, 3, 5, 5]), name="q3")
    with pytest.raises(ValueError, match=r"column 'q3'.*scale="):
        cxstats.top_box(ratings)


def test_weighted_mean_of_labels_with_scale():
    """scale= labels (low to high) score 1..k; scale={label: score} uses the given scores."""
    answers = pd.Series(["Strongly agree", "Agree", "Neutral", "Disagree", "Strongly agree", "Strongly disagree"],
                        name="q1")
    assert_allclose(cxstats.weighted_mean(answers, scale=AGREE).estimate[0], (5 + 4 + 3 + 2 + 5 + 1) / 6)
    scores = dict(zip(AGREE, [-2, -1, 0, 1, 2], strict=True))
    assert_allclose(cxstats.weighted_mean(answers, scale=scores).estimate[0], (2 + 1 + 0 - 1 + 2 - 2) / 6)
    # the same scores as a numeric column give the same estimate and SE
    numeric = answers.map(scores).astype(float)
    assert_allclose(cxstats.weighted_mean(answers, scale=scores)[INTERVAL],
                    cxstats.weighted_mean(numeric)[INTERVAL], rtol=1e-12)
    with pytest.raises(ValueError, match=r"column 'q1' has answers \['Neutral'\] that are not on the scale"):
        cxstats.weighted_mean(answers, scale=[a for a in AGREE if a != "Neutral"])


# ------------------------------------------------------------------ inputs

def test_series_input_uses_its_name(sample):
    """A named Series is a one-column survey: same numbers as the DataFrame and the column."""
    assert_allclose(cxstats.weighted_mean(sample.csat)[INTERVAL], cxstats.weighted_mean(sample, "csat")[INTERVAL])
    assert_allclose(cxstats.nps(sample.nps, "nps")[INTERVAL], cxstats.nps(sample, "nps")[INTERVAL])
    with pytest.raises(ValueError, match=r"Series named 'csat'"):
        cxstats.weighted_mean(sample.csat, "nps")
    with pytest.raises(ValueError, match="a Series has no weight column"):
        cxstats.weighted_mean(sample.csat, weight="w")


@pytest.mark.parametrize("data", [[10, 9, 3], np.array([10, 9, 3]), (10, 9, 3)], ids=["list", "array", "tuple"])
def test_arrays_are_not_data(data):
    """Arrays of scores are gone; a clear error says what to pass instead."""
    with pytest.raises(ValueError, match=r"data must be a DataFrame.*wrap the values in pd.Series"):
        cxstats.nps(data)


def test_weight_with_a_design_is_an_error(sample):
    """A design carries its weights: weight= is an error; without it the design gives the weighted numbers."""
    design = cxstats.survey_design(sample, weight="w")
    with pytest.raises(ValueError, match="data is a survey design, which carries its weights; drop weight="):
        cxstats.weighted_mean(design, "csat", weight="w")
    assert_allclose(cxstats.weighted_mean(design, "csat").estimate[0], R.CSAT_MEAN, rtol=RTOL)


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
@pytest.mark.parametrize("weight", ["w", None], ids=["weighted", "unweighted"])
def test_file_path_equals_frame(sample, tmp_path, fmt, weight):
    """A Parquet/CSV path is estimated where it lies (DuckDB) with the same numbers as the DataFrame.

    BUG (pinned, unweighted case): without weight= every file path or Ibis table fails with
    AttributeError: 'IntegerScalar' object has no attribute 'sum' (cxstats/_aggregate.py, _unit_aggregates: with no
    weight column ``w`` is ``ibis.literal(1.0)`` and ``(w > 0).cast("int64").sum()`` is not a column reduction).
    """
    holed = sample.assign(region=sample.region.where(sample.id % 10 != 0))
    path = tmp_path / f"s.{fmt}"
    holed.to_parquet(path) if fmt == "parquet" else holed.to_csv(path, index=False)
    for f, column, kwargs in [(cxstats.weighted_mean, "csat", {}), (cxstats.nps, "nps", {}),
                              (cxstats.top_box, "csat", {"scale": range(1, 6)})]:
        frame = f(holed, column, by="region", weight=weight, **kwargs)
        file = f(path, column, by="region", weight=weight, **kwargs)
        assert_allclose(file[INTERVAL], frame[INTERVAL], rtol=1e-12)
        assert (file[["n", "n_missing"]] == frame[["n", "n_missing"]]).all().all()
        assert file.region.iloc[:-1].tolist() == frame.region.iloc[:-1].tolist() and file.region.isna().iloc[-1]


# ------------------------------------------------------------------ groups

def test_missing_by_values_form_their_own_group(sample):
    """Rows with a missing region form a group of their own, reported last, with the numbers of those rows (and
    exactly the numbers the same rows get under an explicit label)."""
    holed = sample.assign(region=sample.region.where(sample.id % 10 != 0))
    out = cxstats.weighted_mean(holed, "csat", weight="w", by="region")
    assert out.region.iloc[:-1].tolist() == ["East", "North", "South", "West"] and pd.isna(out.region.iloc[-1])
    rows = holed[holed.region.isna() & holed.csat.notna()]
    assert out.n.iloc[-1] == len(rows) == 30
    assert_allclose(out.estimate.iloc[-1], np.average(rows.csat, weights=rows.w))
    labelled = cxstats.weighted_mean(holed.fillna({"region": "Zzz"}), "csat", weight="w", by="region")
    assert_allclose(out.drop(columns=["region", "note"]).to_numpy(dtype=float),
                    labelled.drop(columns=["region", "note"]).to_numpy(dtype=float), rtol=1e-12)


def test_declared_unobserved_category_is_reported_empty(sample):
    """A category of a categorical by that nobody is in is reported, in declared order, with n = 0 and no
    estimate; the other groups are unchanged."""
    order = ["North", "South", "East", "West", "Central"]
    declared = sample.assign(region=pd.Categorical(sample.region, categories=order))
    plain = cxstats.weighted_proportion(sample, "likes", weight="w", by="region").set_index("region")
    for f, kwargs in [(cxstats.weighted_proportion, {}), (cxstats.weighted_mean, {}), (cxstats.nps, {}),
                      (cxstats.top_box, {"scale": range(1, 6)})]:
        column = {cxstats.nps: "nps", cxstats.top_box: "csat", cxstats.weighted_mean: "csat"}.get(f, "likes")
        out = f(declared, column, weight="w", by="region", **kwargs)
        assert out.region.tolist() == order
        central = out.iloc[-1]
        assert central.n == 0 and central.n_missing == 0 and central.weighted_n == 0
        assert central[INTERVAL].isna().all()
    out = cxstats.weighted_proportion(declared, "likes", weight="w", by="region").set_index("region")
    assert_allclose(out.loc[plain.index, INTERVAL], plain[INTERVAL], rtol=1e-12)


def test_group_without_answers_has_n_zero_and_no_estimate(sample):
    """A group whose answers are all missing is reported (n = 0, its rows in n_missing, NaN estimate), not an
    error; the other groups keep the numbers R gives them."""
    holed = sample.assign(likes=sample.likes.where(sample.region != "West"))
    out = cxstats.weighted_proportion(holed, "likes", weight="w", by="region")
    west = out.set_index("region").loc["West"]
    assert west.n == 0 and west.n_missing == (sample.region == "West").sum()
    assert west[INTERVAL].isna().all()
    assert_allclose(out.estimate.iloc[:3], R.BY_MEAN[:3], rtol=RTOL)
    assert_allclose(out.se.iloc[:3], R.BY_SE[:3], rtol=RTOL)


# ------------------------------------------------------------------ comparisons

@pytest.fixture(scope="module")
def waves():
    """Two simulated waves with true NPS 40 and 20."""
    rng = np.random.default_rng(5)
    a = pd.DataFrame({"ltr": rng.choice([10, 8, 2], size=4000, p=[0.55, 0.30, 0.15])})
    b = pd.DataFrame({"ltr": rng.choice([10, 8, 2], size=4000, p=[0.45, 0.30, 0.25])})
    return a, b


def test_compare_nps_independent_samples(waves):
    """{label: frame} are independent samples: the difference of the two nps estimates, SE sqrt(se1^2 + se2^2),
    t with Satterthwaite's df from the two designs' degf; the planted 20-point gap is found."""
    a, b = waves
    out = cxstats.compare_nps({"Q1": a, "Q2": b}, "ltr")
    one, two = cxstats.nps(a, "ltr"), cxstats.nps(b, "ltr")
    se = np.hypot(one.se[0], two.se[0])
    row = out.iloc[0]
    assert (row.group1, row.group2, row.measure) == ("Q1", "Q2", "nps")
    assert_allclose([row.estimate1, row.estimate2, row["diff"], row.se], [one.estimate[0], two.estimate[0],
                                                                          one.estimate[0] - two.estimate[0], se])
    assert_allclose(row.statistic, row["diff"] / se)
    v1, v2 = one.se[0] ** 2, two.se[0] ** 2
    assert_allclose(row.df, (v1 + v2) ** 2 / (v1**2 / 3999 + v2**2 / 3999))
    assert_allclose(row.p_value, 2 * stats.t.sf(abs(row.statistic), row.df))
    assert row.ci_low < 20 < row.ci_high and row.p_value < 1e-6


def test_compare_nps_by_groups_of_one_design(waves):
    """The same two waves as groups of one frame: the same difference; the domains share no rows, so their
    covariance is 0 and the SE is close to the independent one but not equal: one design of N = n1 + n2 rows
    scales each domain's sum of squares by N/(N-1) instead of n_i/(n_i-1), so
    se^2 = N/(N-1) [(n1-1)/n1 se1^2 + (n2-1)/n2 se2^2], and df is the design's N - 1."""
    a, b = waves
    both = pd.concat([a.assign(wave="Q1"), b.assign(wave="Q2")], ignore_index=True)
    row = cxstats.compare_nps(both, "ltr", by="wave").iloc[0]
    one, two = cxstats.nps(a, "ltr"), cxstats.nps(b, "ltr")
    n1, n2, N = len(a), len(b), len(both)
    assert_allclose(row["diff"], one.estimate[0] - two.estimate[0])
    assert_allclose(row.se, np.sqrt(N / (N - 1) * ((n1 - 1) / n1 * one.se[0] ** 2 + (n2 - 1) / n2 * two.se[0] ** 2)))
    assert_allclose(row.se, np.hypot(one.se[0], two.se[0]), rtol=1e-3)
    assert row.df == N - 1


def test_independent_small_sample_gets_welch_df():
    """A sample of 4 against one of 2000: unweighted, the comparison is exactly Welch's t test (scipy): the same
    difference, t, Satterthwaite df (about 3, not 2002) and p-value."""
    rng = np.random.default_rng(1)
    a, b = pd.DataFrame({"csat": rng.normal(3, 2, 4)}), pd.DataFrame({"csat": rng.normal(3.5, 0.3, 2000)})
    row = cxstats.compare_domains({"small": a, "big": b}, "csat").iloc[0]
    welch = stats.ttest_ind(a.csat, b.csat, equal_var=False)
    assert_allclose([row.statistic, row.df, row.p_value], [welch.statistic, welch.df, welch.pvalue], rtol=1e-9)


def test_compare_domains_of_independent_samples_needs_no_by(sample):
    """With {label: data} the samples are the groups: no by= is needed."""
    a, b = sample.iloc[:150], sample.iloc[150:]
    out = cxstats.compare_domains({"a": a, "b": b}, "csat", weight="w")
    one, two = cxstats.weighted_mean(a, "csat", weight="w"), cxstats.weighted_mean(b, "csat", weight="w")
    assert_allclose(out["diff"][0], one.estimate[0] - two.estimate[0])


def test_compare_domains_measures_are_the_one_group_estimates(sample):
    """Every measure compares exactly the estimates of the corresponding one-group function, for every pair."""
    cases = [("mean", cxstats.weighted_mean, "csat", {}), ("proportion", cxstats.weighted_proportion, "likes", {}),
             ("nps", cxstats.nps, "nps", {}), ("top_box", cxstats.top_box, "csat", {"scale": range(1, 6)}),
             ("bottom_box", cxstats.bottom_box, "csat", {"scale": range(1, 6), "k": 1})]
    for measure, f, column, kwargs in cases:
        out = cxstats.compare_domains(sample, column, by="segment", measure=measure, weight="w", **kwargs)
        single = f(sample, column, by="segment", weight="w", **kwargs).set_index("segment").estimate
        assert list(zip(out.group1, out.group2, strict=True)) == [("A", "B"), ("A", "C"), ("B", "C")]
        assert_allclose(out.estimate1, single[out.group1].to_numpy())
        assert_allclose(out["diff"], single[out.group1].to_numpy() - single[out.group2].to_numpy())
        assert (out.measure == measure).all()
    holm = cxstats.adjust_pvalues(out.p_value, method="holm")
    assert_allclose(out.p_adjusted, holm["p_adjusted"])


# ------------------------------------------------------------------ raking

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


# ------------------------------------------------------------------ bad input

@pytest.mark.parametrize("call, message", [
    (lambda d: cxstats.weighted_proportion(d, "nope"), r"column\(s\) \['nope'\] not in the data"),
    (lambda d: cxstats.nps(d, "nps", by="nope"), r"column\(s\) \['nope'\] not in the data"),
    (lambda d: cxstats.weighted_mean(d, "csat", weight="nope"), r"column\(s\) \['nope'\] not in the data"),
    (lambda d: cxstats.weighted_proportion(d.assign(w=-d.w), "likes", weight="w"),
     r"weight column 'w' has 300 negative value\(s\), e.g. rows \[0, 1, 2, 3, 4\]"),
    (lambda d: cxstats.weighted_proportion(d.assign(w=0.0), "likes", weight="w"), "weight column 'w' sums to zero"),
    (lambda d: cxstats.weighted_proportion(d.assign(w=np.where(d.id == 5, np.nan, d.w)), "likes", weight="w"),
     r"weight column 'w' has 1 missing or non-finite value\(s\), e.g. rows \[4\]"),
    (lambda d: cxstats.weighted_mean(d.assign(w=d.w.astype(str)), "csat", weight="w"),
     r"weight column 'w' holds numbers stored as str; convert it with pd.to_numeric"),
    (lambda d: cxstats.weighted_mean(d.assign(w=d.w.astype(str).where(d.id != 6, "heavy")), "csat", weight="w"),
     r"weight column 'w' must be numeric; it has values \['heavy'\], e.g. rows \[5\]"),
    (lambda d: cxstats.weighted_proportion(d, "csat"),
     r"column 'csat' must be 0/1 or boolean without level=; it has values \[2.0, 3.0, 4.0, 5.0\]"),
    (lambda d: cxstats.weighted_mean(d, "region"), r"column 'region' must be numeric for this estimate; it has "
                                                   r"values \['North', 'South', 'East', 'West'\]"),
    (lambda d: cxstats.weighted_mean(d.assign(csat=np.where(d.id == 3, np.inf, d.csat)), "csat"),
     r"column 'csat' has 1 infinite value\(s\), e.g. rows \[2\]"),
    (lambda d: cxstats.nps(d.csat * 3), r"column 'csat' has answers \[12.0, 15.0\] that are not on the scale"),
    (lambda d: cxstats.top_box(d, "nps", scale=range(1, 6)),
     r"column 'nps' has answers \[0, 6, 7, 8, 9, 10\] that are not on the scale \[1, 2, 3, 4, 5\]"),
    (lambda d: cxstats.top_box(d, "csat", scale=range(1, 6), k=5), "k must be a whole number from 1 to 4"),
    (lambda d: cxstats.nps(d.nps.to_numpy()), "not a ndarray"),
    (lambda d: cxstats.weighted_mean(d, "csat", by="csat"), "by='csat' includes the answer column 'csat'"),
    (lambda d: cxstats.weighted_proportion(d, "likes", method="beta"), "method='beta' is not valid"),
    (lambda d: cxstats.compare_domains(d, "csat", by="region", measure="median"), "measure='median' is not valid"),
])
def test_bad_input_names_column_and_values(sample, call, message):
    """Missing columns, bad weights, bad answers and bad options raise errors naming the column, rows or values."""
    with pytest.raises(ValueError, match=message):
        call(sample)


def test_spread_far_from_zero_is_kept():
    """Answers near 1.7e12 with a spread of 1 keep their standard error (sums are taken about an answer, not 0):
    the unweighted closed form s / sqrt(n)."""
    y = 1.7e12 + np.random.default_rng(5).normal(0, 1, 10000)
    out = cxstats.weighted_mean(pd.Series(y, name="y"))
    assert_allclose(out.se[0], np.std(y, ddof=1) / np.sqrt(len(y)), rtol=1e-6)


def test_one_respondent_group_has_no_design_effect():
    """A group of one respondent has no variance under simple random sampling: deff and n_effective are missing
    (not 0 and infinity)."""
    df = pd.DataFrame({"y": [-0.535669373161111, 0.36159505490948474, 1.3040000451301372],
                       "w": [1.0722652655298768, 1.4999728236586185, 1.7440974792826482], "g": ["a", "b", "c"]})
    out = cxstats.weighted_mean(df, "y", by="g", weight="w")
    assert out.deff.isna().all() and out.n_effective.isna().all()


@pytest.mark.parametrize("call, message", [
    (lambda d: cxstats.weighted_mean(d.rename(columns={"segment": "estimate"}), "csat", by="estimate"),
     r"group column\(s\) \['estimate'\] have the name of a result column"),
    (lambda d: cxstats.crosstab(d.rename(columns={"region": "base"}), "base", "segment"),
     r"group column\(s\) \['base'\] have the name of a result column"),
    (lambda d: cxstats.weighted_mean(d, "csat", by=["region", "region"]), r"names a column twice"),
    (lambda d: cxstats.nps(d.assign(b=d.nps > 5), "b"), r"column 'b' has answers \[False, True\] that are not on"),
])
def test_names_and_answers_that_would_mislead(sample, call, message):
    """A group named like a result column, a group listed twice and True/False as NPS answers are refused."""
    with pytest.raises(ValueError, match=message):
        call(sample)


def test_an_nps_interval_past_the_scale_and_a_group_without_spread_are_noted():
    """Group a: four promoters, NPS 100 with SE 0 (every answer scores +100; closed form: no spread) and an interval
    of no width, which says nothing of sampling error: noted. Group b: NPS 50 from 8 answers, SE^2 = n/(n-1) sum
    z^2 over all n = 12 respondents (the full design, as svyby) with z = (score - 50)/8 in b and 0 elsewhere, and
    the t interval on 7 df passes 100: noted, bounds kept as computed."""
    df = pd.DataFrame({"ltr": [10, 10, 9, 10, 0, 10, 9, 10, 10, 10, 5, 9], "g": ["a"] * 4 + ["b"] * 8})
    result = cxstats.nps(df, "ltr", by="g").set_index("g")
    assert result.loc["a", "estimate"] == 100 and result.loc["a", "se"] == 0
    assert result.loc["a", "note"].startswith("every answer scores the same")
    scores = np.array([-100, 100, 100, 100, 100, 100, -100, 100])
    z = (scores - 50.0) / 8
    se = np.sqrt(12 / 11 * (z**2).sum())
    assert_allclose(result.loc["b", ["estimate", "se"]].to_numpy(float), [50.0, se], rtol=1e-12)
    assert_allclose(result.loc["b", "ci_high"], 50 + stats.t.ppf(0.975, 7) * se, rtol=1e-12)
    assert result.loc["b", "ci_high"] > 100
    assert result.loc["b", "note"].startswith("the interval passes the end of the scale (-100 to 100 points)")
    assert cxstats.nps(pd.Series([10, 9, 8, 7, 3, 0, 10, 6] * 5, name="ltr"))["note"].iloc[0] == ""


def test_a_share_at_0_or_1_and_intervals_past_the_ends_are_noted_as_what_they_are():
    """A share of 1 (group a) has no linearization variance: its interval is Clopper-Pearson on Kish's base
    (closed form: with 4 equal weights, the lower bound is (alpha/2)^(1/4)), which does show sampling error, and the
    note says so; a Wald share interval (group b: 0.25 -/+ t(0.975, 3) SE) and a mean on a 1-5 scale passing the
    scale's ends are noted, bounds kept as computed; a logit interval never passes them: no note."""
    df = pd.DataFrame({"r": [5, 5, 4, 5, 5, 3, 1, 2], "g": ["a"] * 4 + ["b"] * 4, "yes": [1, 1, 1, 1, 0, 1, 0, 0]})
    share = cxstats.weighted_proportion(df, "yes", by="g").set_index("g")
    assert_allclose(share.loc["a", "ci_low"], 0.025 ** (1 / 4), rtol=1e-12)
    assert share.loc["a", "note"] == ("a share of 1: no spread for the linearization variance (standard error 0); "
                                      "the interval is Clopper-Pearson on Kish's effective base (n_kish)")
    assert share.loc["b", "note"] == ""
    wald = cxstats.weighted_proportion(df, "yes", by="g", method="wald").set_index("g")
    assert_allclose(wald.loc["b", "ci_low"], 0.25 - stats.t.ppf(0.975, 3) * wald.loc["b", "se"], rtol=1e-12)
    assert wald.loc["b", "ci_low"] < 0 and wald.loc["b", "note"].startswith(
        "the interval passes the end of the scale (0 to 1 as a share)")
    mean = cxstats.weighted_mean(df, "r", by="g", scale=range(1, 6)).set_index("g")
    assert mean.loc["a", "ci_high"] > 5 and mean.loc["a", "note"].startswith(
        "the interval passes the end of the scale (1 to 5)")
    assert (cxstats.weighted_mean(df, "r", by="g")["note"] == "").all()  # no scale given: no ends to pass


def test_differences_of_large_close_means_keep_their_digits():
    """Spend near 1e12 with a spread of 1: each group's mean is ~1e12, their differences ~0.03. Taking each
    difference as (shift difference) + (offset difference) keeps its digits; subtracting the rounded means lost
    0.3% (compare_domains) and 1.2% (profile). Reference: the weighted means in exact rational arithmetic."""
    from fractions import Fraction

    rng = np.random.default_rng(3)
    df = pd.DataFrame({"big": 1e12 + rng.normal(0, 1, 3000), "g": rng.choice(["a", "b", "c"], 3000),
                       "w": rng.uniform(0.5, 2, 3000)})

    def exact_mean(rows):
        return (sum(Fraction(w) * Fraction(y) for w, y in zip(rows.w, rows.big, strict=True))
                / sum(Fraction(w) for w in rows.w))

    mean = {g: exact_mean(df[df.g == g]) for g in "abc"}
    pairs = cxstats.compare_domains(df, "big", by="g", weight="w")
    assert_allclose(pairs["diff"], [float(mean[a] - mean[b]) for a, b in zip(pairs.group1, pairs.group2,
                                                                             strict=True)], rtol=1e-6)
    table = cxstats.profile(df, "g", columns=["big"], weight="w")
    assert_allclose(table["diff"], [float(mean[g] - exact_mean(df[df.g != g])) for g in table.g], rtol=1e-6)
