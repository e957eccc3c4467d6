"""Report 06, "Analyze your own survey", rerun on three files: the bundled data, a generated CSV with weights, strata
and clusters, and an SPSS file with value labels and declared missing codes. Its numbers are checked against closed
forms written here (numpy and pandas), never against the package's own estimates."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from scipy import stats

import cxstats
from cxstats.report import read_records, run_notebook

from .conftest import ROOT

pytestmark = pytest.mark.xdist_group("reports")
NOTEBOOK = ROOT / "notebooks" / "06_analyze_your_own_survey.ipynb"
NAME = NOTEBOOK.stem


def build(out, **parameters):
    result = run_notebook(NOTEBOOK, out, parameters=parameters)
    assert result.status == "ok", result.error
    return read_records(out / "notebooks" / f"{NAME}.ipynb"), (out / result.html).read_text()


def linearized_se(z, strata, psu):
    """With-replacement variance of a total of influence values z: PSU totals within strata, n_h / (n_h - 1)."""
    totals = pd.Series(z).groupby([np.asarray(strata), np.asarray(psu)]).sum()
    var = sum(len(t) / (len(t) - 1) * ((t - t.mean()) ** 2).sum() for _, t in totals.groupby(level=0))
    return np.sqrt(var)


def domain_mean(y, w, answered):
    """Weighted mean of y over the answered rows, and its influence values on every row (0 where not answered)."""
    wa = np.where(answered, w, 0.0)
    mean = (wa * np.nan_to_num(y)).sum() / wa.sum()
    return mean, wa * (np.nan_to_num(y) - mean) / wa.sum()


def holm(p):
    """Holm's step-down adjustment, written out."""
    p = np.asarray(p, dtype=float)
    order = np.argsort(p)
    m = p.size
    adjusted = np.empty(m)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        adjusted[i] = running
    return adjusted


def test_bundled_data_numbers(built_reports):
    """Defaults (customer_sat, unweighted): top-2-box = share of 9 or 10 read from the raw CSV, with the simple random
    sampling standard error sqrt(p (1 - p) / (n - 1)); everyone answered; n - 1 degrees of freedom."""
    got = read_records(built_reports[1] / "notebooks" / f"{NAME}.ipynb")
    raw = pd.read_csv(ROOT / "data" / "raw" / "respondents" / "customer_sat" / "customer_sat.csv")
    n = len(raw)
    assert got["n_rows"] == n == 1811
    assert "top2_q1" not in got  # q1 (overall satisfaction) is not a rating by default: overall is None
    for column in [f"q{i}" for i in range(2, 11)]:
        share = (raw[column] >= 9).mean()
        assert_allclose(got[f"top2_{column}"], share, rtol=1e-12)
        assert_allclose(got[f"top2_se_{column}"], np.sqrt(share * (1 - share) / (n - 1)), rtol=1e-9)
        assert got[f"answered_{column}"] == raw[column].notna().sum() == n
        assert got[f"missing_{column}"] == 0 and got[f"declared_missing_{column}"] == 0
    assert got["design_df"] == n - 1
    assert "nps" not in got  # no nps column by default: the section is skipped


def _clustered_survey(path):
    """Three regions (strata) with 4, 5 and 6 stores (PSUs numbered within region), store effects, unequal weights,
    1-5 ratings and a 0-10 recommendation with missing answers, segments A-C and a one-respondent segment D whose
    only respondent skipped r1."""
    rng = np.random.default_rng(20240611)
    rows = []
    for region, n_stores in (("north", 4), ("south", 5), ("west", 6)):
        for store in range(1, n_stores + 1):
            effect = rng.normal(0, 0.8)
            for _ in range(rng.integers(10, 18)):
                rows.append({"region": region, "store": store, "effect": effect})
    df = pd.DataFrame(rows)
    n = len(df)
    for item in ("r1", "r2", "r3"):
        answers = np.clip(np.round(3.3 + df.effect + rng.normal(0, 1.1, n)), 1, 5)
        df[item] = np.where(rng.random(n) < 0.1, np.nan, answers)
    ltr = np.clip(np.round(7 + 1.5 * df.effect + rng.normal(0, 2.2, n)), 0, 10)
    df["ltr"] = np.where(rng.random(n) < 0.08, np.nan, ltr)
    df["segment"] = rng.choice(["A", "B", "C"], n)
    df.loc[0, ["segment", "r1"]] = ["D", np.nan]
    df["w"] = np.round(rng.uniform(0.5, 3.0, n), 3)
    df.drop(columns="effect").to_csv(path, index=False)
    return df.drop(columns="effect")


def test_generated_csv_with_weights_strata_and_clusters(tmp_path):
    """Weighted top-2-box shares and NPS, their design-based standard errors (hand-written Taylor linearization),
    the design's degrees of freedom (PSUs - strata), and segment differences with Holm over every answer and pair."""
    path = tmp_path / "clustered.csv"
    df = _clustered_survey(path)
    got, page = build(tmp_path / "out", path=str(path), ratings=["r1", "r2", "r3"], scale_min=1, scale_max=5,
                      overall=None, nps="ltr", segment="segment", weight="w", strata="region", cluster="store",
                      nest=True)
    w, strata, psu = df.w.to_numpy(), df.region, df.region + "/" + df.store.astype(str)
    assert got["design_df"] == psu.nunique() - strata.nunique() == 15 - 3
    assert got["n_rows"] == len(df)
    for item in ("r1", "r2", "r3"):
        answered = df[item].notna().to_numpy()
        share, z = domain_mean((df[item] >= 4).astype(float).to_numpy(), w, answered)
        assert_allclose(got[f"top2_{item}"], share, rtol=1e-10)
        assert_allclose(got[f"top2_se_{item}"], linearized_se(z, strata, psu), rtol=1e-9)
        assert got[f"missing_{item}"] == (~answered).sum() > 0
    answered = df.ltr.notna().to_numpy()
    points = np.where(df.ltr >= 9, 100.0, np.where(df.ltr <= 6, -100.0, 0.0))
    score, z = domain_mean(points, w, answered)
    assert_allclose(got["nps"], score, rtol=1e-10)
    assert_allclose(got["nps_se"], linearized_se(z, strata, psu), rtol=1e-9)
    assert got["nps_n"] == answered.sum()
    # every pair of segments on each answer: domain means, the covariance through shared stores, t on the design df
    measures = {item: (df[item] >= 4).astype(float).to_numpy() for item in ("r1", "r2", "r3")} | {"ltr": points}
    tests, first = [], {}
    for column, y in measures.items():
        answered = df[column].notna().to_numpy()
        # a segment with one answer has no measurable spread: its pairs are not tested (segment D, one respondent)
        groups = [g for g in sorted(df.segment.unique()) if (answered & (df.segment == g)).sum() >= 2]
        for i, a in enumerate(groups):
            for b in groups[i + 1:]:
                mean_a, z_a = domain_mean(y, w, answered & (df.segment == a).to_numpy())
                mean_b, z_b = domain_mean(y, w, answered & (df.segment == b).to_numpy())
                diff, se = mean_a - mean_b, linearized_se(z_a - z_b, strata, psu)
                tests.append((column, 2 * stats.t.sf(abs(diff / se), got["design_df"])))
                first.setdefault(column, (diff, se, len(tests) - 1))
    adjusted = holm([p for _, p in tests])
    assert len(tests) == 4 * 3  # A, B, C on each answer; D (one respondent; no answer to r1) never tested
    for column, (diff, se, index) in first.items():
        assert_allclose([got[f"diff_{column}"], got[f"diff_se_{column}"]], [diff, se], rtol=1e-9)
        assert_allclose(got[f"diff_p_adjusted_{column}"], adjusted[index], rtol=1e-7)
    assert "not tested: group &#x27;D&#x27; has no answers" in page or "not tested: group 'D' has no answers" in page
    assert "one respondent" in page and "has one answer, whose sampling error cannot be measured" in page


def test_spss_file_scores_codes_and_counts_declared_missing(tmp_path):
    """A .sav whose 0-10 item is labelled only at 0 and 10 and whose 1-5 item has five text labels: the scores come
    from the codes (10, 9, 3, 0, 7 is an NPS of 0, not -100), declared missing codes (99, 8-9) count as missing, and
    the variable labels name the questions."""
    import pyreadstat

    ltr = [10, 9, 3, 0, 7] * 8 + [99, 99, 99]
    agree = [5, 4, 2, 3, 1, 4, 5, 2] * 5 + [8, 9, 9]
    frame = pd.DataFrame({"ltr": np.array(ltr, float), "agree": np.array(agree, float)})
    path = tmp_path / "survey.sav"
    pyreadstat.write_sav(frame, str(path), column_labels=["Recommend to a friend", "Easy to deal with"],
                         variable_value_labels={"ltr": {0: "Not at all likely", 10: "Extremely likely",
                                                        99: "Don't know"},
                                                "agree": {1: "Disagree strongly", 2: "Disagree", 3: "Neutral",
                                                          4: "Agree", 5: "Agree strongly", 8: "Refused",
                                                          9: "Don't know"}},
                         missing_ranges={"ltr": [99], "agree": [{"lo": 8, "hi": 9}]})
    got, page = build(tmp_path / "out", path=str(path), ratings=["agree"], scale_min=1, scale_max=5, overall=None,
                      nps="ltr")
    assert got["nps"] == 0  # 2 promoters and 2 detractors in every 5 answers
    assert got["nps_n"] == 40 and got["missing_ltr"] == got["declared_missing_ltr"] == 3
    assert got["answered_agree"] == 40 and got["missing_agree"] == got["declared_missing_agree"] == 3
    answers = np.array(agree[:40])
    assert_allclose(got["top2_agree"], (answers >= 4).mean(), rtol=1e-12)
    assert "Recommend to a friend" in page and "Easy to deal with" in page and "5 Agree strongly" in page
    assert "99 (Don&#x27;t know)" in page or "99 (Don't know)" in page


def test_a_column_not_in_the_file_fails_the_report_naming_the_parameter(tmp_path):
    """Ratings naming a column the file lacks: the report fails, and the error names the parameter, the column, the
    file and the columns it has."""
    result = run_notebook(NOTEBOOK, tmp_path / "out", parameters={"ratings": ["q2", "q11"]})
    assert result.status == "failed"
    assert "ratings: column 'q11' is not in the bundled dataset customer_sat; its columns are: q1, q2" in result.error


def test_a_scale_no_answer_reaches_is_refused():
    """A 1-5 rating read with the default 1-10 scale would report every top-2-box share as 0%: refused, naming
    scale_max and the highest answer; the right scale passes, and a top box chosen by no one in one rating of
    several is fine."""
    df = pd.DataFrame({"a": [1, 2, 5, 4], "b": [3, 4, 4, 1]})
    with pytest.raises(ValueError, match=r"^scale_max: no answer to any rating reaches the top two points of "
                                         r"scale_min=1 to scale_max=10 \(the highest answer in the data is 5\)"):
        cxstats.check_survey_parameters(df, ["a", "b"])
    assert cxstats.check_survey_parameters(df, ["a", "b"], scale_max=5).scale == (1, 2, 3, 4, 5)
    assert cxstats.check_survey_parameters(df, ["a", "b"], scale_max=6).scale[-1] == 6


def test_the_readme_command_on_a_relative_path(tmp_path, monkeypatch):
    """The README's one command, run in the folder holding the file: a relative path and comma-separated ratings;
    the page states the file read with its SHA-256 and the parameters given, and its NPS is the closed form."""
    import hashlib

    from cxstats.cli import main

    df = _clustered_survey(tmp_path / "my_survey.csv")
    monkeypatch.chdir(tmp_path)
    assert main(["report", str(NOTEBOOK), "--out", "my_report", "-p", "path=my_survey.csv", "-p", "ratings=r1,r2,r3",
                 "-p", "scale_max=5", "-p", "nps=ltr", "-p", "segment=segment", "-p", "weight=w"]) == 0
    got = read_records(tmp_path / "my_report" / "notebooks" / f"{NAME}.ipynb")
    points = np.where(df.ltr >= 9, 100.0, np.where(df.ltr <= 6, -100.0, 0.0))
    answered = df.ltr.notna().to_numpy()
    assert_allclose(got["nps"], domain_mean(points, df.w.to_numpy(), answered)[0], rtol=1e-10)
    page = (tmp_path / "my_report" / f"{NAME}.html").read_text()
    sha = hashlib.sha256((tmp_path / "my_survey.csv").read_bytes()).hexdigest()
    assert f"<code>{tmp_path / 'my_survey.csv'}</code></td><td>SHA-256 <code>{sha}</code>" in page
    assert "<tr><td><code>ratings</code></td><td><code>['r1', 'r2', 'r3']</code></td><td>given</td>" in page


def test_parameters_that_look_wrong_are_refused_or_cautioned():
    """An nps column with no answer above 5 (a 1-5 rating given as nps: NPS near -100) and an overall rating that is
    also a rating are refused naming the parameter; a scale_max no answer reaches is allowed with a caution."""
    df = pd.DataFrame({"a": [1, 2, 5, 4], "b": [3, 4, 5, 1], "ltr5": [1, 2, 5, 4]})
    with pytest.raises(ValueError, match=r"^nps: column 'ltr5' of the data has no answer above 5; a 0-10"):
        cxstats.check_survey_parameters(df, ["a"], scale_max=5, nps="ltr5")
    with pytest.raises(ValueError, match=r"^overall: column 'a' is also one of the ratings"):
        cxstats.check_survey_parameters(df, ["a", "b"], scale_max=5, overall="a")
    assert cxstats.check_survey_parameters(df, ["a", "b"], scale_max=5).cautions == ()
    caution, = cxstats.check_survey_parameters(df, ["a", "b"], scale_max=6).cautions
    assert caution.startswith("No answer to any rating is 6 (scale_max), the highest is 5")


def test_a_pair_with_a_one_answer_segment_is_shown_but_not_tested():
    """Segment C has one answer: its pairs keep their difference but get no SE, interval or p-value, a note, and
    stay out of the Holm family (here of one test: adjusted = raw)."""
    df = pd.DataFrame({"csat": [5, 4, 2, 5] * 10 + [1, 2, 5, 3] * 10 + [5], "region": ["A"] * 40 + ["B"] * 40 + ["C"]})
    out = cxstats.segment_differences(df, "region", ["csat"], scale=range(1, 6))
    tested = out[out.p_value.notna()]
    assert list(zip(tested.group1, tested.group2, strict=True)) == [("A", "B")]
    assert_allclose(tested.p_adjusted, tested.p_value)
    single = out[out.p_value.isna()]
    assert len(single) == 2 and single.se.isna().all() and single["diff"].notna().all()
    assert single.note.str.startswith("not tested: group 'C' has one answer").all()
