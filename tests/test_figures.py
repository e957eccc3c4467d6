"""analyze_figures, compare_groups, compare_figures on the bundled published figures."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from statsmodels.stats.proportion import proportion_confint, proportions_ztest

import cxstats


@pytest.fixture(scope="module")
def figures():
    return cxstats.load()


def test_interval_spans_every_consistent_count(figures):
    """Each interval is the union of the Wilson intervals of every count the rounding allows (brute force)."""
    out = cxstats.analyze_figures(figures).query("testable")
    for _, row in out.iterrows():
        counts = np.arange(row.count_low, row.count_high + 1)
        low, high = proportion_confint(counts, row.n, method="wilson")  # statsmodels, one count at a time
        assert_allclose([row.ci_low, row.ci_high], [low.min(), high.max()], rtol=1e-9)


def test_accenture_in_one_call(figures):
    """Accenture's 83% of 2,003 is 1,653 to 1,672 people; its interval is about 81% to 85%."""
    out = cxstats.analyze_figures(figures[figures.survey == "accenture_2016"]).set_index("figure")
    row = out.loc["prefer_human_service"]
    assert (row.count_low, row.count_high) == (1653, 1672)
    assert 0.80 < row.ci_low < 0.81 and 0.85 < row.ci_high < 0.851
    assert not out.loc["will_not_return", "testable"]  # switchers: base not published


def test_majority_range_of_p_values(figures):
    """52% of 2,003 is not clearly a majority: the exact p-value vs 50% spans 0.05 (scipy per count)."""
    from scipy.stats import binomtest

    out = cxstats.analyze_figures(figures, value=0.5).set_index(["survey", "figure"])
    row = out.loc[("accenture_2016", "switched_poor_service")]
    ps = [binomtest(c, 2003, 0.5).pvalue for c in range(row.count_low, row.count_high + 1)]
    assert_allclose([row.p_value_min, row.p_value_max], [min(ps), max(ps)], rtol=1e-6)
    assert row.p_value_min < 0.05 < row.p_value_max


def test_gladly_in_one_call_is_untestable(figures):
    """Gladly publishes no base: every figure is marked untestable with the reason, none gets an interval."""
    out = cxstats.analyze_figures(figures[figures.survey == "gladly_2021"])
    assert len(out) == 9 and not out.testable.any()
    assert out.ci_low.isna().all()
    assert out.reason.str.contains("base n unknown").all()


def test_non_shares_are_not_analyzed(figures):
    """Growth rates and counts never reach a proportion test."""
    out = cxstats.analyze_figures(figures)
    assert set(out.figure).isdisjoint({"live_chat_growth", "people_told", "posts_analysed"})


def test_calabrio_gaps_over_every_pair_of_counts(figures):
    """Calabrio's three gaps: p-value range equals a brute-force loop of statsmodels' z test over count pairs."""
    gaps = cxstats.compare_groups(figures[figures.survey == "calabrio_2022"], groups=("managers", "consumers"))
    calabrio = figures[figures.survey == "calabrio_2022"].set_index(["figure", "group"])
    for _, row in gaps.iterrows():
        m, c = calabrio.loc[(row.figure1, "managers")], calabrio.loc[(row.figure1, "consumers")]
        ps = [proportions_ztest([x1, x2], [250, 250])[1]
              for x1 in range(m.count_low, m.count_high + 1) for x2 in range(c.count_low, c.count_high + 1)]
        assert_allclose([row.p_value_min, row.p_value_max], [min(ps), max(ps)], rtol=1e-6)
        assert row.significant == "all"
    expect = gaps.set_index("figure1")
    assert_allclose(expect.loc["meets_expectations", ["diff_low", "diff_high"]].to_numpy(float),
                    [(199 - 113) / 250, (201 - 112) / 250])
    assert "approximate" in expect.loc["meets_expectations", "warning"]


def test_some_verdict_when_rounding_decides(figures):
    """A gap whose significance depends on the rounding is reported as 'some', not forced either way."""
    rows = pd.DataFrame({
        "survey": ["s", "s"], "figure": ["f", "f"], "group": ["a", "b"], "statement": ["x", "x"],
        "kind": ["share", "share"], "percent": [56.0, 50.0], "n": pd.array([500, 500], dtype="Int64"),
    })
    low, high = cxstats.count_range(rows.percent, [500, 500])
    rows["count_low"], rows["count_high"] = low, high
    out = cxstats.compare_groups(rows)
    assert out.p_value_min[0] < 0.05 < out.p_value_max[0]
    assert out.significant[0] == "some"


def _brute_breakeven(percent1, percent2, n1=None, method="fisher", alpha=0.05, limit=200):
    """Independent reference: scan bases one by one, list the counts whose percentage rounds (either way at a
    half) to the printed value, and test every pair with scipy's Fisher test or a hand-written pooled z test."""
    from scipy import stats

    def counts(percent, n):
        return [c for c in range(n + 1) if abs(100 * c / n - percent) <= 0.5 + 1e-12]

    def p_value(c1, m1, c2, m2):
        if method == "fisher":
            return stats.fisher_exact([[c1, m1 - c1], [c2, m2 - c2]]).pvalue
        pooled = (c1 + c2) / (m1 + m2)
        se = np.sqrt(pooled * (1 - pooled) * (1 / m1 + 1 / m2))
        return 1.0 if se == 0 else 2 * stats.norm.sf(abs(c1 / m1 - c2 / m2) / se)

    for n in range(1, limit + 1):
        m1 = n if n1 is None else n1
        first, second = counts(percent1, m1), counts(percent2, n)
        if first and second and all(p_value(a, m1, b, n) < alpha for a in first for b in second):
            return n
    return None


@pytest.mark.parametrize(("percent1", "percent2", "n1", "method"), [
    (80, 8, 362, "fisher"), (80, 8, None, "fisher"), (45, 83, 2003, "fisher"), (53, 43, None, "z"),
    (80, 8, 362, "z"), (60, 40, 100, "fisher"), (30, 70, None, "z"),
])
def test_breakeven_base_matches_brute_force(percent1, percent2, n1, method):
    """The break-even base is the first base at which the printed percentage can occur and every count pair the
    rounding allows is significant: checked against a one-by-one scan with scipy's tests."""
    got = cxstats.figures.breakeven_base(percent1, percent2, n1, method=method)["breakeven_n"][0]
    assert got == _brute_breakeven(percent1, percent2, n1, method=method, limit=500)


def test_bain_80_vs_8_is_untestable_but_breakeven_answers(figures):
    """Bain's 8% has no base: the gap is untestable, and the break-even base is 12 rated companies, the first base
    at which 8% can be printed (1 of 12); 2, 4 or 6, the answers at the printed shares, cannot give 8%."""
    gap = cxstats.compare_groups(figures, figure="superior_experience", method="fisher")
    assert not gap.testable[0] and "base n unknown" in gap.reason[0]
    assert gap.breakeven_n[0] == 12
    assert cxstats.breakeven_n(0.80, 0.08, nobs1=362)["breakeven_n"][0] < 12  # the fractional-count answer
    assert not any(abs(100 * c / n - 8) <= 0.5 for n in range(1, 12) for c in range(n + 1))
    # R 4.2.2: fisher.test(matrix(c(x1, 362 - x1, 1, 11), 2))$p.value for x1 = 288 (largest of the four)
    p = cxstats.compare_proportions(288, 362, 1, 12, method="fisher")["p_value"][0]
    assert p == pytest.approx(4.813708e-07, rel=1e-6)


def test_breakeven_is_missing_when_rounding_intervals_meet():
    """97% of 5,000 against 96%: both can stand for 96.5%, so at no base is every count pair significant."""
    assert pd.isna(cxstats.figures.breakeven_base(97, 96, 5000, method="z")["breakeven_n"][0])
    assert cxstats.breakeven_n(0.96, 0.97, nobs1=5000)["breakeven_n"][0] == 1902  # at the printed shares


def test_breakeven_base_refuses_bad_input():
    with pytest.raises(ValueError, match="percent1 equals percent2"):
        cxstats.figures.breakeven_base(50, 50)
    with pytest.raises(ValueError, match="impossible for n1 = 3"):
        cxstats.figures.breakeven_base(50, 20, 3)
    with pytest.raises(ValueError, match="percent2 must be a percentage"):
        cxstats.figures.breakeven_base(50, 120)


def test_breakeven_for_two_unknown_bases(figures):
    """Gladly's chatbot figures (no base) get the smallest equal base at which 53% vs 43% differ for every count."""
    out = cxstats.compare_figures(figures, {"figure": "chatbot_useful_no_person"}, {"figure": "chatbot_blocks_person"})
    assert out.breakeven_n[0] == cxstats.figures.breakeven_base(53, 43, method="z")["breakeven_n"][0]
    assert out.breakeven_n[0] == _brute_breakeven(53, 43, None, method="z", limit=400)


def test_cross_survey_comparison_carries_warning(figures):
    """Accenture's 45% 'pay more' vs Microsoft's 72% is testable but flagged as different questions."""
    out = cxstats.compare_figures(
        figures, {"survey": "accenture_2016", "figure": "pay_more_for_service"},
        {"survey": "microsoft_2017", "figure": "agent_knows_history"},
    )
    assert out.testable[0] and out.significant[0] == "all"
    assert out.warning[0].startswith("different surveys")


def test_same_respondents_warning(figures):
    """Two answers from the same respondents are flagged as not independent samples."""
    out = cxstats.compare_figures(
        figures, {"survey": "amex_2014", "figure": "always_share_bad"},
        {"survey": "amex_2014", "figure": "always_tell_good"},
    )
    assert "not independent samples" in out.warning[0]


@pytest.mark.parametrize("call, message", [
    (lambda df: cxstats.analyze_figures(df.drop(columns="n")), r"lacks column\(s\) \['n'\]"),
    (lambda df: cxstats.compare_groups(df, figure="nope"), r"figure\(s\) \['nope'\] not in the table"),
    (lambda df: cxstats.compare_groups(df, figure="meets_expectations", groups=("managers", "ceos")),
     "has groups"),
    (lambda df: cxstats.compare_figures(df, {"survey": "calabrio_2022"}, {"survey": "amex_2014"}),
     "matches 6 rows; it must pick exactly one figure"),
    (lambda df: cxstats.compare_figures(df, {"colour": "red"}, {"survey": "amex_2014"}), "unknown column 'colour'"),
])
def test_bad_selections_are_named(figures, call, message):
    """Missing columns, unknown figures or groups and ambiguous selections raise named errors."""
    with pytest.raises(ValueError, match=message):
        call(figures)


def test_verdict_tests_at_one_minus_conf_level(figures):
    """The verdict's significance level is 1 - conf_level: a gap with 0.05 < p < 0.10 is significant at 0.90 only.

    There is no separate alpha beside conf_level."""
    rows = pd.DataFrame({
        "survey": ["s", "s"], "figure": ["f", "f"], "group": ["a", "b"], "statement": ["x", "x"],
        "kind": ["share", "share"], "percent": [55.0, 50.0], "n": pd.array([600, 600], dtype="Int64"),
        "count_low": [330, 300], "count_high": [330, 300],  # counts taken as known, for one p-value
    })
    at_95 = cxstats.compare_groups(rows)
    at_90 = cxstats.compare_groups(rows, conf_level=0.90)
    assert 0.05 < at_95.p_value_min[0] and at_95.p_value_max[0] < 0.10
    assert at_95.significant[0] == "none" and at_90.significant[0] == "all"
    with pytest.raises(TypeError):
        cxstats.compare_groups(rows, alpha=0.05)


def test_compare_groups_names_the_bad_argument_and_the_valid_values():
    table = cxstats.load("calabrio_2022")
    with pytest.raises(ValueError, match=r"^method='chisq' is not valid; choose one of: 'z', 'chi2_cc', 'fisher'$"):
        cxstats.compare_groups(table, groups=("managers", "consumers"), method="chisq")
    with pytest.raises(ValueError, match=r"^groups=\('x', 'y'\): no figure in the table has both groups; the "
                                         r"figures' groups are: \('managers', 'consumers'\)$"):
        cxstats.compare_groups(table, groups=("x", "y"))
