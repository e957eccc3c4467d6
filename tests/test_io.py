"""read_responses: every supported format round-trips; bad files name themselves."""

import numpy as np
import pandas as pd
import pyreadstat
import pytest

import cxstats

FRAME = pd.DataFrame({"resp": [1, 2, 3, 4], "nps": [10, 7, 3, 9], "region": ["N", "S", "S", "N"]})


@pytest.mark.parametrize("suffix, write", [
    (".csv", lambda df, p: df.to_csv(p, index=False)),
    (".csv.gz", lambda df, p: df.to_csv(p, index=False)),
    (".tsv", lambda df, p: df.to_csv(p, index=False, sep="\t")),
    (".parquet", lambda df, p: df.to_parquet(p, index=False)),
    (".xlsx", lambda df, p: df.to_excel(p, index=False)),
    (".dta", lambda df, p: df.to_stata(p, write_index=False)),
])
def test_round_trip(tmp_path, suffix, write):
    """A frame written in each format reads back with the same values."""
    path = tmp_path / f"wave{suffix}"
    write(FRAME, path)
    got = cxstats.read_responses(path)
    pd.testing.assert_frame_equal(got.reset_index(drop=True), FRAME, check_dtype=False)


def test_spss_value_labels_become_ordered_categories_on_request(tmp_path):
    """With categorical=True, SPSS value labels give an ordered categorical in code order, variable labels kept."""
    path = tmp_path / "csat.sav"
    df = pd.DataFrame({"csat": [1.0, 5.0, 3.0, 5.0]})
    labels = {1.0: "Very dissatisfied", 2.0: "Dissatisfied", 3.0: "Neutral",
              4.0: "Satisfied", 5.0: "Very satisfied"}
    pyreadstat.write_sav(df, str(path), column_labels=["Overall satisfaction"],
                         variable_value_labels={"csat": labels})
    got = cxstats.read_responses(path, categorical=True)
    assert got["csat"].dtype == "category" and got["csat"].cat.ordered
    assert got["csat"].tolist() == ["Very dissatisfied", "Very satisfied", "Neutral", "Very satisfied"]
    assert got["csat"].min() == "Very dissatisfied"
    assert got.attrs["column_labels"]["csat"] == "Overall satisfaction"


NPS_LABELS = {0: "Not at all likely", 10: "Extremely likely"}
AGREE_LABELS = {1: "Strongly disagree", 2: "Disagree", 3: "Neither", 4: "Agree", 5: "Strongly agree"}


def write_nps(path, writer):
    """The issue's example: a 0-10 item labelled only at 0 and 10, answered 10, 9, 3, 0, 7."""
    frame = pd.DataFrame({"nps": [10, 9, 3, 0, 7]})
    writer(frame, str(path), column_labels=["How likely are you to recommend us?"],
           variable_value_labels={"nps": NPS_LABELS})
    return path


def test_spss_codes_are_the_data(tmp_path):
    """An SPSS NPS item labelled only at 0 and 10 reads back as its answers, with the labels in attrs."""
    got = cxstats.read_responses(write_nps(tmp_path / "nps.sav", pyreadstat.write_sav))
    assert got["nps"].tolist() == [10, 9, 3, 0, 7]
    assert got["nps"].dtype == "int64"
    assert got.attrs["value_labels"]["nps"] == NPS_LABELS


def test_stata_codes_are_the_data(tmp_path):
    """A Stata NPS item labelled only at 0 and 10 reads back as its answers, with the labels in attrs."""
    got = cxstats.read_responses(write_nps(tmp_path / "nps.dta", pyreadstat.write_dta))
    assert got["nps"].tolist() == [10, 9, 3, 0, 7]
    assert got.attrs["value_labels"]["nps"] == NPS_LABELS


@pytest.mark.parametrize("suffix, writer", [(".sav", pyreadstat.write_sav), (".dta", pyreadstat.write_dta)])
def test_nps_scores_answers_by_value(tmp_path, suffix, writer):
    """The issue's example scores as NPS 0 (2 promoters, 2 detractors of 5), not -100."""
    got = cxstats.read_responses(write_nps(tmp_path / f"nps{suffix}", writer))
    assert cxstats.nps(got, "nps")["estimate"].iloc[0] == pytest.approx(0.0)


def test_spss_unobserved_labelled_codes_are_categories(tmp_path):
    """A 1-5 item where only 2..4 were observed still has all 5 labelled categories, in code order."""
    path = tmp_path / "agree.sav"
    pyreadstat.write_sav(pd.DataFrame({"agree": [4, 2, 3, 4]}), str(path),
                         variable_value_labels={"agree": AGREE_LABELS})
    got = cxstats.read_responses(path, categorical=True)["agree"]
    assert got.cat.ordered
    assert got.cat.categories.tolist() == list(AGREE_LABELS.values())
    assert got.tolist() == ["Agree", "Disagree", "Neither", "Agree"]


def test_partly_labelled_item_stays_codes(tmp_path):
    """A scale labelled only at its ends keeps its codes under categorical=True (as a categorical its unlabelled
    answers would be placed by position: top-2 of 1..5 would become '3' and 'Very good'); named explicitly it is an
    error that names the unlabelled answers."""
    path = tmp_path / "ends.sav"
    pyreadstat.write_sav(pd.DataFrame({"sat": [5, 3, 1, 3], "agree": [1, 2, 1, 2]}), str(path),
                         variable_value_labels={"sat": {1: "Very poor", 5: "Very good"},
                                                "agree": {1: "No", 2: "Yes"}})
    got = cxstats.read_responses(path, categorical=True)
    assert got["sat"].tolist() == [5, 3, 1, 3]
    assert got["agree"].tolist() == ["No", "Yes", "No", "Yes"]
    assert cxstats.top_box(got, "sat", k=2, scale=range(1, 6))["estimate"][0] == 0.25
    with pytest.raises(ValueError, match=r"'sat'.*answers without a label \(\[3\]\)"):
        cxstats.read_responses(path, categorical=["sat"])


def test_stata_categorical_matches_spss(tmp_path):
    """Stata value labels give the same ordered categories as SPSS ones."""
    frames = {}
    for suffix, writer in [(".sav", pyreadstat.write_sav), (".dta", pyreadstat.write_dta)]:
        path = tmp_path / f"agree{suffix}"
        writer(pd.DataFrame({"agree": [4, 2, 3, 4]}), str(path), variable_value_labels={"agree": AGREE_LABELS})
        frames[suffix] = cxstats.read_responses(path, categorical=True)["agree"]
    pd.testing.assert_series_equal(frames[".sav"], frames[".dta"])


def test_duplicate_label_texts_raise(tmp_path):
    """Two codes sharing one label raise DataError naming the file, column and codes, instead of merging."""
    path = tmp_path / "dup.sav"
    pyreadstat.write_sav(pd.DataFrame({"q1": [1, 2, 3]}), str(path),
                         variable_value_labels={"q1": {1: "Agree", 2: "Agree", 3: "Disagree"}})
    with pytest.raises(cxstats.DataError, match=r"dup\.sav: column 'q1': codes 1, 2 are all shown as 'Agree'"):
        cxstats.read_responses(path, categorical=True)


def test_duplicate_label_texts_read_fine_as_codes(tmp_path):
    """Without categorical=, a file with duplicate label texts reads as its codes and keeps every label."""
    path = tmp_path / "dup.sav"
    labels = {1: "Agree", 2: "Agree", 3: "Disagree"}
    pyreadstat.write_sav(pd.DataFrame({"q1": [1, 2, 3]}), str(path), variable_value_labels={"q1": labels})
    got = cxstats.read_responses(path)
    assert got["q1"].tolist() == [1, 2, 3] and got.attrs["value_labels"]["q1"] == labels


def test_categorical_list_converts_only_those_columns(tmp_path):
    """categorical=["agree"] converts that column and leaves the other labelled column as codes."""
    path = tmp_path / "two.sav"
    pyreadstat.write_sav(pd.DataFrame({"nps": [10, 3], "agree": [5, 1]}), str(path),
                         variable_value_labels={"nps": NPS_LABELS, "agree": AGREE_LABELS})
    got = cxstats.read_responses(path, categorical=["agree"])
    assert got["agree"].tolist() == ["Strongly agree", "Strongly disagree"]
    assert got["nps"].tolist() == [10, 3] and got["nps"].dtype == "int64"


@pytest.mark.parametrize("suffix, writer", [(".sav", pyreadstat.write_sav), (".dta", pyreadstat.write_dta)])
def test_variable_labels_in_attrs(tmp_path, suffix, writer):
    """Variable labels land in attrs["column_labels"], with None for an unlabelled variable."""
    path = tmp_path / f"labels{suffix}"
    writer(pd.DataFrame({"nps": [10, 3], "id": [1, 2]}), str(path),
           column_labels={"nps": "How likely are you to recommend us?", "id": None})
    got = cxstats.read_responses(path)
    assert got.attrs["column_labels"] == {"nps": "How likely are you to recommend us?", "id": None}


def test_spss_measure_in_attrs(tmp_path):
    """SPSS measurement levels land in attrs["measure"]; columns without one are left out."""
    path = tmp_path / "measure.sav"
    pyreadstat.write_sav(pd.DataFrame({"nps": [10, 3], "region": [1, 2], "id": [1, 2]}), str(path),
                         variable_measure={"nps": "scale", "region": "nominal"})
    assert cxstats.read_responses(path).attrs["measure"] == {"nps": "scale", "region": "nominal"}


def test_missing_answers_stay_missing(tmp_path):
    """A labelled item with a missing answer reads as float codes with NaN, and as NaN in the categorical."""
    path = tmp_path / "gap.sav"
    pyreadstat.write_sav(pd.DataFrame({"agree": [2.0, np.nan, 5.0]}), str(path),
                         variable_value_labels={"agree": AGREE_LABELS})
    codes = cxstats.read_responses(path)["agree"]
    assert codes.dtype == "float64" and codes.isna().tolist() == [False, True, False]
    assert codes.dropna().tolist() == [2.0, 5.0]
    labelled = cxstats.read_responses(path, categorical=True)["agree"]
    assert labelled.isna().tolist() == [False, True, False] and labelled.cat.categories.size == 5


@pytest.mark.parametrize("option", ["apply_value_formats", "formats_as_ordered_category", "formats_as_category"])
def test_controlled_options_point_to_categorical(tmp_path, option):
    """Options that would replace codes by labels raise ValueError pointing to categorical=."""
    path = write_nps(tmp_path / "nps.sav", pyreadstat.write_sav)
    with pytest.raises(ValueError, match=rf"{option} cannot be passed.*use categorical="):
        cxstats.read_responses(path, **{option: True})


def test_reader_options_pass_through_to_pyreadstat(tmp_path):
    """pyreadstat options such as usecols reach the reader, and the metadata follows the columns read."""
    path = tmp_path / "two.sav"
    pyreadstat.write_sav(pd.DataFrame({"nps": [10, 3], "agree": [5, 1]}), str(path),
                         variable_value_labels={"nps": NPS_LABELS, "agree": AGREE_LABELS})
    got = cxstats.read_responses(path, usecols=["nps"])
    assert got.columns.tolist() == ["nps"] and list(got.attrs["value_labels"]) == ["nps"]


@pytest.mark.parametrize("categorical, message", [
    (["nope"], r"categorical= names columns not in .*two\.sav: 'nope'"),
    (["id"], r"categorical= names columns without value labels in .*two\.sav: 'id'"),
])
def test_categorical_names_must_be_labelled_columns(tmp_path, categorical, message):
    """categorical= naming a missing or unlabelled column raises ValueError naming it."""
    path = tmp_path / "two.sav"
    pyreadstat.write_sav(pd.DataFrame({"nps": [10, 3], "id": [1, 2]}), str(path),
                         variable_value_labels={"nps": NPS_LABELS})
    with pytest.raises(ValueError, match=message):
        cxstats.read_responses(path, categorical=categorical)


def test_categorical_needs_a_labelled_format(tmp_path):
    """categorical= on a CSV raises ValueError: only SPSS and Stata files carry value labels."""
    path = tmp_path / "w.csv"
    FRAME.to_csv(path, index=False)
    with pytest.raises(ValueError, match="categorical= applies to SPSS"):
        cxstats.read_responses(path, categorical=True)


def test_unsupported_type(tmp_path):
    """An unknown ending raises DataError listing the supported ones."""
    path = tmp_path / "wave.json"
    path.write_text("{}")
    with pytest.raises(cxstats.DataError, match=r"wave.json: unsupported file type '.json'; supported: .csv"):
        cxstats.read_responses(path)


def test_missing_file(tmp_path):
    """A path that does not exist raises DataError naming it."""
    with pytest.raises(cxstats.DataError, match="nothere.csv: file not found"):
        cxstats.read_responses(tmp_path / "nothere.csv")


@pytest.mark.parametrize("name", ["broken.parquet", "broken.sav", "broken.xlsx", "broken.dta"])
def test_corrupt_file(tmp_path, name):
    """A file that is not what its ending says raises DataError naming the file and format."""
    path = tmp_path / name
    path.write_bytes(b"this is not a real file\x00\x01")
    with pytest.raises(cxstats.DataError, match=rf"{name}: could not be read as"):
        cxstats.read_responses(path)


def test_empty_csv(tmp_path):
    """An empty CSV raises DataError rather than returning an empty frame silently."""
    path = tmp_path / "empty.csv"
    path.write_text("")
    with pytest.raises(cxstats.DataError, match="empty.csv"):
        cxstats.read_responses(path)


def test_options_are_passed_on(tmp_path):
    """Reader options (here a semicolon separator) reach the underlying reader."""
    path = tmp_path / "semi.csv"
    path.write_text("a;b\n1;2\n")
    assert cxstats.read_responses(path, sep=";").columns.tolist() == ["a", "b"]
