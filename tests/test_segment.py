"""Segmentation models: planted truth, engine agreement, criteria formulas, profiles, errors, scikit-learn's rules."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from scipy import stats
from sklearn.exceptions import NotFittedError
from sklearn.metrics import adjusted_rand_score
from sklearn.utils.estimator_checks import parametrize_with_checks

import cxstats
from cxstats import KMeansSegments, LatentClassSegments, MixtureSegments

from .conftest import ROOT
from .reference import r_lca_values as R


def _published(name):
    """A published pattern table from data/raw/lca: the answers, one row per pattern, and its count."""
    table = pd.read_csv(ROOT / "data" / "raw" / "lca" / f"{name}.csv")
    return table.drop(columns="count"), table["count"].to_numpy()


# Log-likelihoods published for these tables in poLCA's documentation (Linzer and Lewis 2011), which replicates
# Agresti (2002) Tables 13.2-13.3 (carcinoma) and Goodman (2002) Tables 5b-5c (values), to the digits printed there.
PUBLISHED_LOGLIK = [("carcinoma", 2, -317.2568), ("carcinoma", 3, -293.705), ("values", 1, -543.6498),
                    ("values", 2, -504.4677)]


@pytest.mark.parametrize("name, k, loglik", PUBLISHED_LOGLIK)
def test_latent_classes_reproduce_published_log_likelihoods(name, k, loglik):
    """Agresti's carcinoma ratings and Stouffer and Toby's values items: every published digit is reproduced."""
    answers, count = _published(name)
    model = LatentClassSegments(n_segments=k, n_init=10).fit(answers, sample_weight=count)
    decimals = len(str(loglik).split(".")[1])
    assert round(model.loglik_, decimals) == loglik


# The three-class model of the carcinoma ratings as printed in the poLCA manual (Linzer and Lewis, version 1.4,
# section 6.1): class shares, and each class's probability that pathologists A to G rate a slide positive.
PUBLISHED_SHARES = [0.3736, 0.1817, 0.4447]
PUBLISHED_POSITIVE = [[0.0573, 0.1379, 0.0000, 0.0000, 0.0551, 0.0000, 0.0000],
                      [0.5128, 1.0000, 0.0000, 0.0576, 0.7506, 0.0000, 0.6307],
                      [1.0000, 0.9809, 0.8575, 0.5862, 1.0000, 0.4764, 1.0000]]


def test_three_classes_reproduce_the_published_table():
    """Shares and item probabilities agree with the printed table to its 4 decimals (half a unit of the last
    digit)."""
    answers, count = _published("carcinoma")
    model = LatentClassSegments(n_segments=3, n_init=10).fit(answers, sample_weight=count)
    items = model.item_probabilities_
    positive = items[items.answer == "yes"].pivot(index="segment", columns="column", values="probability")
    order = [int(np.argmin(np.abs(model.weights_ - share))) for share in PUBLISHED_SHARES]  # match by share
    assert sorted(order) == [0, 1, 2]
    assert np.abs(model.weights_[order] - PUBLISHED_SHARES).max() <= 5e-5
    assert np.abs(positive.loc[order, list("ABCDEFG")].to_numpy() - PUBLISHED_POSITIVE).max() <= 5e-5


@pytest.mark.parametrize("name, k", [("carcinoma", 2), ("carcinoma", 3), ("values", 2)])
def test_latent_classes_equal_r_polca(name, k):
    """Class shares and item probabilities equal R's poLCA (tests/reference/make_lca_reference.R). The tolerance,
    1e-4, is EM's: both stop on a change in log-likelihood, where the parameters still move slowly."""
    answers, count = _published(name)
    model = LatentClassSegments(n_segments=k, n_init=10).fit(answers, sample_weight=count)
    tag = f"{name.upper()}_{k}"
    assert_allclose(model.loglik_, getattr(R, tag + "_LOGLIK"), atol=1e-6)
    order = np.argsort(model.weights_)
    assert_allclose(model.weights_[order], getattr(R, tag + "_SHARES"), atol=1e-4)
    items = model.item_probabilities_
    second = items.groupby("column", sort=False).answer.max()  # "yes" / "universalistic": poLCA's category 2
    second_answer = items.answer == items.column.map(second)
    table = items[second_answer].pivot(index="segment", columns="column", values="probability")[answers.columns]
    assert_allclose(table.loc[order].to_numpy(), getattr(R, tag + "_ITEM"), atol=1e-4)


def test_pattern_counts_give_the_same_model_as_respondent_rows():
    """Counts are sufficient: 20 carcinoma patterns weighted by their counts fit as the 118 slides, row by row."""
    answers, count = _published("carcinoma")
    rows = answers.loc[answers.index.repeat(count)].reset_index(drop=True)
    by_row = LatentClassSegments(n_segments=3, n_init=10).fit(rows)
    by_pattern = LatentClassSegments(n_segments=3, n_init=10).fit(answers, sample_weight=count)
    assert_allclose(by_row.loglik_, by_pattern.loglik_, rtol=1e-9)
    assert_allclose(np.sort(by_row.weights_), np.sort(by_pattern.weights_), atol=1e-5)


def test_criteria_from_pattern_counts_equal_rows_and_published():
    """select_segments on 20 weighted patterns gives the criteria of the 118 rows; AIC and BIC equal those published
    in the poLCA manual (Linzer and Lewis, version 1.4, section 6.1): 664.5 and 706.1 (2 classes), 633.41 and
    697.1357 (3 classes)."""
    answers, count = _published("carcinoma")
    rows = answers.loc[answers.index.repeat(count)].reset_index(drop=True)
    model = LatentClassSegments(n_init=10)
    by_pattern = cxstats.select_segments(model, answers, k=[2, 3], n_bootstrap=0, sample_weight=count)
    by_row = cxstats.select_segments(model, rows, k=[2, 3], n_bootstrap=0)
    columns = ["loglik", "aic", "bic", "sabic", "entropy", "smallest_share"]
    assert_allclose(by_pattern[columns], by_row[columns], rtol=1e-6)
    assert by_pattern.aic.round(1).tolist()[0] == 664.5 and by_pattern.bic.round(1).tolist()[0] == 706.1
    assert round(by_pattern.aic[1], 2) == 633.41 and round(by_pattern.bic[1], 4) == 697.1357


def _planted(seed, n=2000):
    df = cxstats.simulate_respondents("accenture_2016", n=n, seed=seed)
    return df, list(df.attrs["item_probabilities"].index)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_latent_classes_recover_planted_segments(seed):
    """On 2,000 synthetic respondents (3 planted segments, 10 items) the ARI is at least 0.9, in 3 of 3 seeds."""
    df, items = _planted(seed)
    model = LatentClassSegments(n_segments=3, n_init=3, random_state=seed).fit(df[items])
    assert adjusted_rand_score(df.segment_true, model.labels_) >= 0.9
    assert_allclose(sorted(model.weights_), sorted(cxstats.simulate.SEGMENT_SHARES), atol=0.04)


def test_select_segments_finds_planted_k_in_most_seeds():
    """select_segments suggests k = 3 (lowest BIC) in at least 2 of 3 seeds; it did in 3 of 3 when written."""
    hits = 0
    for seed in (0, 1, 2):
        df, items = _planted(seed, n=2000)
        table = cxstats.select_segments(LatentClassSegments(n_init=2, random_state=seed), df[items], k=[2, 3, 4],
                                        n_bootstrap=0)
        hits += int(table.loc[table.suggested, "k"].iloc[0] == 3)
    assert hits >= 2, f"planted k found in {hits} of 3 seeds"


def test_criteria_match_stepmix_and_closed_forms():
    """AIC, BIC and SABIC follow -2LL + penalty, and AIC/BIC equal StepMix's own; entropy lies in [0, 1]."""
    df, items = _planted(5, n=800)
    table = cxstats.select_segments(LatentClassSegments(n_init=2), df[items], k=[3], n_bootstrap=0)
    row = table.iloc[0]
    model = LatentClassSegments(n_segments=3, n_init=2).fit(df[items])
    p, n = model.n_parameters_, len(df)
    assert p == 3 * len(items) + 2  # one probability per binary item and class, plus two free class shares
    assert_allclose(row.loglik, model.loglik_)
    ll = row.loglik
    assert_allclose([row.aic, row.bic, row.sabic],
                    [-2 * ll + 2 * p, -2 * ll + p * np.log(n), -2 * ll + p * np.log((n + 2) / 24)])
    coded = model.encode(df[items])
    assert_allclose([row.aic, row.bic], [model.model_.aic(coded), model.model_.bic(coded)], rtol=1e-9)
    assert 0 <= row.entropy <= 1


def test_random_starts_are_reported_and_best_kept():
    """start_scores_ holds every start's log-likelihood and the kept fit is the best of them."""
    df, items = _planted(7, n=600)
    model = LatentClassSegments(n_segments=3, n_init=4).fit(df[items])
    assert len(model.start_scores_) == 4
    assert_allclose(model.loglik_, model.start_scores_.max(), rtol=1e-8)  # final score vs the engine's last bound


def test_missing_answers_use_full_information():
    """With 10% of answers missing no respondent is dropped and the planted segments are still found."""
    df, items = _planted(3)
    holed = df[items].astype(float).mask(np.random.default_rng(0).random((len(df), len(items))) < 0.1)
    model = LatentClassSegments(n_segments=3, n_init=3).fit(holed)
    assert len(model.labels_) == len(df)
    assert adjusted_rand_score(df.segment_true, model.labels_) >= 0.85


def test_weights_of_two_double_the_log_likelihood():
    """Doubling every weight leaves the solution unchanged and doubles the (pseudo) log-likelihood."""
    df, items = _planted(4, n=600)
    plain = LatentClassSegments(n_segments=3, n_init=2).fit(df[items])
    doubled = LatentClassSegments(n_segments=3, n_init=2).fit(df[items], sample_weight=np.full(len(df), 2.0))
    assert adjusted_rand_score(plain.labels_, doubled.labels_) == 1.0
    assert_allclose(doubled.loglik_, 2 * plain.loglik_, rtol=1e-6)


def test_kmeans_recovers_separated_groups_and_reports_inertia():
    """Three well-separated groups are found exactly; inertia is the within-segment sum of squares (standardized)."""
    rng = np.random.default_rng(1)
    centres = np.array([[1, 1], [5, 1], [3, 5]])
    truth = np.repeat([0, 1, 2], 100)
    X = pd.DataFrame(centres[truth] + rng.normal(0, 0.3, (300, 2)), columns=["speed", "empathy"])
    model = KMeansSegments(n_segments=3).fit(X)
    assert adjusted_rand_score(truth, model.labels_) == 1.0
    Z = (X - X.mean()) / X.std(ddof=0)
    inertia = sum(((Z[model.labels_ == k] - Z[model.labels_ == k].mean()) ** 2).to_numpy().sum() for k in range(3))
    assert_allclose(model.inertia_, inertia, rtol=1e-9)
    assert_allclose(model.centers_.sort_values("speed").to_numpy(), centres[np.argsort(centres[:, 0])], atol=0.1)
    assert len(model.start_scores_) == 10


def test_mixture_recovers_groups_and_counts_parameters():
    """A two-group Gaussian mixture is recovered; diagonal covariances have k*d*2 + k - 1 parameters."""
    rng = np.random.default_rng(2)
    truth = np.repeat([0, 1], 150)
    X = pd.DataFrame(np.array([[0, 0, 0], [4, 4, 4]])[truth] + rng.normal(0, 1, (300, 3)), columns=list("abc"))
    model = MixtureSegments(n_segments=2).fit(X)
    assert adjusted_rand_score(truth, model.labels_) >= 0.95
    assert model.n_parameters_ == 2 * 3 * 2 + 1
    assert_allclose(model.predict_proba(X).sum(axis=1), 1)


def test_profile_matches_svyttest():
    """Each segment against the rest equals R's svyttest(y ~ I(segment == s), design): difference and its SE."""
    from .conftest import ROOT
    from .reference import r_survey_values as R

    sample = pd.read_csv(ROOT / "tests" / "reference" / "survey_sample.csv")
    table = cxstats.profile(sample, "segment", columns=["csat", "likes"], weight="w")
    for column in ("csat", "likes"):
        part = table[table.column == column]
        assert part.segment.tolist() == ["A", "B", "C"]
        assert_allclose(part["diff"], getattr(R, f"PROFILE_{column.upper()}_DIFF"), rtol=1e-6)
        assert_allclose(part["se"], getattr(R, f"PROFILE_{column.upper()}_SE"), rtol=1e-6)
        # t on degf of the design (rows as PSUs, one stratum: n - 1); svyttest's own df is one fewer
        assert (part["df"] == len(sample) - 1).all()
        assert_allclose(part["p_value"], 2 * stats.t.sf(np.abs(part["diff"] / part["se"]), len(sample) - 1),
                        rtol=1e-10)
    assert table.loc[table.column == "likes", "measure"].eq("proportion").all()
    assert table.loc[table.column == "csat", "measure"].eq("mean").all()


def test_profile_means_shares_and_adjustment():
    """Segment means equal group means, sizes the label counts, and p_adjusted is Holm over every test."""
    df, items = _planted(6, n=1000)
    table = cxstats.profile(df, "segment_true", columns=items[:2] + ["recommend_0_10"])
    labels = df.segment_true.to_numpy()
    row = table[(table.segment_true == 1) & (table.column == items[0])].iloc[0]
    inside, rest = df.loc[labels == 1, items[0]], df.loc[labels != 1, items[0]]
    assert_allclose([row.in_segment, row.in_rest], [inside.mean(), rest.mean()])
    # unweighted: the linearization SE of a difference of domain means, closed form
    se = np.sqrt(inside.var(ddof=1) * (len(inside) - 1) / len(inside) ** 2 * len(labels) / (len(labels) - 1)
                 + rest.var(ddof=1) * (len(rest) - 1) / len(rest) ** 2 * len(labels) / (len(labels) - 1))
    assert_allclose(row.se, se, rtol=1e-9)
    assert_allclose(table.p_adjusted, cxstats.adjust_pvalues(table.p_value)["p_adjusted"])
    sizes = table.drop_duplicates("segment_true")
    assert_allclose(sizes.share, np.bincount(labels)[1:] / len(labels))
    assert sizes.n.tolist() == np.bincount(labels)[1:].tolist()


def test_describe_segments_names_the_largest_significant_differences():
    """Each description leads with the answer that differs most (in plain words), a planted top difference."""
    df, items = _planted(6, n=1000)
    table = cxstats.profile(df, "segment_true", columns=items)
    words = cxstats.load("accenture_2016").set_index("figure").statement.to_dict()
    text = cxstats.describe_segments(table, labels=words, top=1).set_index("segment_true").description
    theta = df.attrs["item_probabilities"]
    shares = pd.Series(cxstats.simulate.SEGMENT_SHARES, index=[1, 2, 3])
    for segment in (1, 2, 3):
        part = table[table.segment_true == segment]
        named = part.loc[part["diff"].abs().idxmax(), "column"]
        assert text[segment].split(". ", 1)[1].startswith(words[named])
        others = shares.drop(segment)
        planted = (theta[segment] - theta[others.index] @ (others / others.sum())).abs()
        assert planted[named] >= planted.max() - 0.05


@pytest.mark.parametrize("call, message", [
    (lambda X: KMeansSegments().fit(X.assign(const=1)), r"column\(s\) \['const'\] have a single answer"),
    (lambda X: LatentClassSegments().fit(X.astype(float).assign(a=np.nan, b=np.nan).iloc[:, -2:]
                                         .pipe(lambda d: d.assign(c=[1.0] + [np.nan] * (len(d) - 1)))),
     "single answer"),
    (lambda X: LatentClassSegments().fit(
        pd.concat([X.astype(float), pd.DataFrame(np.nan, index=[999], columns=X.columns)])),
     r"1 respondent\(s\) answered nothing"),
    (lambda X: LatentClassSegments(n_segments=50).fit(X.iloc[:30]), "distinct answer patterns"),
    (lambda X: KMeansSegments().fit(X.assign(region=np.where(X.index % 2, "north", "south"))),
     r"needs numeric answers; column\(s\) \['region'\]"),
    (lambda X: MixtureSegments().fit(X, sample_weight=np.ones(len(X))), "cannot use respondent weights"),
    (lambda X: KMeansSegments().predict(X), "not fitted yet"),
    (lambda X: LatentClassSegments().fit(X, sample_weight=np.where(X.index == 4, -1.0, 1.0)),
     r"weight column 'sample_weight' has 1 negative value\(s\), e.g. rows \[4\]"),
    (lambda X: LatentClassSegments().fit(X, sample_weight=np.where(X.index == 7, np.nan, 1.0)),
     r"'sample_weight' has 1 missing or non-finite value\(s\), e.g. rows \[7\]"),
    (lambda X: KMeansSegments().fit(X, sample_weight=np.ones(3)), r"one weight per respondent \(\d+\)"),
    (lambda X: cxstats.select_segments(LatentClassSegments(), X, k=[2], sample_weight=np.zeros(len(X))),
     "sums to zero"),
    (lambda X: KMeansSegments().fit(X.astype(float).mask(np.arange(X.size).reshape(X.shape) == 0)),
     "needs complete rows"),
])
def test_bad_input_is_named(call, message):
    """Constant columns, empty rows, too many segments, non-numeric k-means input, weights and misuse are named."""
    df, items = _planted(0, n=200)
    with pytest.raises(ValueError, match=message):
        call(df[items[:4]])


def test_predict_needs_the_fitted_columns():
    """Predicting on other columns than the model was fitted on is a named error, for both model kinds."""
    df, items = _planted(1, n=300)
    for model in (KMeansSegments(n_segments=2, n_init=1), LatentClassSegments(n_segments=2, n_init=1)):
        model.fit(df[items[:4]])
        with pytest.raises(ValueError, match="the model was fitted on"):
            model.predict(df[items[1:5]])


# Checks of scikit-learn's check_estimator that cannot pass, with the reason. Every other check passes; an expected
# failure that starts passing fails the test (strict), so the list stays true.
RANDOM_STARTS = ("random starts: the weighted data and the repeated rows draw different starts, so they can reach "
                 "different local optima or number the same segments differently (scikit-learn lists the same "
                 "expected failure for its KMeans)")
NO_MIXTURE_WEIGHTS = ("GaussianMixture has no respondent weights: fit raises a named ValueError for any "
                      "sample_weight instead of ignoring them")
CONTINUOUS = "feeds continuous floats: as categorical answers every value is its own category, so"
EXPECTED_FAILED_CHECKS = {
    "KMeansSegments": {"check_sample_weight_equivalence_on_dense_data": RANDOM_STARTS},
    "MixtureSegments": {check: NO_MIXTURE_WEIGHTS for check in [
        "check_sample_weights_pandas_series", "check_sample_weights_not_an_array", "check_sample_weights_list",
        "check_sample_weights_shape", "check_sample_weights_not_overwritten", "check_all_zero_sample_weights_error",
        "check_sample_weight_equivalence_on_dense_data"]},
    "LatentClassSegments": {
        "check_clustering": f"{CONTINUOUS} there are no shared answers from which to find the blobs",
        "check_sample_weight_equivalence_on_dense_data": (
            f"{CONTINUOUS} predicting on the rows of weight 0, left out of the repeated data, meets answers the "
            "repeated fit never saw (a named ValueError)"),
        "check_pipeline_consistency": ("its data, rounded to categories, have 2 distinct answer patterns: fit refuses "
                                       "n_segments=3 from 2 patterns (a named ValueError, by design)"),
    },
}


@parametrize_with_checks([KMeansSegments(), MixtureSegments(), LatentClassSegments(n_init=2)],
                         expected_failed_checks=lambda model: EXPECTED_FAILED_CHECKS[type(model).__name__],
                         xfail_strict=True)
def test_models_follow_scikit_learn_conventions(estimator, check):
    """scikit-learn's check_estimator passes for each model, but for the checks listed (with the reason) above."""
    check(estimator)


def test_parameters_are_keyword_only():
    """Models and select_segments take their settings by name only: a positional setting is a TypeError."""
    with pytest.raises(TypeError):
        KMeansSegments(3)
    with pytest.raises(TypeError):
        cxstats.select_segments(KMeansSegments(), np.eye(3), [2])


def test_fitted_models_keep_no_private_state():
    """After fit a model holds its parameters and public learned attributes (ending in _) only: no data copies."""
    df, items = _planted(2, n=300)
    for model in (KMeansSegments(n_init=2), MixtureSegments(n_init=2), LatentClassSegments(n_segments=2, n_init=2)):
        params = set(model.get_params())
        learned = set(vars(model.fit(df[items[:4]]))) - params
        assert learned and all(name.endswith("_") and not name.startswith("_") for name in learned), learned
        assert list(model.feature_names_in_) == items[:4] and model.n_features_in_ == 4


def test_select_segments_leaves_the_model_unfitted_and_is_reproducible():
    """select_segments fits clones: the model passed in stays unfitted; the same seed gives the same table."""
    rng = np.random.default_rng(3)
    X = pd.DataFrame(np.repeat([[0, 0], [4, 0], [0, 4]], 50, axis=0) + rng.normal(0, 1, (150, 2)), columns=["a", "b"])
    model = KMeansSegments(n_init=2)
    first = cxstats.select_segments(model, X, k=[2, 3], n_bootstrap=2, seed=5)
    with pytest.raises(NotFittedError):
        model.predict(X)
    assert vars(model) == vars(KMeansSegments(n_init=2))
    pd.testing.assert_frame_equal(first, cxstats.select_segments(model, X, k=[2, 3], n_bootstrap=2, seed=5))
    assert first.loc[first.suggested, "k"].tolist() == [3]


def test_kmeans_weights_count_as_repeated_rows():
    """A weight of 2 is two respondents: standardization, centres and inertia equal those of the duplicated rows."""
    rng = np.random.default_rng(4)
    X = pd.DataFrame(np.repeat([[1, 1], [5, 1], [3, 6]], 40, axis=0) + rng.normal(0, 0.4, (120, 2)),
                     columns=["speed", "empathy"])
    weight = rng.integers(1, 4, len(X))
    weighted = KMeansSegments(n_segments=3).fit(X, sample_weight=weight)
    repeated = KMeansSegments(n_segments=3).fit(X.loc[X.index.repeat(weight)])
    assert_allclose(weighted.mean_, repeated.mean_, rtol=1e-12)
    assert_allclose(weighted.scale_, repeated.scale_, rtol=1e-12)
    assert_allclose(weighted.inertia_, repeated.inertia_, rtol=1e-9)
    assert_allclose(weighted.centers_.sort_values("speed").to_numpy(),
                    repeated.centers_.sort_values("speed").to_numpy(), rtol=1e-9)


# --- convergence reported, and the work of select_segments bounded ---------------------------------------------------

def test_convergence_is_reported_per_start():
    """Every start's iterations and convergence are kept; the published three-class model converges in every start
    (an identified model), well within max_iter."""
    answers, count = _published("carcinoma")
    model = LatentClassSegments(n_segments=3, n_init=10).fit(answers, sample_weight=count)
    assert model.start_converged_.shape == model.start_iterations_.shape == (10,)
    assert model.start_converged_.all() and model.converged_
    assert (model.start_iterations_ < model.max_iter).all()
    assert model.n_iter_ == model.start_iterations_[np.argmax(model.start_scores_)]


def test_a_best_start_that_did_not_converge_warns():
    """Four classes on data with three planted segments: a segment splits along a nearly flat likelihood and EM is
    still moving after 50 iterations; fit warns naming n_segments and the iteration limit, and converged_ is False."""
    from sklearn.exceptions import ConvergenceWarning

    df, items = _planted(0, n=1000)
    with pytest.warns(ConvergenceWarning, match=r"LatentClassSegments\(n_segments=4\): the best of 2 start\(s\) did "
                                                r"not converge in max_iter=50 EM iterations"):
        model = LatentClassSegments(n_segments=4, n_init=2, max_iter=50).fit(df[items])
    assert not model.converged_ and model.n_iter_ == 50


def test_four_carcinoma_classes_reach_the_polca_manual_value():
    """poLCA's manual fits four classes with maxiter = 5000 and prints -289.2858. At the default tol EM stops 4e-6
    below the maximum (-289.28585, which rounds the other way); a tighter tol reaches the printed value."""
    answers, count = _published("carcinoma")
    loose = LatentClassSegments(n_segments=4, n_init=10).fit(answers, sample_weight=count)
    tight = LatentClassSegments(n_segments=4, n_init=10, tol=1e-12, max_iter=5000).fit(answers, sample_weight=count)
    assert tight.converged_ and round(tight.loglik_, 4) == -289.2858
    assert 0 < tight.loglik_ - loose.loglik_ < 1e-5


def test_tol_out_of_range_is_named():
    """tol is a relative change of the log-likelihood: a number above 0 and below 1 (StepMix's rel_tol stops on a
    change strictly below it, so 0 would never stop)."""
    df, items = _planted(0, n=200)
    for tol in (-1e-10, 0, 0.0, 1.0, "1e-10", True):
        with pytest.raises(ValueError, match="tol must be a number above 0 and below 1"):
            LatentClassSegments(tol=tol).fit(df[items])


def test_fit_on_answer_patterns_equals_stepmix_on_respondents():
    """EM on the distinct answer patterns with their counts is EM on the rows: StepMix's own fit on all respondents,
    run to the same tolerance, reaches the same log-likelihood and shares (the same local optimum)."""
    from stepmix.stepmix import StepMix

    df, items = _planted(8, n=1500)
    model = LatentClassSegments(n_segments=3, n_init=3, tol=1e-12).fit(df[items])
    coded = model.encode(df[items])
    direct = StepMix(n_components=3, measurement="categorical", n_init=3, abs_tol=1e-14, max_iter=5000,
                     random_state=0, verbose=0, progress_bar=0).fit(coded)
    assert_allclose(model.loglik_, direct.score(coded) * len(coded), rtol=1e-9)
    assert_allclose(np.sort(model.weights_), np.sort(direct.weights_), atol=1e-5)
    assert_allclose(model.loglik_, model.model_.score(coded) * len(coded), rtol=1e-12)


def test_select_segments_reports_convergence_in_one_warning():
    """k = 4 on three planted segments does not converge within a small max_iter: the table says so in 'converged'
    and a single warning names the k and the bootstrap refits concerned."""
    from sklearn.exceptions import ConvergenceWarning

    df, items = _planted(1, n=600)
    with pytest.warns(ConvergenceWarning) as caught:
        table = cxstats.select_segments(LatentClassSegments(n_init=2, max_iter=40), df[items], k=[3, 4],
                                        n_bootstrap=2)
    messages = [str(w.message) for w in caught if issubclass(w.category, ConvergenceWarning)]
    assert len(messages) == 1 and "k = 4: the fit" in messages[0] and "k = 3" not in messages[0]
    assert table.converged.tolist() == [True, False]


def test_select_segments_counts_the_refits_that_converged():
    """'refits_converged' counts the bootstrap refits that converged: with max_iter=3 no refit of EM to a relative
    change of 1e-10 can stop in time (0 of n_bootstrap), with the default budget every k = 2 refit on three planted
    segments converges (n_bootstrap of n_bootstrap), and the warning names the same number of unconverged refits."""
    import re

    from sklearn.exceptions import ConvergenceWarning

    df, items = _planted(1, n=600)
    with pytest.warns(ConvergenceWarning) as caught:
        starved = cxstats.select_segments(LatentClassSegments(n_init=2, max_iter=3), df[items], k=[2, 3],
                                          n_bootstrap=3)
    assert starved.refits_converged.tolist() == [0, 0]
    message = next(str(w.message) for w in caught if issubclass(w.category, ConvergenceWarning))
    assert [int(m) for m in re.findall(r"(\d+) of 3 bootstrap refits", message)] == [3, 3]
    table = cxstats.select_segments(LatentClassSegments(n_init=2), df[items], k=[2], n_bootstrap=3)
    assert table.refits_converged.tolist() == [3] and table.converged.all()
    assert cxstats.select_segments(LatentClassSegments(n_init=2), df[items], k=[2],
                                   n_bootstrap=0).refits_converged.tolist() == [0]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # k = 8: starts that did not converge
@pytest.mark.parametrize("k, missing", [(3, False), (8, False), (3, True)])
def test_every_start_is_stepmix_on_the_answer_patterns(k, missing):
    """Each start is StepMix's fit of the distinct answer patterns with their counts as sample_weight: StepMix called
    directly on the answer codes (measurement "categorical", or "categorical_nan" with missing answers), one start per
    seed, rel_tol = tol, gives every start's iterations, convergence and log-likelihood, and the kept start's shares and
    answer probabilities, class for class."""
    from stepmix.stepmix import StepMix

    from cxstats.segment import _compress

    df, items = _planted(3, n=2000)
    X = df[items].astype(float)
    if missing:
        X = X.mask(np.random.default_rng(1).random(X.shape) < 0.1)
    model = LatentClassSegments(n_segments=k, n_init=3, max_iter=300, tol=1e-7, random_state=5).fit(X)
    patterns, counts = _compress(model.encode(X), None)
    direct = [StepMix(k, measurement="categorical_nan" if missing else "categorical", n_init=1,
                      random_state=int(seed), rel_tol=1e-7, abs_tol=0, max_iter=300, verbose=0, progress_bar=0)
              .fit(patterns, sample_weight=counts) for seed in LatentClassSegments(n_init=3, random_state=5)._seeds()]
    assert model.start_iterations_.tolist() == [d.n_iter_ for d in direct]
    assert model.start_converged_.tolist() == [d.converged_ for d in direct]
    assert_allclose(model.start_scores_, [d.lower_bound_ * counts.sum() for d in direct], rtol=1e-12)
    kept = direct[int(np.argmax(model.start_scores_))]
    assert_allclose(model.loglik_, kept.score(patterns, sample_weight=counts) * counts.sum(), rtol=1e-12)
    assert_allclose(model.weights_, kept.weights_, atol=1e-12)
    assert_allclose(model.model_.get_parameters()["measurement"]["pis"],
                    kept.get_parameters()["measurement"]["pis"], atol=1e-12)
    assert (model.labels_ == kept.predict(model.encode(X))).all()


def test_select_segments_keeps_its_stated_budget(monkeypatch):
    """The fit of each k is the model's own (n_init starts, max_iter); each bootstrap refit runs min(3, n_init) starts
    of at most REFIT_MAX_ITER = 100 EM iterations, as select_segments' Notes state; a refit stopped there is counted
    in the one warning, with both limits named."""
    from sklearn.exceptions import ConvergenceWarning

    from cxstats import segment

    fits = []
    original = segment.LatentClassSegments.fit

    def recording_fit(self, X, y=None, sample_weight=None):
        fitted = original(self, X, y, sample_weight)
        fits.append((self.n_segments, self.n_init, self.max_iter, fitted.start_iterations_.max()))
        return fitted

    monkeypatch.setattr(segment.LatentClassSegments, "fit", recording_fit)
    df, items = _planted(1, n=600)
    with pytest.warns(ConvergenceWarning, match=r"\(max_iter=1000; 100 for a bootstrap refit\)"):
        cxstats.select_segments(LatentClassSegments(n_init=4), df[items], k=[3, 6], n_bootstrap=2)
    assert [f[:3] for f in fits] == [(3, 4, 1000), (3, 3, 100), (3, 3, 100), (6, 4, 1000), (6, 3, 100), (6, 3, 100)]
    assert max(f[3] for f in fits if f[2] == 100) <= 100
    assert max(f[3] for f in fits if f[2] == 1000) > 100  # k = 6 on 3 planted segments runs past the refits' limit
