"""multiple_response and crosstab with a select-all banner, checked against R's survey package.

Reference values: tests/reference/make_multiple_response_reference.R on multiple_response_sample.csv (420
respondents, stratified clusters, weights, four options written 1 when ticked and blank when not).
"""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import cxstats

from .conftest import ROOT
from .reference import r_multiple_response_values as R

OPTIONS = ["phone", "email", "chat", "social"]
EXPORTS = ROOT / "tests" / "data" / "exports"


@pytest.fixture(scope="module")
def sample():
    return cxstats.read_responses(ROOT / "tests" / "reference" / "multiple_response_sample.csv")


@pytest.fixture(scope="module")
def design(sample):
    return cxstats.survey_design(sample, weight="w", strata="stratum", cluster="psu", nest=True)


# Shares against R ------------------------------------------------------------------------------------------------


def test_shares_of_all_respondents_equal_r(design):
    """base='all': svymean of each 0/1 indicator (SE, deff) and svyciprop's logit interval."""
    table = cxstats.multiple_response(design, OPTIONS).table
    assert table["option"].tolist() == OPTIONS
    assert_allclose(table["estimate"], R.ALL_MEAN, rtol=1e-12)
    assert_allclose(table["se"], R.ALL_SE, rtol=1e-10)
    assert_allclose(table["deff"], R.ALL_DEFF, rtol=1e-10)
    assert_allclose(table["ci_low"], R.ALL_CI_LOW, rtol=1e-9)
    assert_allclose(table["ci_high"], R.ALL_CI_HIGH, rtol=1e-9)
    assert (table["n"] == 420).all() and (table["n_missing"] == 0).all()


def test_shares_of_those_who_answered_equal_r(design, sample):
    """base='answered': the same on subset(design, any ticked), a domain of the whole design."""
    table = cxstats.multiple_response(design, OPTIONS, base="answered").table
    assert_allclose(table["estimate"], R.ANSWERED_MEAN, rtol=1e-12)
    assert_allclose(table["se"], R.ANSWERED_SE, rtol=1e-10)
    assert_allclose(table["ci_low"], R.ANSWERED_CI_LOW, rtol=1e-9)
    assert_allclose(table["ci_high"], R.ANSWERED_CI_HIGH, rtol=1e-9)
    answered = int(sample[OPTIONS].notna().any(axis=1).sum())
    assert answered == R.ANSWERED_N
    assert (table["n"] == answered).all() and (table["n_missing"] == 420 - answered).all()
    assert table["n_ticked"].tolist() == sample[OPTIONS].notna().sum().tolist()


def test_mean_number_of_options_equals_r(design):
    """The mean number ticked: svymean(~count) on all respondents and on those who ticked something."""
    count = cxstats.multiple_response(design, OPTIONS).count
    assert_allclose(count[["estimate", "se"]].iloc[0], R.COUNT_ALL, rtol=1e-10)
    assert_allclose(count[["ci_low", "ci_high"]].iloc[0], R.COUNT_ALL_CI, rtol=1e-10)
    answered = cxstats.multiple_response(design, OPTIONS, base="answered").count
    assert_allclose(answered[["estimate", "se"]].iloc[0], R.COUNT_ANSWERED, rtol=1e-10)


def test_groups_and_their_comparisons_equal_r(design):
    """by=: svyby shares and intervals; pairs by svycontrast with degf(design) t tests, Holm over all 12."""
    res = cxstats.multiple_response(design, OPTIONS, by="segment")
    assert res.table["segment"].tolist() == ["lapsed", "new", "repeat"] * 4
    assert_allclose(res.table["estimate"], R.BY_MEAN, rtol=1e-12)
    assert_allclose(res.table["se"], R.BY_SE, rtol=1e-10)
    assert_allclose(res.table["ci_low"], R.BY_CI_LOW, rtol=1e-8)
    assert_allclose(res.table["ci_high"], R.BY_CI_HIGH, rtol=1e-8)
    pairs = res.comparisons
    assert pairs[["group1", "group2"]].drop_duplicates().values.tolist() == [["lapsed", "new"], ["lapsed", "repeat"],
                                                                          ["new", "repeat"]]
    assert_allclose(pairs["diff"], R.PAIR_DIFF, rtol=1e-10)
    assert_allclose(pairs["se"], R.PAIR_SE, rtol=1e-10)
    assert_allclose(pairs["p_value"], R.PAIR_P, rtol=1e-8)
    assert_allclose(pairs["p_adjusted"], R.PAIR_P_HOLM, rtol=1e-8)
    assert (pairs["df"] == R.DEGF).all()


def test_no_by_gives_an_empty_comparison_table(sample):
    """Without by= the comparisons table is empty (with its columns)."""
    res = cxstats.multiple_response(sample, OPTIONS, weight="w")
    assert res.comparisons.empty and "p_adjusted" in res.comparisons
    assert res.to_frame() is res.table and res.base == "all" and res.columns == tuple(OPTIONS)


# What counts as a tick ------------------------------------------------------------------------------------------


def test_labels_ones_blanks_and_zeros():
    """Ticked is the option's label or 1, unticked blank or 0 (never missing): shares of all 5 respondents."""
    df = pd.DataFrame({"chat": ["Chat", None, "Chat", " ", None], "phone": [1, 0, 0, 1, 0],
                       "mail": [True, False, False, False, False]})
    table = cxstats.multiple_response(df, ["chat", "phone", "mail"]).table
    assert table["estimate"].tolist() == [0.4, 0.4, 0.2]
    assert table["n_ticked"].tolist() == [2, 2, 1]
    answered = cxstats.multiple_response(df, ["chat", "phone", "mail"], base="answered").table
    assert answered["n"].tolist() == [3, 3, 3] and answered["estimate"].tolist() == pytest.approx([2 / 3, 2 / 3, 1 / 3])


def test_counted_value_marks_the_tick():
    """With counted=, that value is a tick and any other value is not (1 = yes, 2 = no)."""
    df = pd.DataFrame({"a": [1, 2, 2, 1], "b": [2, 2, 1, 2]})
    with pytest.raises(ValueError, match=r"column 'a' is not a select-all option.*counted="):
        cxstats.multiple_response(df, ["a", "b"])
    assert cxstats.multiple_response(df, ["a", "b"], counted=1).table["estimate"].tolist() == [0.5, 0.25]


def test_two_labels_in_one_column_is_an_error():
    """A column holding two different answers is not a select-all option: ValueError naming it and its values."""
    df = pd.DataFrame({"q4": ["Good", "Poor", None], "q5": ["Chat", None, None]})
    with pytest.raises(ValueError, match=r"column 'q4' is not a select-all option.*\['Good', 'Poor'\]"):
        cxstats.multiple_response(df, ["q4", "q5"])


def test_set_names_and_bad_arguments(sample):
    """A set name must be listed in attrs; two or more distinct columns; by not an option; base from its choices."""
    with pytest.raises(ValueError, match=r"columns='Q5' names no multiple-response set.*lists no sets"):
        cxstats.multiple_response(sample, "Q5")
    with pytest.raises(ValueError, match="two or more different option columns"):
        cxstats.multiple_response(sample, ["phone"])
    with pytest.raises(ValueError, match="two or more different option columns"):
        cxstats.multiple_response(sample, ["phone", "phone"])
    with pytest.raises(ValueError, match=r"by=\['chat'\] is one of the option columns"):
        cxstats.multiple_response(sample, OPTIONS, by="chat")
    with pytest.raises(ValueError, match=r"base='some' is not valid; choose one of: 'all', 'answered'"):
        cxstats.multiple_response(sample, OPTIONS, base="some")
    with pytest.raises(ValueError, match=r"column\(s\) \['fax'\] not in the data"):
        cxstats.multiple_response(sample, ["phone", "fax"])


def test_spss_multiple_dichotomy_set_from_pyreadstat():
    """pyreadstat's simple_alltypes.sav: set 'mymrset' (bool1-3, counted 1); a missing answer is not a tick."""
    df = cxstats.read_responses(EXPORTS / "pyreadstat" / "simple_alltypes.sav")
    assert df.attrs["multiple_response_sets"] == {"mymrset": ["bool1", "bool2", "bool3"]}
    assert df.attrs["multiple_response_counted"] == {"mymrset": 1}
    res = cxstats.multiple_response(df, "mymrset")
    assert res.table["estimate"].tolist() == pytest.approx([3 / 6, 4 / 6, 0.0])
    assert res.table["option_label"].tolist() == ["Response #1", "Response #2", "Response #3"]
    assert res.count["estimate"].iloc[0] == pytest.approx(7 / 6)
    answered = cxstats.multiple_response(df, "mymrset", base="answered").table
    assert answered["n"].tolist() == [5, 5, 5] and answered["estimate"].tolist() == pytest.approx([0.6, 0.8, 0.0])


def test_export_set_by_name_with_groups():
    """A Qualtrics export's set by name, by Q3: shares among each answer's respondents, planted counts."""
    df = cxstats.read_responses(EXPORTS / "qualtrics.csv")
    res = cxstats.multiple_response(df, "Q5", by="Q3")
    chat = res.table[res.table["option_label"] == "Chat"].set_index("Q3")
    truth = df.assign(chat=df["Q5_3"].notna()).groupby("Q3")["chat"].agg(["mean", "size", "sum"])
    assert_allclose(chat["estimate"], truth["mean"])
    assert chat["n"].tolist() == truth["size"].tolist() and chat["n_ticked"].tolist() == truth["sum"].tolist()
    assert len(res.comparisons) == 5 and res.comparisons["p_adjusted"].ge(res.comparisons["p_value"]).all()


# Crosstab with a multiple-response banner ----------------------------------------------------------------------


def test_banner_cells_equal_r_ratios(design):
    """Each cell is the share of a segment among respondents ticking the option: svyratio, with its SE."""
    res = cxstats.crosstab(design, "segment", OPTIONS)
    table = res.table
    assert table["option"].tolist() == OPTIONS * 3 and table["letter"].tolist() == list("ABCD") * 3
    assert_allclose(table["estimate"], R.CELL_ESTIMATE, rtol=1e-12)
    assert_allclose(table["se"], R.CELL_SE, rtol=1e-10)


def test_banner_letters_use_the_overlap_covariance(design):
    """Letters equal those from R's t tests with the svyratio covariance of overlapping columns, Holm-adjusted."""
    table = cxstats.crosstab(design, "segment", OPTIONS).table
    expected = {(seg, letter): "" for seg in ("lapsed", "new", "repeat") for letter in "ABCD"}
    for pair, p in zip(R.LETTER_PAIRS, R.LETTER_P_HOLM, strict=True):
        seg, higher, lower = pair.split()
        if p < 0.05:
            expected[(seg, higher)] += lower
    got = {(s, letter): h for s, letter, h in table[["segment", "letter", "higher_than"]].itertuples(index=False)}
    assert got == {k: "".join(sorted(v)) for k, v in expected.items()}
    assert any(expected.values())  # the table has letters to check


def test_banner_tests_one_per_option_equal_r(design, sample):
    """One Rao-Scott F test per option (svychisq(~segment + option)), Holm over the options; Pearson unweighted."""
    test = cxstats.crosstab(design, "segment", OPTIONS).test
    assert test["option"].tolist() == OPTIONS
    assert_allclose(test["statistic"], R.OPTION_F, rtol=1e-9)
    assert_allclose(test["df"], R.OPTION_NDF, rtol=1e-9)
    assert_allclose(test["df_denom"], R.OPTION_DDF, rtol=1e-9)
    assert_allclose(test["p_value"], R.OPTION_P, rtol=1e-7)
    assert_allclose(test["p_adjusted"], R.OPTION_P_HOLM, rtol=1e-7)
    assert test["letters"].str.contains("covariance of overlapping columns").all()
    plain = cxstats.crosstab(sample, "segment", OPTIONS).test
    assert_allclose(plain["statistic"], R.PEARSON, rtol=1e-10)
    assert_allclose(plain["p_value"], R.PEARSON_P, rtol=1e-8)
    assert (plain["method"] == "Pearson chi-square").all()


def test_banner_from_an_export_set_counts_who_is_left_out():
    """A set name as the banner: columns labelled by the options, bases the planted ticks, n_missing the 42
    respondents who ticked no channel (a row answer is never missing here)."""
    df = cxstats.read_responses(EXPORTS / "qualtrics.csv")
    res = cxstats.crosstab(df, "Q3", "Q5")
    first = res.table.drop_duplicates("Q5")
    assert first["Q5"].tolist() == ["Phone", "Email", "Chat", "Social media", "Other (please specify)"]
    assert first["base"].tolist() == [92, 71, 67, 23, 9]
    assert res.n_missing == 200 - 158 and res.column == "Q5"
    chat = res.table[res.table["Q5"] == "Chat"].set_index("Q3")["estimate"]
    in_chat = df[df["Q5_3"].notna()]
    assert chat.to_dict() == pytest.approx(in_chat["Q3"].value_counts(normalize=True).to_dict())
    html = res.to_html()
    assert "Each option against the row answers, A: p = " in html and "E: p = " in html


def test_banner_errors(sample):
    """A row among the options, or a set name the data does not list, is an error naming it."""
    with pytest.raises(ValueError, match=r"row 'chat' is one of the banner's option columns"):
        cxstats.crosstab(sample, "chat", OPTIONS)
    with pytest.raises(ValueError, match="one column name.*a list of a multiple-response question's option columns"):
        cxstats.crosstab(sample, "segment", 3)
    with pytest.raises(ValueError, match=r"column\(s\) \['fax'\] not in the data"):
        cxstats.crosstab(sample, "segment", ["phone", "fax"])


def test_weighted_banner_shares_match_pandas(sample):
    """With weights only, a cell's share is the weighted share of the row answer among the option's tickers."""
    table = cxstats.crosstab(sample, "region", OPTIONS, weight="w").table
    for option in OPTIONS:
        ticked = sample[sample[option].notna()]
        truth = ticked.groupby("region")["w"].sum() / ticked["w"].sum()
        got = table[table["option"] == option].set_index("region")["estimate"]
        assert_allclose(got.sort_index(), truth.sort_index(), rtol=1e-12)
    assert np.isfinite(table["se"]).all()


def test_a_file_read_where_it_lies_gives_the_same_tables(sample):
    """A CSV path (aggregated by DuckDB) gives the shares, comparisons and banner of the frame read into memory."""
    path = ROOT / "tests" / "reference" / "multiple_response_sample.csv"
    by_path = cxstats.multiple_response(path, OPTIONS, weight="w", by="segment")
    in_memory = cxstats.multiple_response(sample, OPTIONS, weight="w", by="segment")
    pd.testing.assert_frame_equal(by_path.table, in_memory.table, check_dtype=False)
    pd.testing.assert_frame_equal(by_path.comparisons, in_memory.comparisons, check_dtype=False)
    banner = cxstats.crosstab(path, "segment", OPTIONS, weight="w")
    pd.testing.assert_frame_equal(banner.table, cxstats.crosstab(sample, "segment", OPTIONS, weight="w").table,
                                  check_dtype=False)


def test_counted_code_of_a_labelled_categorical(tmp_path):
    """An SPSS dichotomy read with categorical=True: counted=1 means the label of code 1 ('Yes'); a counted value
    that matches nothing of another kind is an error, not a share of 0."""
    import pyreadstat

    path = tmp_path / "mr.sav"
    pyreadstat.write_sav(pd.DataFrame({"a": [1.0, 0, 0, 1], "b": [0.0, 0, 1, 0]}), str(path),
                         variable_value_labels={"a": {0: "No", 1: "Yes"}, "b": {0: "No", 1: "Yes"}})
    df = cxstats.read_responses(path, categorical=True)
    assert cxstats.multiple_response(df, ["a", "b"], counted=1).table["estimate"].tolist() == [0.5, 0.25]
    text = pd.DataFrame({"a": ["Yes", "No"], "b": ["No", "No"]})
    with pytest.raises(ValueError, match=r"counted=1 matches none of column 'a''s answers \['No', 'Yes'\]"):
        cxstats.multiple_response(text, ["a", "b"], counted=1)
    assert cxstats.multiple_response(text, ["a", "b"], counted="Yes").table["estimate"].tolist() == [0.5, 0.0]


def test_empty_option_and_missing_rows_are_reported():
    """An option nobody ticked is a banner column without a test (said so), a ticker without a row answer is
    counted in n_missing, and a pair of groups whose shares are all 0 or 1 is listed but not tested."""
    df = pd.DataFrame({"seg": ["a", "b", None, "a", "b", "a", "b", "a"], "x": [1, 1, 1, None, 1, None, 1, 1],
                       "y": [None, 1, 1, 1, None, None, 1, None], "z": [None] * 8})
    res = cxstats.crosstab(df, "seg", ["x", "y", "z"])
    assert res.test["method"].iloc[2] == "no test: no respondent with an answer to 'seg' ticked 'z'"
    assert np.isnan(res.test["p_value"].iloc[2]) and res.test["p_value"].iloc[:2].notna().all()
    assert res.table.drop_duplicates("option")["n_missing"].tolist() == [1, 1, 0]
    assert res.n_missing == 2  # the row without a segment, and the respondent who ticked nothing
    pairs = cxstats.multiple_response(df, ["x", "y", "z"], by="seg").comparisons
    flat = pairs[(pairs["option"] == "z") & (pairs["group1"] == "a") & (pairs["group2"] == "b")].iloc[0]
    assert np.isnan(flat["p_value"]) and flat["note"].startswith("not tested: the share is 0 or 1 in both groups")


def test_counted_value_no_column_holds_is_an_error():
    """counted='Si' on Yes/No columns would give 0 for every option: an error naming the columns and answers."""
    df = pd.DataFrame({"phone": ["Yes", "No", "Yes"], "chat": ["No", "No", "Yes"]})
    with pytest.raises(ValueError, match=r"counted='Si' is not an answer in any of the option columns; they hold "
                                         r"\{'phone': \['No', 'Yes'\], 'chat': \['No', 'Yes'\]\}"):
        cxstats.multiple_response(df, ["phone", "chat"], counted="Si")
    assert cxstats.multiple_response(df, ["phone", "chat"], counted="Yes").table["n_ticked"].tolist() == [2, 1]


def test_blank_in_a_zero_one_column_is_missing_and_counted():
    """Where 0 means "not ticked", a blank is a missing answer: left out of that option's base and counted.

    phone: 1, 0, -, 1, 0, - (2 of 4 answers ticked, 2 missing); chat: 0, 1, 1, -, 0, - (2 of 4, 2 missing);
    complete answers (rows 0, 1, 2... only 0, 1, 4 have both): 1 + 1 + 0 ticks over 3 respondents.
    """
    df = pd.DataFrame({"phone": [1, 0, np.nan, 1, 0, np.nan], "chat": [0, 1, 1, np.nan, 0, np.nan]})
    res = cxstats.multiple_response(df, ["phone", "chat"])
    assert res.table["estimate"].tolist() == [0.5, 0.5]
    assert res.table["n"].tolist() == [4, 4] and res.table["n_missing"].tolist() == [2, 2]
    assert res.count["estimate"].iloc[0] == pytest.approx(2 / 3) and res.count["n_missing"].iloc[0] == 3
    answered = cxstats.multiple_response(df, ["phone", "chat"], base="answered").table
    assert answered["n"].tolist() == [3, 3] and answered["estimate"].tolist() == pytest.approx([2 / 3, 2 / 3])


def test_typed_other_text_is_ticked_with_counted_any():
    """counted={'other': 'any'}: any typed answer is a tick, the other columns keep the default rule."""
    df = pd.DataFrame({"phone": ["Phone", None, "Phone", None], "other": ["Letter", None, "In store", None]})
    with pytest.raises(ValueError, match=r"column 'other' is not a select-all option.*counted='any'"):
        cxstats.multiple_response(df, ["phone", "other"])
    res = cxstats.multiple_response(df, ["phone", "other"], counted={"other": "any"})
    assert res.table["n_ticked"].tolist() == [2, 2] and res.table["estimate"].tolist() == [0.5, 0.5]
