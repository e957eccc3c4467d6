"""Report notebooks built with parameters other than their defaults.

A parameter that chooses a bundled survey either works for every survey with the figures the notebook analyses or
stops the notebook at its first cell with a message naming the parameter, its value and the surveys that would
work (``cxstats.require_figures`` / ``cxstats.require_responses``). Sentences that name a method or a level are
printed from the parameters, so a page built with ``method="fisher"`` and ``alpha=0.01`` says so.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import stats

import cxstats
from cxstats.report import read_records, run_notebook

pytestmark = pytest.mark.xdist_group("reports")

NOTEBOOKS = Path(__file__).parents[1] / "notebooks"


def build(stem, out, **parameters):
    return run_notebook(NOTEBOOKS / f"{stem}.ipynb", out, parameters=parameters)


def page_text(out, stem) -> str:
    """The page's visible text, tags removed and white space collapsed."""
    text = (out / f"{stem}.html").read_text(encoding="utf-8")
    text = re.sub(r"<style.*?</style>|<script.*?</script>", " ", text, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", text)))


def sentence(text, start, length=400) -> str:
    """The printed passage that starts with ``start`` (the output, not the code cell that prints it)."""
    found = [m.start() for m in re.finditer(re.escape(start), text)]
    assert found, start
    return text[found[-1]: found[-1] + length]


# ---- the checks themselves


def test_require_figures_returns_the_survey_table():
    assert cxstats.require_figures("calabrio_2022", ["meets_expectations"]).equals(cxstats.load("calabrio_2022"))


def test_require_figures_with_no_figures_takes_any_figures_survey():
    for name in cxstats.list_datasets().query("kind == 'figures'").name:
        assert (cxstats.require_figures(name).survey == name).all()


def test_require_figures_names_parameter_value_missing_figures_and_surveys_that_have_them():
    with pytest.raises(ValueError) as caught:
        cxstats.require_figures("amex_2014", ["prefer_human_service", "switched_poor_service"])
    assert str(caught.value) == ("dataset='amex_2014' lacks the figures this notebook analyses (prefer_human_service, "
                                 "switched_poor_service); surveys that have them: accenture_2016")


def test_require_figures_on_a_list_stacks_the_surveys_and_names_the_missing_ones():
    table = cxstats.require_figures(["amex_2014", "bain_2005"], ["superior_experience"], parameter="surveys")
    assert table.survey.unique().tolist() == ["amex_2014", "bain_2005"]
    with pytest.raises(ValueError, match=r"^surveys=\['amex_2014'\] lacks the figures this notebook analyses "
                                         r"\(superior_experience\); surveys that have them: bain_2005$"):
        cxstats.require_figures(["amex_2014"], ["superior_experience", "always_share_bad"], parameter="surveys")


def test_require_figures_counts_share_figures_per_group():
    # share figures in one group: accenture_2016 10, gladly_2021 8 (of 9 rows), every other survey 3 or fewer
    assert len(cxstats.require_figures("gladly_2021", parameter="survey", min_shares=6)) == 9
    with pytest.raises(ValueError, match=r"^survey='amex_2014' has at most 2 share figures in one group; this "
                                         r"notebook needs at least 6; surveys that have them: accenture_2016, "
                                         r"gladly_2021$"):
        cxstats.require_figures("amex_2014", parameter="survey", min_shares=6)


@pytest.mark.parametrize(("call", "message"), [
    (lambda: cxstats.require_figures("customer_sat"), "dataset='customer_sat' is a respondent-level dataset; this "
     "notebook needs a published-figures survey (cxstats.load): accenture_2016, amex_2014"),
    (lambda: cxstats.require_figures("nope"), "dataset='nope' is not a bundled dataset"),
    (lambda: cxstats.require_figures([]), "dataset must be a bundled dataset name or a non-empty list"),
    (lambda: cxstats.require_figures("amex_2014", [3]), "figures must be a list of names"),
    (lambda: cxstats.require_figures("amex_2014", min_shares=-1), "min_shares must be a whole number"),
    (lambda: cxstats.require_responses("calabrio_2022"), "dataset='calabrio_2022' is a published-figures survey; "
     "this notebook needs a respondent-level dataset (cxstats.load_responses): copenhagen_housing, customer_sat"),
    (lambda: cxstats.require_responses("copenhagen_housing", ["q1", "q2"]), "dataset='copenhagen_housing' lacks "
     "the columns this notebook analyses (q1, q2); respondent datasets that have them: customer_sat"),
    (lambda: cxstats.require_responses("customer_sat", ["q99"]), r"lacks the columns this notebook analyses "
     r"(q99); respondent datasets that have them: none"),
])
def test_require_rejects_with_a_message_naming_what_would_do(call, message):
    with pytest.raises(ValueError) as caught:
        call()
    assert str(caught.value).startswith(message) or message in str(caught.value)


def test_require_responses_returns_the_dataset():
    assert cxstats.require_responses("customer_sat", ["q1", "q2"]).equals(cxstats.load_responses("customer_sat"))


# ---- notebooks built with other parameters


def test_calabrio_with_fisher_and_alpha_001_says_so_and_gives_fishers_p_values(tmp_path):
    stem = "02_calabrio_perception_gap"
    result = build(stem, tmp_path, method="fisher", alpha=0.01, conf_level=0.99)
    assert result.status == "ok", result.error
    text = page_text(tmp_path, stem)
    described = sentence(text, "The test here (")
    verdict = sentence(text, "Here , with") if "Here , with" in text else sentence(text, "Here, with")
    power = sentence(text, "With 250 per group and alpha =", 200)
    for passage in (described, verdict, power):
        assert "z test" not in passage and "0.05" not in passage and "95%" not in passage, passage
    assert "Fisher's exact test" in described and "Fisher's exact test" in verdict
    assert "alpha = 0.01" in verdict and "alpha = 0.01" in power
    got = read_records(tmp_path / "notebooks" / f"{stem}.ipynb")
    # reference: scipy's Fisher exact test (as R's fisher.test) for every count the rounding allows:
    # 80% of 250 managers is 199-201, "about 45%" of 250 consumers is 112-113
    p = [stats.fisher_exact([[a, 250 - a], [b, 250 - b]]).pvalue for a in range(199, 202) for b in range(112, 114)]
    assert_allclose(got["meets_p_value_max"], max(p), rtol=1e-9)
    # power of the two-sided test for 60% vs 50% with 250 per group at alpha 0.01 (Cohen's h, as R's pwr.2p.test)
    h = 2 * np.arcsin(np.sqrt(0.6)) - 2 * np.arcsin(np.sqrt(0.5))
    z = stats.norm.ppf(1 - 0.01 / 2)
    reference = stats.norm.cdf(h * np.sqrt(125) - z) + stats.norm.cdf(-h * np.sqrt(125) - z)
    assert_allclose(got["power_10_points_at_250"], reference, rtol=1e-6)


def test_start_here_tours_another_survey(tmp_path):
    result = build("00_start_here", tmp_path, dataset="amex_2014")
    assert result.status == "ok", result.error
    assert "always_share_bad" in page_text(tmp_path, "00_start_here")


@pytest.mark.parametrize(("stem", "parameters", "message"), [
    ("01_accenture_human_touch", {"dataset": "amex_2014"}, "dataset='amex_2014' lacks the figures this notebook "
     "analyses (prefer_human_service, switched_poor_service); surveys that have them: accenture_2016"),
    ("02_calabrio_perception_gap", {"dataset": "amex_2014"}, "dataset='amex_2014' lacks the figures this notebook "
     "analyses (meets_expectations); surveys that have them: calabrio_2022"),
    ("03_gladly_expectations", {"dataset": "amex_2014"}, "dataset='amex_2014' lacks the figures this notebook "
     "analyses (chatbot_useful_no_person, chatbot_blocks_person); surveys that have them: gladly_2021"),
    ("04_cost_of_poor_service", {"surveys": ["amex_2014"]}, "surveys=['amex_2014'] lacks the figures this notebook "
     "analyses (superior_experience); surveys that have them: bain_2005"),
    ("05_pay_more_for_service", {"assumed_gladly_n": 50}, "assumed_gladly_n = 50: no whole count of it rounds to "
     "Gladly's 83%, so it cannot be Gladly's base"),  # 41/50 = 82%, 42/50 = 84%
    ("07_segmentation", {"survey": "amex_2014"}, "survey='amex_2014' has at most 2 share figures in one group"),
    ("10_what_drives_satisfaction", {"dataset": "calabrio_2022"}, "dataset='calabrio_2022' is a published-figures "
     "survey; this notebook needs a respondent-level dataset"),
])
def test_a_survey_without_the_needed_figures_stops_the_notebook_clearly(tmp_path, stem, parameters, message):
    result = build(stem, tmp_path, **parameters)
    assert result.status == "failed"
    assert f"ValueError: {message}" in result.error


# ---- prose printed from the parameters: notebooks 04, 05, 08 and 09 built with other values


def test_plan_your_own_survey_at_alpha_001_and_power_90_says_so_and_sizes_by_the_closed_form(tmp_path):
    from statsmodels.stats.power import NormalIndPower
    from statsmodels.stats.proportion import proportion_effectsize

    stem = "09_plan_your_own_survey"
    result = build(stem, tmp_path, alpha=0.01, power=0.9, comparisons=4)
    assert result.status == "ok", result.error
    got = read_records(tmp_path / "notebooks" / f"{stem}.ipynb")
    z = stats.norm.ppf(1 - 0.01 / 2)
    assert_allclose(got["n_margin"], z**2 * 0.25 / 0.03**2, rtol=1e-9)  # n = z² p(1 - p) / margin² at p = 1/2
    # equal groups, Cohen's h for 55% vs 50%: the statistic's mean is h sqrt(n / 2), so n = 2 ((z_{1-alpha/2} + z_power)
    # / h)² per group, ignoring the far tail; statsmodels (and R's pwr.2p.test) solve with it too
    h = 2 * np.arcsin(np.sqrt(0.55)) - 2 * np.arcsin(np.sqrt(0.50))
    assert_allclose(got["n_per_group"], 2 * ((z + stats.norm.ppf(0.9)) / h) ** 2, rtol=1e-6)
    reference = NormalIndPower().solve_power(proportion_effectsize(0.55, 0.50), alpha=0.01, power=0.9, ratio=1)
    assert_allclose(got["n_per_group"], reference, rtol=1e-6)
    text = page_text(tmp_path, stem)
    level = sentence(text, "At the 99% level", 200)
    margin = sentence(text, "+/- 3 points at 99%:", 200)
    needed = int(np.ceil(reference))
    gap = sentence(text, "To detect 55% vs 50% with 90% power at alpha = 0.01:", 200)
    summary = sentence(text, "Margin of error: +/- 3 points at 99% needs", 400)
    assert f"z = {z:.3f}" in level
    assert f"{needed:,} per group" in gap and f"{needed:,} per group for 90% power at alpha = 0.01" in summary
    bonferroni = NormalIndPower().solve_power(proportion_effectsize(0.55, 0.50), alpha=0.01 / 4, power=0.9)
    assert f"with 4 comparisons (Bonferroni) {int(np.ceil(bonferroni)):,} per group" in summary
    for passage in (level, margin, gap, summary):
        assert "95%" not in passage and "1.96" not in passage and "80%" not in passage, passage
    assert "about 1,565 per group" not in text and "about 1,070" not in text and "about 385" not in text


def test_pay_more_with_another_gladly_base_and_level_reports_its_own_pooling(tmp_path):
    stem = "05_pay_more_for_service"
    result = build(stem, tmp_path, assumed_gladly_n=60, conf_level=0.9)
    assert result.status == "ok", result.error
    got = read_records(tmp_path / "notebooks" / f"{stem}.ipynb")
    # DerSimonian-Laird on the logit scale by hand (as R's metafor::rma(measure="PLO", method="DL")):
    # 45% of 2,003 is 901; 83% of an assumed 60 is 50 (83.3%)
    x, n = np.array([901, 50]), np.array([2003, 60])
    y, v = np.log(x / (n - x)), 1 / x + 1 / (n - x)
    w = 1 / v
    q = np.sum(w * (y - np.sum(w * y) / np.sum(w)) ** 2)
    tau2 = max(0.0, (q - 1) / (np.sum(w) - np.sum(w**2) / np.sum(w)))
    mu = np.sum(y / (v + tau2)) / np.sum(1 / (v + tau2))
    assert_allclose(got["i2"], 100 * (q - 1) / q, rtol=1e-9)
    assert_allclose(got["pooled"], 1 / (1 + np.exp(-mu)), rtol=1e-9)
    text = page_text(tmp_path, stem)
    counts = sentence(text, "Accenture: 901 of 2,003;", 100)
    reading = sentence(text, "Here I² =", 400)
    assert "Gladly: 50 of an assumed 60." in counts
    assert f"Here I² = {100 * (q - 1) / q:.1f}%" in reading and "90% interval" in reading
    assert "95%" not in reading and "935" not in counts
    assert "With an assumed base from 60 to 5,000" in text


def test_microsoft_page_at_another_level_and_bases_says_so_and_gives_their_intervals(tmp_path):
    from statsmodels.stats.proportion import proportion_confint

    stem = "12_microsoft_dimension_data"
    result = build(stem, tmp_path, conf_level=0.9, assumed_2015_n=2000, assumed_organisations=[1000])
    assert result.status == "ok", result.error
    got = read_records(tmp_path / "notebooks" / f"{stem}.ipynb")
    # 79% of 1,000 organisations is 785 to 795; Wilson at 90% (statsmodels, as R's prop.test without correction)
    assert_allclose([got["organisations_ci_low"], got["organisations_ci_high"]],
                    [proportion_confint(785, 1000, alpha=0.1, method="wilson")[0],
                     proportion_confint(795, 1000, alpha=0.1, method="wilson")[1]], rtol=1e-9)
    assert got["assumed_diff_low"] == 0  # 97% of 2,000 can be 96.5%, as can 96% of 5,000
    text = page_text(tmp_path, stem)
    organisations = sentence(text, "On an assumed 1,000 organisations the 90% interval is", 300)
    what_if = sentence(text, "Give the earlier report a base of assumed_2015_n = 2,000", 400)
    assert "significant at 0.1 for some of them" in what_if
    for passage in (organisations, what_if, sentence(text, "What can be concluded.", 300)):
        assert "95%" not in passage and "0.05" not in passage, passage
    assert "1,351" not in organisations


def test_willingness_to_pay_with_another_planted_share_and_prices_says_so(tmp_path):
    stem = "08_willingness_to_pay"
    parameters = {"n": 800, "seed": 3, "share_willing": 0.3, "prices": [5, 7, 9, 11, 13]}
    result = build(stem, tmp_path, **parameters, bootstrap=20)
    assert result.status == "ok", result.error
    got = read_records(tmp_path / "notebooks" / f"{stem}.ipynb")
    study = cxstats.simulate_price_study(**{**parameters, "prices": tuple(parameters["prices"])})
    # Gabor-Granger at the lowest price: the plain share answering yes at $5; revenue per respondent is price x share
    assert_allclose(got["gg_share_lowest"], study.buy_5.mean(), rtol=1e-12)
    revenue = {p: p * study[f"buy_{p}"].mean() for p in parameters["prices"]}
    assert got["gg_optimal_price"] == max(revenue, key=revenue.get)
    text = page_text(tmp_path, stem)
    lowest = sentence(text, "At the lowest price, $5,", 300)
    drawn = sentence(text, f"{int(study.willing.sum()):,} of 800 respondents", 200)
    assert f"{study.buy_5.mean():.0%} would buy" in lowest and "planted share willing to pay anything is 30%" in lowest
    assert "planted share_willing = 30%" in drawn
    assert f"Revenue per respondent peaks at ${max(revenue, key=revenue.get):g}" in lowest
    for passage in (lowest, drawn, sentence(text, "On the synthetic plan: Van Westendorp", 500)):
        assert "45%" not in passage and "$2" not in passage, passage
    assert "$6-8" not in text


def test_cost_of_poor_service_with_other_surveys_and_alpha_counts_its_own_sources(tmp_path):
    stem = "04_cost_of_poor_service"
    surveys = ["bain_2005", "amex_2014", "calabrio_2022", "microsoft_multichannel_2015"]
    result = build(stem, tmp_path, surveys=surveys, alpha=0.01)
    assert result.status == "ok", result.error
    got = read_records(tmp_path / "notebooks" / f"{stem}.ipynb")
    # shares with a published base: American Express 2, Bain's firms 1, Calabrio 6; Bain's customers and Microsoft's
    # 2015 figure have none
    assert (got["n_testable"], got["n_shares"]) == (9, 11)
    # equal bases at alpha 0.01: the first base printing both 80% and 8% where every count pair passes Fisher's test
    def prints(percent, n):
        return [c for c in range(n + 1) if abs(100 * c / n - percent) <= 0.5 + 1e-12]
    expected = next(n for n in range(1, 500) if prints(80, n) and prints(8, n) and all(
        stats.fisher_exact([[a, n - a], [b, n - b]]).pvalue < 0.01 for a in prints(80, n) for b in prints(8, n)))
    assert got["bain_breakeven_equal"] == expected
    text = page_text(tmp_path, stem)
    summary = sentence(text, "Of the 11 share figures from these 4 sources,", 500)
    assert "9 can be given an interval. Only 3 of the sources published a base" in summary
    assert "Calabrio (250 managers, 250 consumers)" in summary and "97% (Microsoft (Dynamics), 2015)" in summary
    assert "RightNow" not in summary and "Zendesk" not in summary and "Weibo" not in sentence(text, "21 vs 8 people")
    assert "At alpha = 0.01: with 362 firms" in text


def test_segmentation_of_another_survey_names_it_and_not_accenture(tmp_path):
    stem = "07_segmentation"
    result = build(stem, tmp_path, survey="gladly_2021", n=600, k_range=[2, 3], n_init=2)
    assert result.status == "ok", result.error
    text = page_text(tmp_path, stem)
    assert "Calibrated to 2021 Customer Expectations Report (Gladly, 2021):" in text
    assert "; 600 synthetic respondents." in text
    # Accenture is named only as the default, in the summary line
    assert text.count("Accenture") == text.count("(Accenture's by default)") == 1
    assert read_records(tmp_path / "notebooks" / f"{stem}.ipynb")["suggested_k"] in (2, 3)


# ---- levels printed exactly, parameters checked by name, sentences that follow the parameters


def test_drivers_at_a_level_with_a_decimal_print_it_exactly_and_warn_of_too_few_replicates(tmp_path):
    stem = "10_what_drives_satisfaction"
    result = build(stem, tmp_path, conf_level=0.995, n_boot=50)
    assert result.status == "ok", result.error
    text = page_text(tmp_path, stem)
    assert "99.5% interval" in text and "the two-sided 99.5% critical value" in text
    assert "at the 0.5% level" in text
    assert "100% interval" not in text and "100% critical" not in text and "at the 1% level" not in text
    warning = sentence(text, "Warning: with n_boot = 50 and conf_level = 0.995,", 400)
    assert "rests on fewer than 5 replicates" in warning and "at least 2000" in warning


@pytest.mark.parametrize(("parameters", "message"), [
    ({"method": "chisq"}, "method='chisq' is not valid; choose one of: 'z', 'chi2_cc', 'fisher'"),
    ({"adjust": "bogus"}, "adjust='bogus' is not valid; choose one of: 'holm', 'hochberg', 'bonferroni', 'bh', "
                          "'by', 'none'"),
    ({"groups": ["x", "y"]}, "no figure in the table has both groups; the figures' groups are: "
                             "('managers', 'consumers')"),
])
def test_calabrio_with_a_bad_choice_names_the_parameter_and_the_values_it_takes(tmp_path, parameters, message):
    result = build("02_calabrio_perception_gap", tmp_path, **parameters)
    assert result.status == "failed"
    assert message in str(result.error) and "KeyError" not in str(result.error)


def test_weights_page_says_which_group_is_over_represented_and_how_the_costs_compare(tmp_path):
    stem = "11_weights_strata_clusters"
    result = build(stem, tmp_path, population_age={"18-34": 0.6, "35-54": 0.2, "55+": 0.2}, banner="region",
                   n=800)
    assert result.status == "ok", result.error
    text = page_text(tmp_path, stem)
    over = sentence(text, "The sample over-represents the ", 200)
    assert over.startswith("The sample over-represents the 35-54 group most") and "under-represents the 18-34" in over
    costs = sentence(text, "Kish's effective base is ", 200)
    kish, answer = (float(x) for x in re.findall(r"is (\d+)", costs)[:2])
    assert ("costs this answer less than" in costs) == (answer > kish)
    assert "The weights vary within the region columns" in text
    assert "The weights are constant within each region column" not in text
