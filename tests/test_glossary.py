"""One column glossary: every column of every public table is listed in the README's glossary."""

import dataclasses
import re

import numpy as np
import pandas as pd
import pytest

import cxstats

from .conftest import ROOT

# Tables whose columns are the data itself (respondent answers, survey figures as curated), not statistics:
DATA_TABLES = {
    "read_responses": "returns the user's own file",
    "load_responses": "returns a bundled dataset's own columns (described in its README)",
    "simulate_respondents": "returns synthetic answers named after the survey's figures",
    "simulate_price_study": "returns synthetic answers of a pricing questionnaire (documented in its docstring)",
    "read_survey": "returns the user's own file (or the bundled customer_sat), as read_responses",
    "require_figures": "returns load()'s table of curated figures (columns in load()'s docstring)",
    "require_responses": "returns load_responses()'s bundled dataset, its own columns",
    "feedback_truth": "returns the population values planted in simulate_feedback's table (see its docstring)",
}
# Result fields that are matrices labelled by the data (cells of a table, terms of a model), not statistics:
MATRIX_FIELDS = {"observed", "expected", "covariance"}
NOT_TABLES = {
    "plots": "module of figures (each returns Axes)", "report": "module of the report pipeline",
    "survey_info": "returns a dict of provenance fields (documented in data/raw/README.md)",
    "DataError": "exception", "__version__": "version string",
    "KMeansSegments": "fitted centres are a segments x answers table named after the data's columns",
    "MixtureSegments": "fitted means are a segments x answers table named after the data's columns",
    "count_range": "returns two arrays (lowest and highest whole counts), the count_low/count_high of load()",
    "check_survey_parameters": "returns the checked parameters of report 06 and their survey design, no table",
    "SurveyParameters": "the checked parameters of report 06 and their survey design, no table",
    "simulate_feedback": "writes a synthetic feedback table to Parquet files and returns their folder",
}


def glossary() -> set:
    """Column names in the first cell of each row of the README's column glossary."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### Column glossary", 1)[1].split("\n## ", 1)[0]
    names = set()
    for line in section.splitlines():
        if line.startswith("| `"):
            names.update(re.findall(r"`([^`]+)`", line.split("|")[1]))
    return names


def _respondents():
    rng = np.random.default_rng(2)
    n = 240
    return pd.DataFrame({
        "region": rng.choice(["N", "S"], n), "store": rng.integers(0, 12, n), "w": rng.uniform(0.5, 2, n),
        "csat": rng.integers(1, 6, n).astype(float), "ltr": rng.integers(0, 11, n), "buy": rng.integers(0, 2, n),
        "p10": rng.integers(0, 2, n), "p20": rng.integers(0, 2, n), "segment": rng.integers(0, 3, n),
    })


def _tables(value) -> list:
    """The DataFrames in a result: the frame itself, or the frame-valued fields of a result dataclass."""
    if isinstance(value, pd.DataFrame):
        return [value]
    if dataclasses.is_dataclass(value):
        return [v for f in dataclasses.fields(value)
                if f.name not in MATRIX_FIELDS and isinstance(v := getattr(value, f.name), pd.DataFrame)]
    return []


def _calls():
    """One representative call of every public function and model that returns a table."""
    df = _respondents()
    design = cxstats.survey_design(df.assign(region=df.region), weight="w", strata="region", cluster="store",
                                   nest=True)
    figs = cxstats.load()
    calabrio = cxstats.load("calabrio_2022")
    study = cxstats.simulate_price_study(n=300, seed=1)
    long = pd.read_csv(ROOT / "data" / "raw" / "electricity" / "electricity.csv.gz").query("id <= 20")
    X = cxstats.simulate_respondents("accenture_2016", n=300, seed=1)
    items = list(X.attrs["item_probabilities"].index)[:4]
    rng = np.random.default_rng(0)
    bids, wtp = rng.choice([5, 10, 15, 20, 25], 600), rng.logistic(12, 4, 600)
    bid2 = np.where(wtp > bids, bids * 2, bids / 2)
    cv = pd.DataFrame({"bid": bids, "yes": (wtp > bids).astype(int), "bid2": bid2, "yes2": (wtp > bid2).astype(int)})
    return {
        "list_datasets": lambda: cxstats.list_datasets(),
        "list_responses": lambda: cxstats.list_responses(),
        "key_drivers": lambda: cxstats.key_drivers(design, "csat", ["ltr", "buy", "p10"], n_boot=50, seed=0),
        "KeyDriversResult": lambda: cxstats.key_drivers(df, "csat", ["ltr", "buy"], weight="w", n_boot=50,
                                                        seed=0).compare(),
        "scale_reliability": lambda: cxstats.scale_reliability(df, ["csat", "ltr", "p10"]),
        "ReliabilityResult": lambda: cxstats.scale_reliability(df, ["csat", "ltr"]).items,
        "ordinal_model": lambda: cxstats.ordinal_model(df, "csat", ["segment", "ltr"]),
        "OrdinalModelResult": lambda: cxstats.ordinal_model(df, "csat", ["region"], link="probit"),
        "load": lambda: figs,
        "proportion_ci": lambda: cxstats.proportion_ci(40, 100),
        "test_proportion": lambda: cxstats.test_proportion(40, 100),
        "compare_proportions": lambda: cxstats.compare_proportions(40, 100, 30, 100),
        "power_proportions": lambda: cxstats.power_proportions(0.5, 0.6, 200),
        "breakeven_n": lambda: cxstats.breakeven_n(0.8, 0.08, nobs1=362),
        "adjust_pvalues": lambda: cxstats.adjust_pvalues([0.01, 0.2]),
        "chi2_independence": lambda: cxstats.chi2_independence([[10, 20], [20, 10]]).to_frame(),
        "prob_greater": lambda: cxstats.prob_greater(40, 100, 30, 100),
        "meta_proportions": lambda: cxstats.meta_proportions([40, 50, 45], [100, 120, 90], ["a", "b", "c"]),
        "paired_gap_bounds": lambda: cxstats.paired_gap_bounds(0.6, 0.4, 100),
        "analyze_figures": lambda: cxstats.analyze_figures(figs),
        "compare_groups": lambda: cxstats.compare_groups(calabrio),
        "breakeven_base": lambda: cxstats.breakeven_base(80, 8, 362),
        "compare_figures": lambda: cxstats.compare_figures(
            figs, {"survey": "amex_2014", "figure": "always_share_bad"},
            {"survey": "amex_2014", "figure": "always_tell_good"}),
        "survey_design": lambda: design.summary(),
        "SurveyDesign": lambda: design.summary(),
        "weighted_mean": lambda: cxstats.weighted_mean(design, "csat", by="segment"),
        "weighted_total": lambda: cxstats.weighted_total(design, "csat"),
        "weighted_proportion": lambda: cxstats.weighted_proportion(design, "buy"),
        "nps": lambda: cxstats.nps(design, "ltr", by="segment"),
        "top_box": lambda: cxstats.top_box(design, "csat", scale=range(1, 6)),
        "bottom_box": lambda: cxstats.bottom_box(design, "csat", scale=range(1, 6)),
        "compare_domains": lambda: cxstats.compare_domains(design, "csat", by="segment"),
        "compare_nps": lambda: cxstats.compare_nps(design, "ltr", by="segment"),
        "wave_changes": lambda: cxstats.wave_changes(design, "ltr", wave="segment", by="region"),
        "segment_differences": lambda: cxstats.segment_differences(design, "segment", ["csat"], scale=range(1, 6),
                                                                   nps="ltr"),
        "answer_summary": lambda: cxstats.answer_summary(df.assign(csat=df.csat.where(df.index % 7 > 0)),
                                                         ["csat", "ltr"], weight="w"),
        "weight_summary": lambda: cxstats.weight_summary(df, "w"),
        "crosstab": lambda: cxstats.crosstab(design, "segment", "region"),
        "multiple_response": lambda: cxstats.multiple_response(design, ["buy", "p10", "p20"], by="region"),
        "CrosstabResult": lambda: cxstats.crosstab(df, "segment", "region", weight="w"),
        "rake": lambda: cxstats.rake(df, {"region": {"N": 0.5, "S": 0.5}}),
        "RakeResult": lambda: cxstats.rake(df, {"region": {"N": 0.4, "S": 0.6}}),
        "profile": lambda: cxstats.profile(df, "segment", columns=["csat", "buy"]),
        "describe_segments": lambda: cxstats.describe_segments(cxstats.profile(df, "segment", columns=["csat"])),
        "gabor_granger": lambda: cxstats.gabor_granger(df, {10: "p10", 20: "p20"}),
        "GaborGrangerResult": lambda: cxstats.gabor_granger(df, {10: "p10", 20: "p20"}, weight="w"),
        "van_westendorp": lambda: cxstats.van_westendorp(
            study, "too_cheap", "cheap", "expensive", "too_expensive", pi_cheap="pi_cheap",
            pi_expensive="pi_expensive"),
        "VanWestendorpResult": lambda: cxstats.van_westendorp(
            study, "too_cheap", "cheap", "expensive", "too_expensive"),
        "dichotomous_choice_wtp": lambda: cxstats.dichotomous_choice_wtp(cv, "bid", "yes", draws=200),
        "ValuationResult": lambda: cxstats.dichotomous_choice_wtp(cv, "bid", "yes", "bid2", "yes2", draws=200),
        "choice_model": lambda: cxstats.choice_model(long, "choice", "alt", "chid", ["pf", "cl", "loc"], "pf",
                                                     respondent="id", draws=200),
        "ChoiceModelResult": lambda: cxstats.choice_model(long, "choice", "alt", "chid", ["pf", "cl"], "pf"),
        "Chi2Result": lambda: cxstats.chi2_independence([[10, 20], [20, 10]]).to_frame(),
        "MetaResult": lambda: cxstats.meta_proportions([40, 50], [100, 120]),
        "select_segments": lambda: cxstats.select_segments(cxstats.LatentClassSegments(n_init=1), X[items],
                                                           k=[2], n_bootstrap=0),
        "LatentClassSegments": lambda: cxstats.LatentClassSegments(n_segments=2, n_init=1).fit(
            X[items]).item_probabilities_,
    }


@pytest.fixture(scope="module")
def outputs():
    out = {}
    for name, call in _calls().items():
        value = call()
        tables = value if isinstance(value, list) else _tables(value)
        if isinstance(value, pd.Series):
            tables = [value.to_frame()]
        out[name] = tables
    return out


def test_every_public_name_has_a_representative_call():
    """A new public function cannot skip the glossary check: it needs a call here or a stated exclusion."""
    covered = set(_calls()) | set(DATA_TABLES) | set(NOT_TABLES)
    assert sorted(set(cxstats.__all__) - covered) == []


def test_every_output_column_is_in_the_glossary(outputs):
    """Every column of every table a public function returns is explained in the README's glossary.

    Group columns keep the data's own names (here the test data's columns), so they are not glossary terms.
    """
    known = glossary() | set(_respondents().columns)
    missing = {}
    for name, tables in outputs.items():
        assert tables, f"{name} returned no table to check"
        for table in tables:
            unknown = [c for c in table.columns if str(c) not in known]
            if unknown:
                missing[name] = sorted(set(missing.get(name, [])) | set(map(str, unknown)))
    assert missing == {}


def test_glossary_lists_no_column_twice():
    """Each glossary row names its columns once, so the README cannot give two meanings for one name."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### Column glossary", 1)[1].split("\n## ", 1)[0]
    names = [n for line in section.splitlines() if line.startswith("| `")
             for n in re.findall(r"`([^`]+)`", line.split("|")[1])]
    assert len(names) == len(set(names)), sorted({n for n in names if names.count(n) > 1})


def test_every_glossary_column_has_a_label():
    """Pages show each glossary column under one human label (cxstats.display.LABELS), so the glossary and the
    labels cannot drift apart."""
    from cxstats.display import LABELS

    assert sorted(glossary() - set(LABELS)) == []
    assert all(isinstance(label, str) and label.strip() for label in LABELS.values())
