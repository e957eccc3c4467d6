"""read_responses on survey-tool exports: Qualtrics (CSV, UTF-16 TSV, older layout) and SurveyMonkey (CSV, Excel).

The files in tests/data/exports are built by make_exports.py with planted answers (README.md there): 200
respondents, 143 of them answering 1 to Q3 (0.715), 67 ticking "Chat" (0.335).
"""

import codecs

import numpy as np
import pandas as pd
import pytest

import cxstats

from .conftest import ROOT

EXPORTS = ROOT / "tests" / "data" / "exports"
QUALTRICS = ["qualtrics.csv", "qualtrics.tsv", "qualtrics_legacy.csv"]
CHANNELS = ["Phone", "Email", "Chat", "Social media", "Other (please specify)"]
TICKS = [92, 71, 67, 23, 9]


def read(name, **options):
    return cxstats.read_responses(EXPORTS / name, **options)


@pytest.fixture(scope="module")
def qualtrics():
    return read("qualtrics.csv")


# Qualtrics -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", QUALTRICS)
def test_qualtrics_header_rows_are_not_respondents(name):
    """The issue's example: 200 respondents (not 202), Q3 numeric, its share of 1 is 0.715 (not 0.7079 or 0.0)."""
    df = read(name)
    assert len(df) == 200
    assert df["Q3"].dtype == "int64" and df["Q1"].dtype == "int64"
    share = cxstats.weighted_proportion(df, "Q3", level=1)
    assert share["estimate"].iloc[0] == pytest.approx(0.715, abs=1e-15) and share["n"].iloc[0] == 200


@pytest.mark.parametrize("name", QUALTRICS)
def test_an_export_path_given_to_an_estimate_is_read_as_an_export(name):
    """A path straight to an estimate is not read by DuckDB as a plain table (its header rows as respondents)."""
    share = cxstats.weighted_proportion(EXPORTS / name, "Q3", level=1)
    assert share["estimate"].iloc[0] == pytest.approx(0.715, abs=1e-15) and share["n"].iloc[0] == 200


def test_qualtrics_csv_without_byte_order_mark(tmp_path):
    """The same export saved without its byte-order mark reads the same."""
    raw = (EXPORTS / "qualtrics.csv").read_bytes()
    assert raw.startswith(codecs.BOM_UTF8)
    path = tmp_path / "plain_utf8.csv"
    path.write_bytes(raw[len(codecs.BOM_UTF8):])
    pd.testing.assert_frame_equal(cxstats.read_responses(path), read("qualtrics.csv"))


def test_qualtrics_tsv_is_utf16_and_reads_like_the_csv():
    """The TSV download (UTF-16 with a byte-order mark) needs no encoding= and gives the CSV's frame and metadata."""
    assert (EXPORTS / "qualtrics.tsv").read_bytes()[:2] == codecs.BOM_UTF16_LE
    csv, tsv = read("qualtrics.csv"), read("qualtrics.tsv")
    pd.testing.assert_frame_equal(tsv, csv)
    assert tsv.attrs == csv.attrs


def test_qualtrics_analyses_give_the_planted_answers(qualtrics):
    """NPS, top-box and a crosstab work on the export and give the planted values; no category is question text."""
    assert cxstats.nps(qualtrics, "Q1")["estimate"].iloc[0] == pytest.approx(100 * (77 - 48) / 200)
    top = cxstats.top_box(qualtrics, "Q2", k=2, scale=range(1, 6))
    assert top["estimate"].iloc[0] == pytest.approx(113 / 195) and top["n_missing"].iloc[0] == 5
    table = cxstats.crosstab(qualtrics, "Q3", "Finished").table
    assert set(table["Q3"]) == {1, 2} and set(table["Finished"]) == {False, True}
    assert table["n"].sum() == 200


def test_qualtrics_metadata_is_typed(qualtrics):
    """Dates are date-times, Progress and Duration numbers, Finished a boolean, ids and leading zeros text."""
    assert qualtrics["StartDate"].dtype.kind == "M" and qualtrics["RecordedDate"].dtype.kind == "M"
    assert qualtrics["StartDate"].iloc[0] == pd.Timestamp("2024-03-01 08:14:00")
    assert (qualtrics["EndDate"] - qualtrics["StartDate"]).dt.total_seconds().equals(
        qualtrics["Duration (in seconds)"].astype(float))
    assert qualtrics["Finished"].dtype == bool and int((~qualtrics["Finished"]).sum()) == 10
    assert qualtrics.loc[~qualtrics["Finished"], "Progress"].eq(43).all()
    assert qualtrics["ResponseId"].str.startswith("R_").all()
    assert qualtrics["ExternalReference"].str.fullmatch(r"\d{5}").all()
    assert qualtrics["ExternalReference"].str.startswith("0").any()
    assert qualtrics.attrs["time_zones"] == {"StartDate": "America/Denver", "EndDate": "America/Denver",
                                             "RecordedDate": "America/Denver"}


def test_qualtrics_question_text_is_the_column_label(qualtrics):
    """Row 2 becomes each column's label, in the attrs SPSS labels use; row 3 the ImportId objects."""
    labels = qualtrics.attrs["column_labels"]
    assert labels["Q3"] == "Was your issue resolved?"
    assert labels["Q5_3"].endswith(" - Selected Choice - Chat")
    assert labels["StartDate"] == "Start Date"
    assert qualtrics.attrs["import_ids"]["Q5_3"] == {"ImportId": "QID5", "choiceId": "3"}
    assert qualtrics.attrs["source"] == "qualtrics"


@pytest.mark.parametrize("name", [*QUALTRICS, "qualtrics_choice_text.csv"])
def test_qualtrics_select_all_question_is_one_set(name):
    """Q5's choice columns are listed as one set (not the Other text column) with their options' labels."""
    df = read(name)
    columns = [f"Q5_{k}" for k in range(1, 6)]
    assert df.attrs["multiple_response_sets"] == {"Q5": columns}
    assert [df.attrs["option_labels"][c] for c in columns] == CHANNELS


def test_qualtrics_choice_text_export():
    """Choice text: labels as text, Finished from True/False; the same planted answers."""
    df = read("qualtrics_choice_text.csv")
    assert df["Q3"].value_counts().to_dict() == {"Yes": 143, "No": 57}
    assert df["Finished"].dtype == bool and int(df["Finished"].sum()) == 190
    assert cxstats.weighted_proportion(df, "Q3", level="Yes")["estimate"].iloc[0] == pytest.approx(0.715)


def test_qualtrics_legacy_metadata_take_their_names():
    """The older layout's V1..V10 take the names below them; the empty trailing column is gone."""
    df = read("qualtrics_legacy.csv")
    assert list(df.columns[:10]) == ["ResponseID", "ResponseSet", "Name", "ExternalDataReference", "EmailAddress",
                                     "IPAddress", "Status", "StartDate", "EndDate", "Finished"]
    assert df.columns[-1] == "LocationAccuracy"
    assert df["StartDate"].dtype.kind == "M" and df["Finished"].dtype == bool
    assert df.attrs["column_labels"]["Q3"] == "Was your issue resolved?"


# SurveyMonkey ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["surveymonkey.csv", "surveymonkey.xlsx"])
def test_surveymonkey_names_labels_and_sets(name):
    """Two header rows give short unique names, the question text and option labels, and the select-all set."""
    df = read(name)
    assert len(df) == 200
    assert list(df.columns) == ["respondent_id", "collector_id", "start_date", "end_date", "ip_address",
                                "email_address", "first_name", "last_name", "custom_data_1", "Q1", "Q2", "Q3",
                                "Q4_1", "Q4_2", "Q5_1", "Q5_2", "Q5_3", "Q5_4", "Q5_5", "Q6"]
    labels = df.attrs["column_labels"]
    assert labels["Q3"] == "Was your issue resolved?"
    assert labels["Q4_2"] == "How would you rate our service on each of these? - Friendliness"
    assert df.attrs["option_labels"]["Q5_3"] == "Chat" and df.attrs["option_labels"]["Q4_1"] == "Speed"
    # the "Other (please specify)" column holds typed text, so it is not one of the set's ticks
    assert df.attrs["multiple_response_sets"] == {"Q5": ["Q5_1", "Q5_2", "Q5_3", "Q5_4"]}
    assert df["Q3"].value_counts().to_dict() == {"Yes": 143, "No": 57}
    assert df["Q1"].dtype == "int64" and df["respondent_id"].dtype == "int64"
    assert df["start_date"].iloc[0] == pd.Timestamp("2024-03-01 08:14:00")
    assert df.attrs["source"] == "surveymonkey"


def test_surveymonkey_csv_and_excel_agree():
    """The CSV and Excel exports of the same answers read into the same frame."""
    csv, xlsx = read("surveymonkey.csv"), read("surveymonkey.xlsx")
    pd.testing.assert_frame_equal(csv, xlsx)
    assert csv.attrs == xlsx.attrs


def test_surveymonkey_select_all_share():
    """The issue's example: 'Chat' ticked by 33.5% of respondents, not 1.0."""
    df = read("surveymonkey.csv")
    res = cxstats.multiple_response(df, "Q5")
    assert res.table.set_index("option_label")["estimate"].to_dict() == pytest.approx(
        {c: t / 200 for c, t in zip(CHANNELS[:4], TICKS[:4], strict=True)})
    assert res.table["estimate"].iloc[2] == pytest.approx(0.335)


# Overrides, ambiguity and options -------------------------------------------------------------------------------


def _qualtrics_lines():
    return (EXPORTS / "qualtrics.csv").read_bytes().decode("utf-8-sig").split("\r\n")


def test_lost_importid_row_is_an_error_naming_the_rows(tmp_path):
    """A Qualtrics export whose ImportId row was deleted: rows 2 look like a header, an error says so."""
    lines = _qualtrics_lines()
    path = tmp_path / "edited.csv"
    path.write_bytes("\r\n".join(lines[:2] + lines[3:]).encode("utf-8"))
    with pytest.raises(cxstats.DataError, match=r"edited\.csv: rows 2 \(the first line.*look like header rows.*"
                                                r"source='qualtrics'"):
        cxstats.read_responses(path)
    df = cxstats.read_responses(path, source="qualtrics")
    assert len(df) == 200 and cxstats.weighted_proportion(df, "Q3", level=1)["estimate"].iloc[0] == 0.715
    assert df.attrs["multiple_response_sets"] == {"Q5": [f"Q5_{k}" for k in range(1, 6)]}
    assert len(cxstats.read_responses(path, source="plain")) == 201  # every row a respondent, as asked


def test_importid_row_in_the_wrong_place_is_an_error(tmp_path):
    """ImportId objects in row 2 (the question text deleted) are named, not read as a respondent."""
    lines = _qualtrics_lines()
    path = tmp_path / "edited.csv"
    path.write_bytes("\r\n".join(lines[:1] + lines[2:]).encode("utf-8"))
    with pytest.raises(cxstats.DataError, match=r"edited\.csv: row 2 holds Qualtrics ImportId objects"):
        cxstats.read_responses(path)


def test_skiprows_reads_the_rows_as_asked(tmp_path):
    """The common manual fix, skiprows=[1, 2], still reads a plain table of the 200 respondents."""
    df = read("qualtrics.csv", skiprows=[1, 2])
    assert len(df) == 200 and df["Q3"].dtype == "int64"


def test_source_plain_reads_header_rows_as_rows():
    """source='plain' reads the file as a table with one header row, whatever it looks like."""
    assert len(read("qualtrics.csv", source="plain")) == 202


def test_bad_source_and_options():
    """An unknown source, source= on SPSS, or pandas options on an export are errors saying what is valid."""
    with pytest.raises(ValueError, match=r"source='spss' is not valid; choose one of: 'qualtrics'"):
        read("qualtrics.csv", source="spss")
    with pytest.raises(ValueError, match=r"dtype cannot be used with source='qualtrics'.*source='plain'"):
        read("qualtrics.csv", source="qualtrics", dtype=str)
    with pytest.raises(ValueError, match=r"qualtrics\.csv is a qualtrics export.*usecols cannot be used"):
        read("qualtrics.csv", usecols=["Q1"])
    with pytest.raises(ValueError, match="source= applies to delimited text and Excel"):
        cxstats.read_responses(EXPORTS / "pyreadstat" / "missing_test.sav", source="qualtrics")


def test_plain_file_with_text_first_row_is_read(tmp_path):
    """A plain file is not mistaken for an export: one column of numbers under a text first row is data."""
    path = tmp_path / "plain.csv"
    path.write_text("id,score,comment\nA,n/a,late\nB,4,ok\nC,5,fine\nD,3,x\nE,2,y\n")
    df = cxstats.read_responses(path)
    assert len(df) == 5 and df["score"].isna().sum() == 1


def test_whitespace_cells_in_an_export_are_missing_and_counted(tmp_path):
    """A blank written as a space in a Qualtrics export is missing, counted, and Q3 stays numeric."""
    lines = _qualtrics_lines()
    rows = [line.split(",") for line in lines]
    q3 = rows[0].index("Q3")
    rows[3][q3] = " "
    path = tmp_path / "spaces.csv"
    path.write_bytes("\r\n".join(",".join(r) if i == 3 else lines[i] for i, r in enumerate(rows)).encode("utf-8"))
    df = cxstats.read_responses(path)
    assert df["Q3"].dtype == "float64" and np.isnan(df["Q3"].iloc[0])
    assert df.attrs["missing_counts"] == {"Q3": 1} and dict(df.attrs["user_missing"]["Q3"]) == {0: " "}
