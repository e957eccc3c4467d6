"""Survey designs (strata, clusters, fpc, domains) against R's survey package, read in memory and from files.

Reference values: tests/reference/r_design_values.py, written by make_design_reference.R from R's ``api``
data (api_strat.csv, api_clus1.csv, api_clus2.csv). Designs, as R's ``svydesign``:

* STRAT: ``svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = apistrat)``
* CLUS1: ``svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = apiclus1)``
* CLUS2: ``svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, weights = ~pw, data = apiclus2)``
"""

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from numpy.testing import assert_allclose
from scipy import stats

import cxstats
from cxstats.survey import domain_variance, domains, value_totals

from .conftest import ROOT
from .reference import r_design_values as R

RTOL = 1e-6
SAME = 1e-12  # the same numbers read another way (a file instead of a DataFrame)
REF = ROOT / "tests" / "reference"
FILES = {"STRAT": "api_strat.csv", "CLUS1": "api_clus1.csv", "CLUS2": "api_clus2.csv"}
SPECS = {
    "STRAT": {"weight": "pw", "strata": "stype", "fpc": "fpc"},
    "CLUS1": {"weight": "pw", "cluster": "dnum", "fpc": "fpc"},
    "CLUS2": {"weight": "pw", "cluster": ["dnum", "snum"], "fpc": ["fpc1", "fpc2"]},
}
DESIGNS = list(SPECS)
CIPROP_METHODS = [("logit", "LOGIT"), ("wilson", "WILSON"), ("korn_graubard", "BETA"), ("asin", "ASIN"),
                  ("wald", "MEAN")]
PAIRS = [("E", "H"), ("E", "M"), ("H", "M")]
LONELY_RULES = ["certainty", "remove", "average", "adjust"]
RESULT_FLOATS = ["estimate", "se", "ci_low", "ci_high", "deff", "n_effective", "df", "weighted_n"]


def ref(name, design=None):
    """R's value ``{design}_{name}`` (or ``name``) from r_design_values."""
    return getattr(R, f"{design}_{name}" if design else name)


@pytest.fixture(scope="module")
def api():
    """The three api samples as read.csv reads them in R."""
    return {name: pd.read_csv(REF / file) for name, file in FILES.items()}


@pytest.fixture(scope="module")
def designs(api):
    """STRAT, CLUS1 and CLUS2 as in make_design_reference.R."""
    return {name: cxstats.survey_design(api[name], **SPECS[name]) for name in DESIGNS}


@pytest.fixture(scope="module")
def lonely(api):
    """apistrat with its first row (stype E) moved to a stratum 'L' of its own, as LONELY in the R script."""
    frame = api["STRAT"].copy()
    frame["stype2"] = frame["stype"]
    frame.loc[R.LONELY_ROW - 1, "stype2"] = "L"
    return frame


@pytest.fixture(scope="module")
def lonecl(api):
    """apiclus1 with strata A/B split at the median district and district 448 alone in stratum C (LONECL)."""
    frame = api["CLUS1"].copy()
    frame["st"] = np.where(frame["dnum"] < R.LONECL_MEDIAN, "A", "B")
    frame.loc[frame["dnum"] == R.LONECL_DISTRICT, "st"] = "C"
    return frame


@pytest.fixture(scope="module")
def zero(api):
    """apiclus1 with weight 0 for district 178 and for rows 121 and 158 (1-based), as ZERO in the R script."""
    frame = api["CLUS1"].copy()
    frame["pw0"] = frame["pw"]
    frame.loc[frame["dnum"] == R.ZERO_DISTRICT, "pw0"] = 0.0
    frame.loc[[r - 1 for r in R.ZERO_ROWS_1BASED], "pw0"] = 0.0
    return frame


@pytest.fixture(scope="module")
def zero_design(zero):
    return cxstats.survey_design(zero, weight="pw0", cluster="dnum", fpc="fpc")


# ------------------------------------------------------------------ the three designs against R

@pytest.mark.parametrize("P", DESIGNS)
def test_degf_matches_r(designs, P):
    """degf is PSUs minus strata, as R's degf(design)."""
    assert designs[P].degf == ref("DEGF", P)


def test_strata_table_counts_rows_psus_and_population(designs):
    """summary() tabulates rows, sampled PSUs and population PSUs per stratum (STRAT: 100/50/50 of 4421/755/1018)."""
    table = designs["STRAT"].summary()
    assert table["stratum"].tolist() == ["E", "H", "M"]
    assert table["n_rows"].tolist() == [100, 50, 50]
    assert table["n_psu"].tolist() == [100, 50, 50]
    assert table["n_psu_positive"].tolist() == [100, 50, 50]
    assert table["popsize"].tolist() == [4421, 755, 1018]


def test_strata_table_of_weights_only():
    """With weights only (made when first read): one stratum, every row a PSU, those with a positive weight."""
    design = cxstats.survey_design(pd.DataFrame({"w": [1.0, 0.0, 2.0, 0.0, 3.0]}), weight="w")
    expected = pd.DataFrame({"stratum": [1], "n_rows": [5], "n_psu": [5], "n_psu_positive": [3], "popsize": [np.inf]})
    pd.testing.assert_frame_equal(design.summary(), expected)
    assert design.n_strata == 1 and design.degf == 2 and design.n_zero_weight == 2
    assert "1 strata, 5 PSUs, degf 2" in repr(design)


@pytest.mark.parametrize("P", DESIGNS)
def test_mean_matches_svymean(designs, P):
    """svymean(~api00, deff = 'replace'): estimate, SE, deff, and confint(df = degf) as the t interval."""
    out = cxstats.weighted_mean(designs[P], "api00")
    assert_allclose(out["estimate"], ref("MEAN_API00", P), rtol=RTOL)
    assert_allclose(out["se"], ref("MEAN_API00_SE", P), rtol=RTOL)
    assert_allclose(out["deff"], ref("MEAN_API00_DEFF", P), rtol=RTOL)
    assert_allclose([out["ci_low"][0], out["ci_high"][0]], ref("MEAN_API00_CI", P), rtol=RTOL)
    assert out["df"][0] == ref("DEGF", P)


@pytest.mark.parametrize("P", DESIGNS)
def test_total_with_missing_answers_matches_svytotal(designs, api, P):
    """svytotal(~enroll, na.rm = TRUE, deff = 'replace') (6 missing answers in CLUS2): estimate, SE, deff, CI."""
    out = cxstats.weighted_total(designs[P], "enroll")
    assert_allclose(out["estimate"], ref("TOTAL_ENROLL", P), rtol=RTOL)
    assert_allclose(out["se"], ref("TOTAL_ENROLL_SE", P), rtol=RTOL)
    assert_allclose(out["deff"], ref("TOTAL_ENROLL_DEFF", P), rtol=RTOL)
    assert_allclose([out["ci_low"][0], out["ci_high"][0]], ref("TOTAL_ENROLL_CI", P), rtol=RTOL)
    missing = int(api[P]["enroll"].isna().sum())
    assert (out["n"][0], out["n_missing"][0]) == (len(api[P]) - missing, missing)


@pytest.mark.parametrize("P", DESIGNS)
def test_mean_with_missing_answers_matches_svymean(designs, P):
    """svymean(~enroll, na.rm = TRUE, deff = 'replace'): missing answers stay in the design as a domain."""
    out = cxstats.weighted_mean(designs[P], "enroll")
    assert_allclose(out["estimate"], ref("MEAN_ENROLL", P), rtol=RTOL)
    assert_allclose(out["se"], ref("MEAN_ENROLL_SE", P), rtol=RTOL)
    assert_allclose(out["deff"], ref("MEAN_ENROLL_DEFF", P), rtol=RTOL)


@pytest.mark.parametrize("method, r_method", CIPROP_METHODS)
@pytest.mark.parametrize("P", DESIGNS)
def test_proportion_matches_svyciprop(designs, P, method, r_method):
    """svyciprop(~I(sch_wide == 1), method = ...): estimate, SE and interval (R's beta = korn_graubard, mean = wald)."""
    out = cxstats.weighted_proportion(designs[P], "sch_wide", method=method)
    tag = f"CIPROP_SCHWIDE_{r_method}"
    assert_allclose(out["estimate"], ref(tag, P), rtol=RTOL)
    assert_allclose(out["se"], ref(f"{tag}_SE", P), rtol=RTOL)
    assert_allclose([out["ci_low"][0], out["ci_high"][0]], ref(f"{tag}_CI", P), rtol=RTOL)
    assert out["method"][0] == method


@pytest.mark.parametrize("method, r_method", CIPROP_METHODS)
@pytest.mark.parametrize("P", DESIGNS)
def test_proportion_by_stype_matches_svyby_svyciprop(designs, P, method, r_method):
    """svyby(~I(sch_wide == 1), ~stype, svyciprop, method = ..., vartype = 'ci'): estimates and intervals."""
    out = cxstats.weighted_proportion(designs[P], "sch_wide", by="stype", method=method)
    tag = f"BY_STYPE_CIPROP_SCHWIDE_{r_method}"
    assert out["stype"].tolist() == ["E", "H", "M"]
    assert_allclose(out["estimate"], ref(tag, P), rtol=RTOL)
    assert_allclose(out["ci_low"], ref(f"{tag}_LOW", P), rtol=RTOL)
    assert_allclose(out["ci_high"], ref(f"{tag}_HIGH", P), rtol=RTOL)


@pytest.mark.parametrize("P", DESIGNS)
def test_mean_by_stype_matches_svyby(designs, P):
    """svyby(~api00, ~stype, svymean, deff = 'replace'): estimate, SE, deff; df = degf(subset(design, stype == l))."""
    out = cxstats.weighted_mean(designs[P], "api00", by="stype")
    assert out["stype"].tolist() == ref("BY_STYPE_LEVELS", P)
    assert_allclose(out["estimate"], ref("BY_STYPE_MEAN_API00", P), rtol=RTOL)
    assert_allclose(out["se"], ref("BY_STYPE_MEAN_API00_SE", P), rtol=RTOL)
    assert_allclose(out["deff"], ref("BY_STYPE_MEAN_API00_DEFF", P), rtol=RTOL)
    assert out["df"].tolist() == ref("BY_STYPE_DEGF", P)


@pytest.mark.parametrize("P", DESIGNS)
def test_total_by_stype_matches_svyby(designs, P):
    """svyby(~enroll, ~stype, svytotal, na.rm = TRUE, deff = 'replace'): estimates, SEs, deffs."""
    out = cxstats.weighted_total(designs[P], "enroll", by="stype")
    assert_allclose(out["estimate"], ref("BY_STYPE_TOTAL_ENROLL", P), rtol=RTOL)
    assert_allclose(out["se"], ref("BY_STYPE_TOTAL_ENROLL_SE", P), rtol=RTOL)
    assert_allclose(out["deff"], ref("BY_STYPE_TOTAL_ENROLL_DEFF", P), rtol=RTOL)


@pytest.mark.parametrize("P", DESIGNS)
def test_mean_by_stype_with_missing_answers_matches_svyby(designs, P):
    """svyby(~enroll, ~stype, svymean, na.rm = TRUE, deff = 'replace') (CLUS2: missing answers in E and M)."""
    out = cxstats.weighted_mean(designs[P], "enroll", by="stype")
    assert_allclose(out["estimate"], ref("BY_STYPE_MEAN_ENROLL", P), rtol=RTOL)
    assert_allclose(out["se"], ref("BY_STYPE_MEAN_ENROLL_SE", P), rtol=RTOL)
    assert_allclose(out["deff"], ref("BY_STYPE_MEAN_ENROLL_DEFF", P), rtol=RTOL)


@pytest.mark.parametrize("P", DESIGNS)
def test_nps_matches_svymean_of_plus_minus_100(designs, P):
    """NPS equals svymean(~I(100 * ((nps10 >= 9) - (nps10 <= 6))), deff = 'replace'): estimate, SE, deff."""
    out = cxstats.nps(designs[P], "nps10")
    assert_allclose(out["estimate"], ref("NPS", P), rtol=RTOL)
    assert_allclose(out["se"], ref("NPS_SE", P), rtol=RTOL)
    assert_allclose(out["deff"], ref("NPS_DEFF", P), rtol=RTOL)


@pytest.mark.parametrize("P", DESIGNS)
def test_nps_by_stype_matches_svyby(designs, P):
    """NPS by stype equals svyby(~I(100 * ...), ~stype, svymean, deff = 'replace') (CLUS1 H: SE 0, deff NaN)."""
    out = cxstats.nps(designs[P], "nps10", by="stype")
    se, r_se = out["se"].to_numpy(), np.array(ref("BY_STYPE_NPS_SE", P))
    assert_allclose(out["estimate"], ref("BY_STYPE_NPS", P), rtol=RTOL)
    assert_allclose(se[r_se != 0], r_se[r_se != 0], rtol=RTOL)
    assert_allclose(se[r_se == 0], 0.0, atol=1e-12)
    assert_allclose(out["deff"], ref("BY_STYPE_NPS_DEFF", P), rtol=RTOL)  # NaN where R's is NaN


@pytest.mark.parametrize("groups", ["few: summed chunk by chunk", "many: numbered at once"])
@pytest.mark.parametrize("P", DESIGNS)
def test_compiled_sums_give_rs_numbers(api, monkeypatch, P, groups):
    """From _COMPILED_FROM rows the group sums and each group's lowest answer are taken by compiled loops
    (numba), where numpy takes a pass per sum: forced here on R's api samples, for both ways of numbering the
    groups, the estimates are R's, as above (missing answers, domains, NPS, a share)."""
    import cxstats._aggregate as aggregation

    monkeypatch.setattr(aggregation, "_COMPILED_FROM", 1)
    if groups.startswith("many"):
        monkeypatch.setattr(aggregation, "_FEW_GROUPS", 0)
    design = cxstats.survey_design(api[P], **SPECS[P])
    checks = [
        (cxstats.weighted_mean(design, "api00"), "MEAN_API00", ("", "_SE", "_DEFF")),
        (cxstats.weighted_total(design, "enroll"), "TOTAL_ENROLL", ("", "_SE", "_DEFF")),
        (cxstats.weighted_mean(design, "api00", by="stype"), "BY_STYPE_MEAN_API00", ("", "_SE", "_DEFF")),
        (cxstats.weighted_mean(design, "enroll", by="stype"), "BY_STYPE_MEAN_ENROLL", ("", "_SE", "_DEFF")),
        (cxstats.weighted_total(design, "enroll", by="stype"), "BY_STYPE_TOTAL_ENROLL", ("", "_SE", "_DEFF")),
        (cxstats.nps(design, "nps10"), "NPS", ("", "_SE", "_DEFF")),
        (cxstats.nps(design, "nps10", by="stype"), "BY_STYPE_NPS", ("", "_DEFF")),
    ]
    for out, tag, parts in checks:
        for part in parts:
            column = {"": "estimate", "_SE": "se", "_DEFF": "deff"}[part]
            assert_allclose(out[column], np.ravel(ref(tag + part, P)), rtol=RTOL, err_msg=tag + part)
    share = cxstats.weighted_proportion(design, "sch_wide", by="stype", method="logit")
    assert_allclose(share["estimate"], ref("BY_STYPE_CIPROP_SCHWIDE_LOGIT", P), rtol=RTOL)
    assert_allclose(share["ci_low"], ref("BY_STYPE_CIPROP_SCHWIDE_LOGIT_LOW", P), rtol=RTOL)


def test_constant_domain_has_se_zero_and_nan_deff(designs):
    """CLUS1 stype H: every school a detractor, NPS -100 with SE exactly 0 and an undefined (NaN) design effect."""
    out = cxstats.nps(designs["CLUS1"], "nps10", by="stype").set_index("stype")
    assert R.CLUS1_BY_STYPE_NPS_SE[1] == 0 and np.isnan(R.CLUS1_BY_STYPE_NPS_DEFF[1])
    assert out.loc["H", "estimate"] == -100
    assert out.loc["H", "se"] == 0.0
    assert np.isnan(out.loc["H", "deff"])
    assert out.loc["H", "ci_low"] == out.loc["H", "ci_high"] == -100


@pytest.mark.parametrize("cluster", [None, "id"])
def test_constant_answer_has_se_zero_and_nan_deff(cluster):
    """Two answers of 3 with weights 0.5 and 2: R's svymean(~y, svydesign(id = ~1, weights = ~w), deff = 'replace')
    gives SE 0 and deff NaN, with rows as PSUs (weights only) as with a unique-id cluster column."""
    frame = pd.DataFrame({"y": [3.0, 3.0], "w": [0.5, 2.0], "id": [1, 2]})
    out = cxstats.weighted_mean(cxstats.survey_design(frame, weight="w", cluster=cluster), "y")
    assert out["estimate"][0] == 3.0
    assert out["se"][0] == 0.0
    assert np.isnan(out["deff"][0]) and np.isnan(out["n_effective"][0])


def test_constant_answer_deff_is_never_negative():
    """Three answers of 3 with weights 2.07, 2.07, 1.66 (weights only; R's svymean: SE 3.1e-17 from rounding, deff
    Inf): the design effect, a ratio of two variances, is never negative (NaN or Inf for no spread)."""
    frame = pd.DataFrame({"y": [3.0, 3.0, 3.0], "w": [2.07, 2.07, 1.66]})
    out = cxstats.weighted_mean(frame, "y", weight="w")
    assert not out["deff"][0] < 0
    assert not out["n_effective"][0] < 0


@pytest.mark.parametrize("P", DESIGNS)
def test_top2_box_matches_svyciprop_logit(designs, P):
    """top_box(k=2) of the 1-5 rating equals svyciprop(~I(rating5 >= 4), method = 'logit'): estimate, SE, CI."""
    out = cxstats.top_box(designs[P], "rating5", k=2, scale=range(1, 6))
    assert_allclose(out["estimate"], ref("TOP2_RATING5", P), rtol=RTOL)
    assert_allclose(out["se"], ref("TOP2_RATING5_SE", P), rtol=RTOL)
    assert_allclose([out["ci_low"][0], out["ci_high"][0]], ref("TOP2_RATING5_CI", P), rtol=RTOL)
    assert out["box"][0] == "4, 5"


@pytest.mark.parametrize("P", DESIGNS)
def test_compare_domains_matches_svycontrast(designs, P):
    """Pairwise differences of domain means and their SEs equal svycontrast(svyby(..., covmat = TRUE), c(a=1, b=-1))."""
    out = cxstats.compare_domains(designs[P], "api00", by="stype")
    assert list(zip(out["group1"], out["group2"], strict=True)) == PAIRS
    assert_allclose(out["diff"], [ref(f"CONTRAST_{a}_{b}", P) for a, b in PAIRS], rtol=RTOL)
    assert_allclose(out["se"], [ref(f"CONTRAST_{a}_{b}_SE", P) for a, b in PAIRS], rtol=RTOL)


@pytest.mark.parametrize("P", DESIGNS)
def test_compare_domains_df_is_design_degf(designs, P):
    """compare_domains uses t with degf(design); R's svyttest has the same estimate and SE but one df fewer
    than degf of its subset (its regression spends one), as R documents."""
    out = cxstats.compare_domains(designs[P], "api00", by="stype")
    e_h = out.iloc[0]
    assert (e_h["group1"], e_h["group2"]) == ("E", "H")
    assert_allclose(e_h["diff"], ref("TTEST_E_VS_H", P), rtol=RTOL)
    assert_allclose(e_h["se"], ref("TTEST_E_VS_H_SE", P), rtol=RTOL)
    assert_allclose(e_h["statistic"], ref("TTEST_E_VS_H_STATISTIC", P), rtol=RTOL)
    assert ref("TTEST_E_VS_H_DF", P) == ref("TTEST_E_VS_H_SUBSET_DEGF", P) - 1
    assert (out["df"] == ref("DEGF", P)).all()
    assert_allclose(out["p_value"], 2 * stats.t.sf(np.abs(out["statistic"]), ref("DEGF", P)), rtol=1e-12)


@pytest.mark.parametrize("P", DESIGNS)
def test_domain_covariance_matches_svyby_vcov(designs, P):
    """The full covariance of the domain means equals vcov(svyby(~api00, ~stype, svymean, covmat = TRUE))."""
    design = designs[P]
    dom = domains(design, value_totals(design, "api00", ["stype"]), ["stype"])
    got = domain_variance(design, dom, diagonal=False)
    expected = np.reshape(ref("BY_STYPE_VCOV", P), ref("BY_STYPE_VCOV_DIM", P))
    exact_zero = expected == 0  # STRAT: strata are the domains, so they do not covary
    assert_allclose(got[~exact_zero], expected[~exact_zero], rtol=RTOL)
    assert_allclose(got[exact_zero], 0.0, atol=1e-9)
    assert_allclose(got, got.T, rtol=1e-12)


# ------------------------------------------------------------------ lonely PSUs, zero weights, weights from the fpc

@pytest.mark.parametrize("rule", LONELY_RULES)
def test_lonely_psu_element_level_matches_r(lonely, rule):
    """A stratum with one respondent (LONELY): svymean and svytotal SEs under options(survey.lonely.psu = rule)."""
    design = cxstats.survey_design(lonely, weight="pw", strata="stype2", lonely_psu=rule)
    X = rule.upper()
    assert design.degf == R.LONELY_DEGF
    mean = cxstats.weighted_mean(design, "api00")
    assert_allclose([mean["estimate"][0], mean["se"][0]], [ref(f"LONELY_{X}_MEAN"), ref(f"LONELY_{X}_MEAN_SE")],
                    rtol=RTOL)
    total = cxstats.weighted_total(design, "enroll")
    assert_allclose([total["estimate"][0], total["se"][0]], [ref(f"LONELY_{X}_TOTAL"), ref(f"LONELY_{X}_TOTAL_SE")],
                    rtol=RTOL)


@pytest.mark.parametrize("rule", LONELY_RULES)
def test_lonely_psu_element_level_by_stype_matches_svyby(lonely, rule):
    """svyby(~api00, ~stype, LONELY, svymean) under each lonely-PSU rule (domain E holds the lonely stratum)."""
    design = cxstats.survey_design(lonely, weight="pw", strata="stype2", lonely_psu=rule)
    out = cxstats.weighted_mean(design, "api00", by="stype")
    X = rule.upper()
    assert_allclose(out["estimate"], ref(f"LONELY_{X}_BY_STYPE_MEAN"), rtol=RTOL)
    assert_allclose(out["se"], ref(f"LONELY_{X}_BY_STYPE_SE"), rtol=RTOL)


@pytest.mark.parametrize("rule", LONELY_RULES)
def test_lonely_psu_cluster_level_matches_r(lonecl, rule):
    """A stratum with one district (LONECL): svymean and svytotal SEs under options(survey.lonely.psu = rule)."""
    design = cxstats.survey_design(lonecl, weight="pw", strata="st", cluster="dnum", lonely_psu=rule)
    X = rule.upper()
    assert design.degf == R.LONECL_DEGF
    mean = cxstats.weighted_mean(design, "api00")
    assert_allclose([mean["estimate"][0], mean["se"][0]], [ref(f"LONECL_{X}_MEAN"), ref(f"LONECL_{X}_MEAN_SE")],
                    rtol=RTOL)
    total = cxstats.weighted_total(design, "enroll")
    assert_allclose([total["estimate"][0], total["se"][0]], [ref(f"LONECL_{X}_TOTAL"), ref(f"LONECL_{X}_TOTAL_SE")],
                    rtol=RTOL)


def test_lonely_psu_fail_names_the_stratum(lonely, lonecl):
    """lonely_psu='fail' (the default, as R's) raises a ValueError naming the stratum with one PSU."""
    assert "(L)" in R.LONELY_FAIL_ERROR
    with pytest.raises(ValueError, match=r"stratum\(s\) \['L'\] of 'stype2' have only one PSU"):
        cxstats.survey_design(lonely, weight="pw", strata="stype2")
    with pytest.raises(ValueError, match=r"stratum\(s\) \['C'\] of 'st' have only one PSU"):
        cxstats.survey_design(lonecl, weight="pw", strata="st", cluster="dnum", lonely_psu="fail")


def test_zero_weights_stay_in_the_design(zero_design):
    """Zero-weight rows stay (nrow 183) but their PSUs do not count for degf (13, R's degf(ZERO))."""
    assert zero_design.degf == R.ZERO_DEGF
    assert zero_design.n_rows == R.ZERO_NROW
    assert zero_design.n_zero_weight == 6


def test_zero_weights_mean_and_total_match_r(zero_design):
    """svymean(~api00, ZERO, deff = 'replace') and svytotal(~enroll, ZERO) with zero weights."""
    mean = cxstats.weighted_mean(zero_design, "api00")
    assert_allclose([mean["estimate"][0], mean["se"][0], mean["deff"][0]],
                    [R.ZERO_MEAN_API00, R.ZERO_MEAN_API00_SE, R.ZERO_MEAN_API00_DEFF], rtol=RTOL)
    assert mean["n"][0] == R.ZERO_NROW - 6
    total = cxstats.weighted_total(zero_design, "enroll")
    assert_allclose([total["estimate"][0], total["se"][0]], [R.ZERO_TOTAL_ENROLL, R.ZERO_TOTAL_ENROLL_SE], rtol=RTOL)


def test_zero_weights_by_domain_match_svyby(zero_design):
    """svyby(~api00, ~stype, ZERO, svymean): estimates, SEs, and the domain degf (zero-weight PSUs not counted)."""
    out = cxstats.weighted_mean(zero_design, "api00", by="stype")
    assert out["stype"].tolist() == R.ZERO_BY_STYPE_LEVELS
    assert_allclose(out["estimate"], R.ZERO_BY_STYPE_MEAN_API00, rtol=RTOL)
    assert_allclose(out["se"], R.ZERO_BY_STYPE_MEAN_API00_SE, rtol=RTOL)
    assert out["df"].tolist() == R.ZERO_BY_STYPE_DEGF


def test_zero_weights_korn_graubard_matches_svyciprop_beta(zero_design):
    """svyciprop(method = 'beta') on ZERO: the Korn-Graubard df adjustment uses nrow including zero-weight rows."""
    out = cxstats.weighted_proportion(zero_design, "sch_wide", method="korn_graubard")
    assert_allclose([out["estimate"][0], out["se"][0]], [R.ZERO_CIPROP_SCHWIDE_BETA, R.ZERO_CIPROP_SCHWIDE_BETA_SE],
                    rtol=RTOL)
    assert_allclose([out["ci_low"][0], out["ci_high"][0]], R.ZERO_CIPROP_SCHWIDE_BETA_CI, rtol=RTOL)


def test_weights_derived_from_fpc_match_r(api):
    """CLUS2 without weights: weights are the inverse sampling fractions of both stages, as weights(CLUS2_NOWT)."""
    design = cxstats.survey_design(api["CLUS2"], cluster=["dnum", "snum"], fpc=["fpc1", "fpc2"])
    assert_allclose(design.weights[:10], R.CLUS2_NOWT_WEIGHTS_HEAD10, rtol=RTOL)
    assert np.max(np.abs(design.weights - api["CLUS2"]["pw"])) < 1e-9
    out = cxstats.weighted_mean(design, "api00")
    assert_allclose([out["estimate"][0], out["se"][0]], [R.CLUS2_NOWT_MEAN_API00, R.CLUS2_NOWT_MEAN_API00_SE],
                    rtol=RTOL)


# ------------------------------------------------------------------ PSU ids nested in strata

def _renumber_within(frame, strata, psu, name="psu"):
    """PSU ids 1, 2, ... within each stratum (so the same id appears in several strata)."""
    ids = frame.groupby(strata)[psu].rank(method="dense").astype(int)
    return frame.assign(**{name: ids})


def test_psus_repeated_across_strata_need_nest(lonecl):
    """PSU ids numbered within strata with nest=False: an error naming the column, the strata and nest=True."""
    renumbered = _renumber_within(lonecl, "st", "dnum")
    with pytest.raises(ValueError, match=r"PSUs are not nested in strata in the data: PSU .*1.* of 'psu' appears in "
                                         r"strata \['A', 'B'.*pass nest=True"):
        cxstats.survey_design(renumbered, weight="pw", strata="st", cluster="psu", lonely_psu="adjust")


def test_nest_error_shows_the_psu_id_as_written(lonecl):
    """The nesting error shows the repeated PSU id as the data has it ("PSU 1"), not a numpy repr ("np.int64(1)")."""
    renumbered = _renumber_within(lonecl, "st", "dnum")
    with pytest.raises(ValueError, match=r"PSU 1 of 'psu'"):
        cxstats.survey_design(renumbered, weight="pw", strata="st", cluster="psu", lonely_psu="adjust")


def test_fpc_error_shows_a_numeric_stratum_as_written(api):
    """An fpc varying within stratum 1 (strata coded 1/2/3) names "stratum 1", not "stratum np.int64(1)"."""
    frame = _with(api["STRAT"].assign(s=api["STRAT"]["stype"].map({"E": 1, "H": 2, "M": 3})), "fpc", [0], 5000.0)
    with pytest.raises(ValueError, match=r"varies within stratum 1 \(4421 to 5000\)"):
        cxstats.survey_design(frame, weight="pw", strata="s", fpc="fpc")


def test_stage2_fpc_error_names_the_district(api):
    """fpc2 varying within district 83 of CLUS2 names district 83 (a dnum value), not the internal unit code 2."""
    frame = _with(api["CLUS2"], "fpc2", [2], 99.0)
    assert frame.loc[2, "dnum"] == 83
    with pytest.raises(ValueError, match=r"fpc at stage 2 varies within .*\b83\b"):
        cxstats.survey_design(frame, weight="pw", cluster=["dnum", "snum"], fpc=["fpc1", "fpc2"])


@pytest.mark.parametrize("rule", LONELY_RULES)
def test_nest_true_equals_unique_psu_ids(lonecl, rule):
    """Districts renumbered within strata with nest=True give LONECL's R results, as the original district ids."""
    renumbered = _renumber_within(lonecl, "st", "dnum")
    nested = cxstats.survey_design(renumbered, weight="pw", strata="st", cluster="psu", nest=True, lonely_psu=rule)
    unique = cxstats.survey_design(lonecl, weight="pw", strata="st", cluster="dnum", lonely_psu=rule)
    assert nested.degf == unique.degf == R.LONECL_DEGF
    for estimate, column in [(cxstats.weighted_mean, "api00"), (cxstats.weighted_total, "enroll")]:
        got, expected = estimate(nested, column, by="stype"), estimate(unique, column, by="stype")
        assert_allclose(got[RESULT_FLOATS], expected[RESULT_FLOATS], rtol=SAME)
    mean = cxstats.weighted_mean(nested, "api00")
    assert_allclose(mean["se"], ref(f"LONECL_{rule.upper()}_MEAN_SE"), rtol=RTOL)
    total = cxstats.weighted_total(nested, "enroll")
    assert_allclose(total["se"], ref(f"LONECL_{rule.upper()}_TOTAL_SE"), rtol=RTOL)


def test_nest_true_on_schools_numbered_within_strata_gives_strat(api):
    """apistrat with schools numbered 1..n within each stype as the PSU and nest=True is R's STRAT design."""
    frame = api["STRAT"].assign(row=np.arange(len(api["STRAT"])))
    renumbered = _renumber_within(frame, "stype", "row")
    design = cxstats.survey_design(renumbered, **SPECS["STRAT"], cluster="psu", nest=True)
    assert design.degf == R.STRAT_DEGF
    out = cxstats.weighted_mean(design, "api00")
    assert_allclose([out["estimate"][0], out["se"][0], out["deff"][0]],
                    [R.STRAT_MEAN_API00, R.STRAT_MEAN_API00_SE, R.STRAT_MEAN_API00_DEFF], rtol=RTOL)
    by = cxstats.weighted_mean(design, "api00", by="stype")
    assert_allclose(by["se"], R.STRAT_BY_STYPE_MEAN_API00_SE, rtol=RTOL)
    with pytest.raises(ValueError, match="not nested in strata"):
        cxstats.survey_design(renumbered, **SPECS["STRAT"], cluster="psu")


# ------------------------------------------------------------------ fpc as fractions

def test_fpc_as_fractions_equals_population_sizes(api, designs):
    """fpc given as sampling fractions n_h / N_h (STRAT) gives the same estimates as population sizes N_h."""
    frame = api["STRAT"]
    sampled = frame.groupby("stype")["stype"].transform("size")
    design = cxstats.survey_design(frame.assign(f=sampled / frame["fpc"]), weight="pw", strata="stype", fpc="f")
    assert_allclose(design.strata_table["popsize"], designs["STRAT"].strata_table["popsize"], rtol=SAME)
    for estimate, column in [(cxstats.weighted_mean, "api00"), (cxstats.weighted_total, "enroll")]:
        got, expected = estimate(design, column, by="stype"), estimate(designs["STRAT"], column, by="stype")
        assert_allclose(got[RESULT_FLOATS], expected[RESULT_FLOATS], rtol=SAME)


def test_two_stage_fpc_as_fractions_equals_population_sizes(api, designs):
    """CLUS2 with fractions at both stages (districts sampled / 757, schools sampled / schools in the district)."""
    frame = api["CLUS2"]
    districts = frame["dnum"].nunique()
    schools = frame.groupby("dnum")["snum"].transform("nunique")
    fractions = frame.assign(f1=districts / frame["fpc1"], f2=schools / frame["fpc2"])
    design = cxstats.survey_design(fractions, weight="pw", cluster=["dnum", "snum"], fpc=["f1", "f2"])
    got, expected = cxstats.weighted_mean(design, "api00"), cxstats.weighted_mean(designs["CLUS2"], "api00")
    assert_allclose(got[RESULT_FLOATS], expected[RESULT_FLOATS], rtol=SAME)
    assert_allclose(got["se"], R.CLUS2_MEAN_API00_SE, rtol=RTOL)


# ------------------------------------------------------------------ the same designs read from files

@pytest.fixture(scope="module")
def files(api, tmp_path_factory):
    """api_clus1 and api_clus2 written as Parquet and as CSV."""
    folder = tmp_path_factory.mktemp("api")
    paths = {}
    for name in ("CLUS1", "CLUS2"):
        paths[name, "parquet"] = folder / f"{name}.parquet"
        api[name].to_parquet(paths[name, "parquet"], index=False)
        paths[name, "csv"] = folder / f"{name}.csv"
        api[name].to_csv(paths[name, "csv"], index=False)
    return paths


@pytest.fixture(scope="module")
def file_designs(files):
    """CLUS1 and CLUS2 over their Parquet and CSV files, made once."""
    return {(name, fmt): cxstats.survey_design(path, **SPECS[name]) for (name, fmt), path in files.items()}


FILE_CASES = [(name, fmt) for name in ("CLUS1", "CLUS2") for fmt in ("parquet", "csv")]
FILE_ESTIMATES = {
    "mean": lambda d: cxstats.weighted_mean(d, "api00"),
    "total": lambda d: cxstats.weighted_total(d, "enroll"),
    "proportion": lambda d: cxstats.weighted_proportion(d, "sch_wide", method="korn_graubard"),
    "nps_by": lambda d: cxstats.nps(d, "nps10", by="stype"),
}


@pytest.mark.parametrize("name, fmt", FILE_CASES)
def test_design_from_file_has_the_same_structure(files, file_designs, designs, name, fmt):
    """A design over a file (read by DuckDB, not loaded) has the in-memory design's degf and strata table."""
    design = file_designs[name, fmt]
    assert not design.in_memory
    assert design.source == str(files[name, fmt])
    assert design.degf == designs[name].degf == ref("DEGF", name)
    assert design.n_rows == designs[name].n_rows
    pd.testing.assert_frame_equal(design.strata_table, designs[name].strata_table, check_dtype=False)


@pytest.mark.parametrize("what", list(FILE_ESTIMATES))
@pytest.mark.parametrize("name, fmt", FILE_CASES)
def test_estimates_from_file_equal_in_memory(file_designs, designs, name, fmt, what):
    """Mean, total (missing answers), proportion and NPS by stype from a Parquet/CSV file equal the in-memory ones."""
    got, expected = FILE_ESTIMATES[what](file_designs[name, fmt]), FILE_ESTIMATES[what](designs[name])
    assert list(got.columns) == list(expected.columns)
    floats = [c for c in got.columns if c in RESULT_FLOATS or c in ("promoters", "passives", "detractors")]
    assert_allclose(got[floats].to_numpy(float), expected[floats].to_numpy(float), rtol=SAME)
    assert got["n"].tolist() == expected["n"].tolist()
    assert got["n_missing"].tolist() == expected["n_missing"].tolist()
    if "stype" in got:
        assert got["stype"].tolist() == expected["stype"].tolist()


@pytest.mark.parametrize("name, fmt", FILE_CASES)
def test_compare_domains_from_file_equals_in_memory(file_designs, designs, name, fmt):
    """compare_domains over a file gives the in-memory differences, SEs, df and p-values, hence R's svycontrast."""
    got = cxstats.compare_domains(file_designs[name, fmt], "api00", by="stype")
    expected = cxstats.compare_domains(designs[name], "api00", by="stype")
    numbers = ["estimate1", "estimate2", "diff", "se", "statistic", "df", "p_value", "p_adjusted"]
    assert_allclose(got[numbers].to_numpy(float), expected[numbers].to_numpy(float), rtol=SAME)
    # an interval end near 0 (CLUS2 E - M: -0.72 = 50.46 - 2.02 * 25.30) keeps the SE's absolute accuracy only
    for end in ("ci_low", "ci_high"):
        assert_allclose(got[end], expected[end], rtol=SAME, atol=SAME * expected["se"].max())
    assert_allclose(got["se"], [ref(f"CONTRAST_{a}_{b}_SE", name) for a, b in PAIRS], rtol=RTOL)


def test_nan_answer_in_parquet_is_a_missing_answer(api, tmp_path):
    """A NaN answer stored as NaN (not null) in a Parquet file, as polars or Spark write it, counts as missing, as
    NaN does in memory: CLUS1's mean of api00 with row 3 NaN is the in-memory one, with n_missing 1."""
    frame = _with(api["CLUS1"].astype({"api00": float}), "api00", [3], np.nan)
    table = pa.Table.from_pandas(frame.drop(columns="api00"), preserve_index=False)
    table = table.append_column("api00", pa.array(frame["api00"].to_numpy(), type=pa.float64(), from_pandas=False))
    pq.write_table(table, tmp_path / "nan_answer.parquet")
    got = cxstats.weighted_mean(cxstats.survey_design(tmp_path / "nan_answer.parquet", **SPECS["CLUS1"]), "api00")
    expected = cxstats.weighted_mean(cxstats.survey_design(frame, **SPECS["CLUS1"]), "api00")
    assert (got["n"][0], got["n_missing"][0]) == (182, 1)
    assert_allclose(got[RESULT_FLOATS], expected[RESULT_FLOATS], rtol=SAME)


def test_estimate_from_file_path_directly_matches_r(files):
    """An estimate given the Parquet path itself (no design) uses the weights only; CLUS2's mean is R's."""
    out = cxstats.weighted_mean(files["CLUS2", "parquet"], "api00", weight="pw")
    assert_allclose(out["estimate"], R.CLUS2_MEAN_API00, rtol=RTOL)


# ------------------------------------------------------------------ design errors

def _with(frame, column, rows, value):
    frame = frame.copy()
    frame.loc[rows, column] = value
    return frame


DESIGN_ERRORS = [
    ("missing column", lambda a: cxstats.survey_design(a["STRAT"], weight="pw", strata="stratum"),
     r"column\(s\) \['stratum'\] not in the data"),
    ("missing cluster column", lambda a: cxstats.survey_design(a["CLUS1"], weight="pw", cluster=["dnum", "school"]),
     r"column\(s\) \['school'\] not in the data"),
    ("NaN weight", lambda a: cxstats.survey_design(_with(a["STRAT"], "pw", [3, 7], np.nan), weight="pw"),
     r"weight column 'pw' has 2 missing or non-finite value\(s\), e.g. rows \[3, 7\]"),
    ("missing weight (pd.NA)", lambda a: cxstats.survey_design(
        _with(a["STRAT"].astype({"pw": "Float64"}), "pw", [5], pd.NA), weight="pw"),
     r"weight column 'pw' has 1 missing or non-finite value\(s\), e.g. rows \[5\]"),
    ("infinite weight", lambda a: cxstats.survey_design(_with(a["STRAT"], "pw", [9], np.inf), weight="pw"),
     r"weight column 'pw' has 1 missing or non-finite value\(s\), e.g. rows \[9\]"),
    ("minus infinite weight", lambda a: cxstats.survey_design(_with(a["STRAT"], "pw", [9], -np.inf), weight="pw"),
     r"weight column 'pw' has 1 missing or non-finite value\(s\), e.g. rows \[9\]"),
    ("negative weight", lambda a: cxstats.survey_design(_with(a["STRAT"], "pw", [2, 4, 6], -1.0), weight="pw"),
     r"weight column 'pw' has 3 negative value\(s\), e.g. rows \[2, 4, 6\]"),
    ("weights whose sum overflows", lambda a: cxstats.survey_design(a["STRAT"].assign(pw=1e307), weight="pw"),
     "weight column 'pw' is too large to sum; rescale it"),
    ("all-zero weights", lambda a: cxstats.survey_design(a["STRAT"].assign(pw=0.0), weight="pw"),
     "weight column 'pw' sums to zero"),
    ("non-numeric weight", lambda a: cxstats.survey_design(a["STRAT"], weight="stype"),
     "weight column 'stype' must be numeric"),
    ("missing stratum", lambda a: cxstats.survey_design(_with(a["STRAT"], "stype", [11], None), weight="pw",
                                                        strata="stype"),
     r"strata column 'stype' has 1 missing value\(s\) in the data, e.g. rows \[11\]"),
    ("missing cluster", lambda a: cxstats.survey_design(_with(a["CLUS1"], "dnum", [0, 12], np.nan), weight="pw",
                                                        cluster="dnum"),
     r"cluster column 'dnum' has 2 missing value\(s\) in the data, e.g. rows \[0, 12\]"),
    ("missing second-stage cluster", lambda a: cxstats.survey_design(
        _with(a["CLUS2"], "snum", [4], np.nan), weight="pw", cluster=["dnum", "snum"]),
     r"cluster column 'snum' has 1 missing value\(s\) in the data, e.g. rows \[4\]"),
    ("missing fpc", lambda a: cxstats.survey_design(_with(a["CLUS1"], "fpc", [8], np.nan), weight="pw", cluster="dnum",
                                                    fpc="fpc"),
     r"fpc column 'fpc' has 1 missing value\(s\) in the data, e.g. rows \[8\]"),
    ("fpc varies within a stratum", lambda a: cxstats.survey_design(
        _with(a["STRAT"], "fpc", [0], 5000.0), weight="pw", strata="stype", fpc="fpc"),
     r"fpc at stage 1 varies within stratum 'E' \(4421 to 5000\)"),
    ("fpc varies within a PSU at stage 2", lambda a: cxstats.survey_design(
        _with(a["CLUS2"], "fpc2", [2], 99.0), weight="pw", cluster=["dnum", "snum"], fpc=["fpc1", "fpc2"]),
     r"fpc at stage 2 varies within 'dnum' unit .*\(3 to 99\) in the data; it must be one value per 'dnum' unit"),
    ("fpc smaller than the sample at stage 2", lambda a: cxstats.survey_design(
        a["CLUS2"].assign(fpc2=np.where(a["CLUS2"]["dnum"] == 83, 1, a["CLUS2"]["fpc2"])), weight="pw",
        cluster=["dnum", "snum"], fpc=["fpc1", "fpc2"]),
     r"fpc implies more than 100% sampling at stage 2 in 'dnum' unit 83: 3 units sampled from a population of 1"),
    ("one sampled school of many at stage 2", lambda a: cxstats.survey_design(
        _with(a["CLUS2"], "fpc2", [0], 5.0), weight="pw", cluster=["dnum", "snum"], fpc=["fpc1", "fpc2"]),
     r"unit\(s\) \[15\] of 'dnum' have a single sampled unit of 'snum'.*lonely_psu="),
    ("fpc mixes counts and fractions", lambda a: cxstats.survey_design(
        a["STRAT"].assign(fpc=np.where(a["STRAT"]["stype"] == "E", 0.5, a["STRAT"]["fpc"])), weight="pw",
        strata="stype", fpc="fpc"),
     r"fpc columns \['fpc'\] must all be population sizes .* or all sampling fractions .*, not a mix"),
    ("fpc smaller than the sample", lambda a: cxstats.survey_design(
        a["STRAT"].assign(fpc=np.where(a["STRAT"]["stype"] == "H", 40, a["STRAT"]["fpc"])), weight="pw",
        strata="stype", fpc="fpc"),
     r"fpc implies more than 100% sampling at stage 1 in stratum 'H': 50 units sampled from a population of 40"),
    ("fpc not positive", lambda a: cxstats.survey_design(
        a["STRAT"].assign(fpc=-1.0), weight="pw", strata="stype", fpc="fpc"),
     r"fpc columns \['fpc'\] must be positive"),
    ("single PSU", lambda a: cxstats.survey_design(a["CLUS1"][a["CLUS1"]["dnum"] == 637], weight="pw", cluster="dnum"),
     "the design has a single PSU in the data"),
    ("lonely_psu invalid", lambda a: cxstats.survey_design(a["STRAT"], weight="pw", lonely_psu="scale"),
     r"lonely_psu='scale' is not valid; choose one of: 'fail', 'certainty', 'remove', 'average', 'adjust'"),
    ("nest invalid", lambda a: cxstats.survey_design(a["STRAT"], weight="pw", nest="yes"),
     "nest must be True or False, got 'yes'"),
    ("nest as 1", lambda a: cxstats.survey_design(a["STRAT"], weight="pw", nest=1),
     "nest must be True or False, got 1"),
    ("weight= with a design", lambda a: cxstats.weighted_mean(cxstats.survey_design(a["STRAT"], weight="pw"), "api00",
                                                              weight="pw"),
     "data is a survey design, which carries its weights; drop weight="),
]


@pytest.mark.parametrize("call, message", [case[1:] for case in DESIGN_ERRORS], ids=[c[0] for c in DESIGN_ERRORS])
def test_design_errors_name_what_is_wrong(api, call, message):
    """Each invalid design raises a ValueError naming the column, rows, stratum or option at fault."""
    with pytest.raises(ValueError, match=message):
        call(api)


def test_large_weights_whose_sum_fits_are_accepted(api):
    """Weights near the largest float are checked by their sum, not refused: 200 weights up to 1e301 sum to less
    than the largest float, and give the design of the same weights in ordinary units."""
    frame = api["STRAT"].assign(pw=api["STRAT"]["pw"] / api["STRAT"]["pw"].max())
    large = cxstats.survey_design(frame.assign(pw=frame["pw"] * 1e301), weight="pw", strata="stype")
    usual = cxstats.survey_design(frame, weight="pw", strata="stype")
    assert np.isfinite(large.weights.sum()) and large.weights.max() == 1e301
    assert (large.degf, large.n_zero_weight) == (usual.degf, usual.n_zero_weight)
    pd.testing.assert_frame_equal(large.summary(), usual.summary())


def test_weight_errors_name_index_labels(api):
    """In a DataFrame the rows named are its index labels (here school numbers), not positions."""
    frame = _with(api["STRAT"].set_index("snum"), "pw", [2077, 1622], np.nan)
    with pytest.raises(ValueError, match=r"e.g. rows \[2077, 1622\]"):
        cxstats.survey_design(frame, weight="pw")


def _parquet_with_weights(tmp_path, frame, weights):
    """Write ``frame`` with the weight column ``pw`` given exactly (NaN kept as NaN, None as null)."""
    table = pa.Table.from_pandas(frame.drop(columns="pw"), preserve_index=False)
    table = table.append_column("pw", pa.array(weights, type=pa.float64(), from_pandas=False))
    path = tmp_path / "design.parquet"
    pq.write_table(table, path)
    return path


@pytest.mark.parametrize("bad, message", [
    (None, r"weight column 'pw' has 2 missing or non-finite value\(s\) in .*design.parquet, e.g. rows \[3, 7\] "
           r"\(0-based\)"),
    (np.nan, r"weight column 'pw' has 2 missing or non-finite value\(s\) in .*design.parquet, e.g. rows \[3, 7\] "
             r"\(0-based\)"),
    (np.inf, r"weight column 'pw' has 2 missing or non-finite value\(s\) in .*design.parquet, e.g. rows \[3, 7\]"),
    (-np.inf, r"weight column 'pw' has 2 missing or non-finite value\(s\) in .*design.parquet, e.g. rows \[3, 7\]"),
    (-2.0, r"weight column 'pw' has 2 negative value\(s\) in .*design.parquet, e.g. rows \[3, 7\] \(0-based\)"),
    (1e308, r"weight column 'pw' is too large to sum in .*design.parquet; rescale it"),
], ids=["null", "NaN", "inf", "-inf", "negative", "overflow"])
def test_parquet_weight_errors_give_0_based_rows(api, tmp_path, bad, message):
    """Missing (null), NaN, infinite and negative weights in a Parquet file are named by 0-based row number; finite
    weights whose sum overflows are refused as too large (the engine checks the count, lowest and sum of the weights
    per sampling unit, and only then finds the faulty rows)."""
    weights = api["STRAT"]["pw"].tolist()
    weights[3] = weights[7] = bad
    path = _parquet_with_weights(tmp_path, api["STRAT"], weights)
    with pytest.raises(ValueError, match=message):
        cxstats.survey_design(path, weight="pw", strata="stype")


@pytest.mark.parametrize("column, spec, message", [
    ("stype", {"strata": "stype"}, r"strata column 'stype' has 1 missing value\(s\) in .*\.parquet, e.g. rows \[5\]"),
    ("dnum", {"cluster": "dnum"}, r"cluster column 'dnum' has 1 missing value\(s\) in .*\.parquet, e.g. rows \[5\]"),
    ("fpc", {"cluster": "dnum", "fpc": "fpc"},
     r"fpc column 'fpc' has 1 missing value\(s\) in .*\.parquet, e.g. rows \[5\] \(0-based\)"),
])
def test_parquet_missing_design_values_name_rows(api, tmp_path, column, spec, message):
    """Missing strata, cluster and fpc values in a Parquet file are named by 0-based row number."""
    path = tmp_path / "missing.parquet"
    _with(api["CLUS1"], column, [5], None).to_parquet(path, index=False)
    with pytest.raises(ValueError, match=message):
        cxstats.survey_design(path, weight="pw", **spec)


def test_parquet_non_numeric_weight(api, tmp_path):
    """A text weight column in a Parquet file is named with its type."""
    path = tmp_path / "text.parquet"
    api["STRAT"].to_parquet(path, index=False)
    with pytest.raises(ValueError, match=r"weight column 'stype' in .*text.parquet must be numeric, not string"):
        cxstats.survey_design(path, weight="stype")


def test_parquet_psus_repeated_across_strata(lonecl, tmp_path):
    """The nesting check runs on files too; with nest=True the file gives the in-memory nested design's SEs."""
    path = tmp_path / "nest.parquet"
    renumbered = _renumber_within(lonecl, "st", "dnum")
    renumbered.to_parquet(path, index=False)
    with pytest.raises(ValueError, match=r"not nested in strata in .*nest.parquet.*pass nest=True"):
        cxstats.survey_design(path, weight="pw", strata="st", cluster="psu", lonely_psu="adjust")
    design = cxstats.survey_design(path, weight="pw", strata="st", cluster="psu", nest=True, lonely_psu="adjust")
    assert_allclose(cxstats.weighted_mean(design, "api00")["se"], R.LONECL_ADJUST_MEAN_SE, rtol=RTOL)


@pytest.mark.parametrize("columns", [pd.MultiIndex.from_tuples([("y", "a"), ("y", "b"), ("w", "")]),
                                     pd.DatetimeIndex(["2020-01-01", "2020-02-01", "2021-01-01"])])
def test_a_name_that_only_resembles_a_label_is_not_a_column(columns):
    """Two-level labels ('w' is a level, not a column) and date labels ('2021' or '2021-01-01' are not the
    Timestamp labels): every entry point says the column is not in the data, as survey_design does (the weights-only
    fast path crashed on the first, and date strings matched date labels)."""
    df = pd.DataFrame(np.random.default_rng(0).uniform(1, 2, (20, 3)), columns=columns)
    answer, weight = ("y", "w") if isinstance(columns, pd.MultiIndex) else ("2020-01-01", "2021")
    for call in (lambda: cxstats.survey_design(df, weight=weight),
                 lambda: cxstats.survey_design(df, weight="2021-01-01"),
                 lambda: cxstats.weighted_mean(df, answer, weight=weight),
                 lambda: cxstats.weighted_proportion(df, answer, weight=weight)):
        with pytest.raises(ValueError, match=r"not in the data; available"):
            call()
