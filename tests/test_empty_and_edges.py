"""Missing groups, empty cells, interval edges, single respondents and unbounded work (issue: no silent wrong
numbers). Each kind has the issue's example with its right value and one more input of the same kind."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import cxstats
from cxstats.proportions import CI_METHODS


@pytest.fixture
def forty():
    """The issue's example: 40 rows, yes/no answers, a segment missing on rows 1, 5 and 9."""
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"q": rng.choice(["yes", "no"], 40), "segment": rng.choice(["a", "b"], 40),
                       "w": rng.uniform(0.5, 2, 40)})
    df.loc[[1, 5, 9], "segment"] = np.nan
    return df


# ---------------------------------------------------------------- missing groups are counted, never dropped

def test_rows_with_a_missing_group_form_a_group_of_their_own(forty):
    """All 40 rows are accounted for: 3 in a missing-segment group, with the weighted share of those 3 rows."""
    out = cxstats.weighted_proportion(forty, "q", by="segment", level="yes", weight="w")
    assert out.n.sum() + out.n_missing.sum() == 40
    last = out.iloc[-1]
    assert pd.isna(last.segment) and last.n == 3
    rows = forty[forty.segment.isna()]
    assert_allclose(last.estimate, np.average(rows.q == "yes", weights=rows.w))


def test_missing_group_and_missing_answer_both_counted(forty):
    """Another input of the kind: two missing answers inside the missing-segment group are n_missing there."""
    holed = forty.copy()
    holed.loc[[1, 5], "q"] = np.nan
    out = cxstats.weighted_mean(holed.assign(y=(holed.q == "yes").astype(float).where(holed.q.notna())), "y",
                                by="segment")
    last = out.iloc[-1]
    assert pd.isna(last.segment) and last.n == 1 and last.n_missing == 2
    assert out.n.sum() + out.n_missing.sum() == 40


@pytest.mark.parametrize("level", ["Yes", "YES", "y"])
def test_a_level_not_in_the_data_is_an_error_naming_the_levels(forty, level):
    """level="Yes" for yes/no answers would be a share of 0; it is refused, listing the answers present."""
    with pytest.raises(ValueError, match=rf"level='{level}' matches no answer of column 'q'.*\['no', 'yes'\]"):
        cxstats.weighted_proportion(forty, "q", level=level)


def test_a_share_that_is_truly_zero_in_a_binary_column():
    """level=1 of an all-0 column (or True of an all-False one) is a share of 0, as without level=: the same
    estimate and interval (Clopper-Pearson on the effective base: 0 to 1 - 0.025 ** (1 / 5) = 0.5218)."""
    zeros = pd.DataFrame({"q": [0] * 5})
    for data, level in [(zeros, 1), (zeros.astype(bool), True)]:
        got = cxstats.weighted_proportion(data, "q", level=level)
        assert got.estimate[0] == 0 and got.ci_low[0] == 0
        assert_allclose(got.ci_high[0], 1 - 0.025 ** (1 / 5))


# ---------------------------------------------------------------- empty cells: reported, not tested

def test_zero_weight_banner_column_gets_no_test():
    """The issue's example: a banner column whose weights are all zero. R's svychisq gives NaN (the design
    effect matrix is singular over an empty column); cxstats gives no statistic and names the column."""
    d = pd.DataFrame({"q": ["yes", "no", "yes", "no"], "ban": ["a", "a", "b", "b"], "w": [1.0, 2.0, 0.0, 0.0]})
    res = cxstats.crosstab(d, "q", "ban", weight="w")
    assert np.isnan(res.test.statistic[0]) and np.isnan(res.test.p_value[0])
    assert "banner column 'b'" in res.test.method[0]
    empty = res.table[res.table.ban == "b"]
    assert (empty.n == 0).all() and empty.estimate.isna().all() and empty.se.isna().all()
    assert "no test" in res.to_html() and "nan" not in res.to_html()


def test_zero_weight_column_among_three_gets_no_test():
    """Another input: three banner columns, one with zero weights; letters between the other two stay tested."""
    rng = np.random.default_rng(2)
    d = pd.DataFrame({"q": rng.choice(["yes", "no", "maybe"], 90), "ban": np.repeat(["a", "b", "c"], 30),
                      "w": np.where(np.repeat(["a", "b", "c"], 30) == "c", 0.0, rng.uniform(0.5, 2, 90))})
    d.loc[:29, "q"] = "yes"  # column a says yes only: a is higher than b on yes
    res = cxstats.crosstab(d, "q", "ban", weight="w")
    assert np.isnan(res.test.p_value[0]) and "banner column 'c'" in res.test.method[0]
    yes = res.table.set_index(["q", "ban"]).loc["yes"]
    assert yes.loc["a", "higher_than"] == "B" and yes.loc["c", "higher_than"] == ""


def test_domain_with_only_zero_weights_is_reported_empty_with_a_reason():
    """The issue's example: a domain whose weights are all zero has n 0, no estimate, and a note saying why."""
    d = pd.DataFrame({"y": [1.0, 2.0, 3.0, 4.0], "g": ["a", "a", "b", "b"], "w": [1.0, 2.0, 0.0, 0.0]})
    out = cxstats.weighted_mean(d, "y", by="g", weight="w").set_index("g")
    assert out.loc["b", "n"] == 0 and np.isnan(out.loc["b", "estimate"]) and np.isnan(out.loc["b", "se"])
    assert out.loc["b", "note"] == "empty: no answers with a positive weight (2 with weight 0)"
    assert_allclose(out.loc["a", "estimate"], (1 * 1 + 2 * 2) / 3)
    assert out.loc["a", "note"] == ""


def test_domain_without_answers_and_one_respondent_domain_have_notes():
    """Another input: a group whose answers are all missing, and a group of one (whose linearized SE is 0, as
    R's svyby gives: its only residual is 0); both say so."""
    d = pd.DataFrame({"y": [1.0, 2.0, None, None, 5.0], "g": ["a", "a", "b", "b", "c"]})
    out = cxstats.weighted_mean(d, "y", by="g").set_index("g")
    assert out.loc["b", "note"] == "empty: no answers with a positive weight (2 without an answer)"
    assert out.loc["c", "se"] == 0 and out.loc["c", "note"].startswith("one respondent")
    assert np.isnan(out.loc["c", "ci_low"])  # no degrees of freedom: no interval


def test_declared_category_without_respondents_has_a_note():
    d = pd.DataFrame({"y": [1.0, 2.0, 3.0, 4.0], "g": pd.Categorical(["a", "a", "b", "b"], categories=list("abc"))})
    out = cxstats.weighted_mean(d, "y", by="g").set_index("g")
    assert out.loc["c", "n"] == 0 and out.loc["c", "note"] == "empty: no respondents in this group"


def test_compare_domains_lists_an_empty_group_without_testing_it():
    """Pairs with an empty group are listed with a reason and left out of the multiplicity adjustment: the one
    tested pair keeps its unadjusted p-value (Holm over one test)."""
    d = pd.DataFrame({"y": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0], "g": ["a", "a", "b", "b", "c", "c"],
                      "w": [1.0, 2.0, 0.0, 0.0, 1.0, 1.0]})
    out = cxstats.compare_domains(d, "y", by="g", weight="w")
    assert out[["group1", "group2"]].values.tolist() == [["a", "b"], ["a", "c"], ["b", "c"]]
    assert out.note[0] == out.note[2] == "not tested: group 'b' has no answers"
    assert out.loc[[0, 2], ["diff", "se", "p_value", "p_adjusted"]].isna().all().all()
    assert out.p_adjusted[1] == out.p_value[1] and out.note[1] == ""
    assert_allclose(out["diff"][1], 5 / 3 - 5.5)


def test_compare_domains_needs_two_answered_groups():
    d = pd.DataFrame({"y": [1.0, 2.0, None, None], "g": ["a", "a", "b", "b"]})
    with pytest.raises(ValueError, match=r"at least two groups with answers.*\['a'\] of \['a', 'b'\]"):
        cxstats.compare_domains(d, "y", by="g")


# ---------------------------------------------------------------- intervals end exactly at 0 and 1

@pytest.mark.parametrize("method", CI_METHODS)
def test_interval_bounds_are_exact_at_the_edges(method):
    """The issue's example (Wilson at 0 of 3 gave 5.55e-17, at 30 of 30 0.9999999999999999) for every method:
    the estimate is never outside its interval."""
    out = cxstats.proportion_ci([0, 30, 0, 7], [3, 30, 1, 7], method=method)
    assert (out.ci_low[[0, 2]] == 0).all() and (out.ci_high[[1, 3]] == 1).all()
    assert ((out.ci_low <= out.proportion) & (out.proportion <= out.ci_high)).all()


@pytest.mark.parametrize("deff", [1.7, 2.3])
def test_interval_edges_exact_with_a_design_effect(deff):
    """Another input: fractional effective counts (0 of 3 / deff) still end exactly at the edge."""
    out = cxstats.proportion_ci([0, 3], [3, 3], deff=deff)
    assert out.ci_low[0] == 0 and out.ci_high[1] == 1


def test_survey_share_interval_exact_at_the_edges():
    d = pd.DataFrame({"q": [1] * 12, "w": np.linspace(0.5, 2, 12)})
    for method in ("logit", "wilson", "korn_graubard", "asin", "wald"):
        out = cxstats.weighted_proportion(d, "q", weight="w", method=method)
        assert out.ci_high[0] == 1 and out.estimate[0] == 1


# ---------------------------------------------------------------- a clear error, not a traceback

@pytest.mark.parametrize("f", [cxstats.weighted_proportion, cxstats.weighted_mean, cxstats.nps])
def test_one_respondent_is_a_clear_error(f):
    one = pd.DataFrame({"y": [9]})
    with pytest.raises(ValueError, match="single PSU.*at least two"):
        f(one, "y")


@pytest.mark.parametrize("table, message", [
    ([[1, 2, 3], [4, 5]], "row 0 has 3, row 1 has 2"),
    ([[1, 2], [3, 4], [5]], "row 0 has 2, row 2 has 1"),
    (5, "got 0 dimension"),
    ([[[1, 2], [3, 4]]], "got 3 dimension"),
])
def test_chi2_independence_names_a_ragged_or_flat_table(table, message):
    with pytest.raises(ValueError, match=message):
        cxstats.chi2_independence(table)


# ---------------------------------------------------------------- unbounded work is refused up front

def test_fisher_refused_above_ten_million():
    with pytest.raises(ValueError, match=r"nobs1 element 0 is 20,000,000.*method='z'"):
        cxstats.compare_proportions(5_000_000, 20_000_000, 5_100, 20_000, method="fisher")
    with pytest.raises(ValueError, match=r"nobs2 element 1 is 10,000,001"):
        cxstats.compare_proportions([1, 2], [10, 10], [1, 2], [10, 10_000_001], method="fisher")


def test_fisher_refused_when_the_tables_together_are_too_many():
    """200 tables of bases 1e6 are each within the limit, but together they sum over 2e8 possible tables."""
    n = np.full(200, 1_000_000)
    with pytest.raises(ValueError, match=r"the 200 tables have 200,000,200 possible tables in all"):
        cxstats.compare_proportions(n // 2, n, n // 2, n, method="fisher")


def test_fisher_below_the_limit_still_works():
    """R: fisher.test(matrix(c(3, 7, 1, 9), 2))$p.value is 0.5820 (closed form from the hypergeometric)."""
    out = cxstats.compare_proportions(3, 10, 1, 10, method="fisher")
    assert_allclose(out.p_value[0], 0.5820433, rtol=1e-6)
