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
    # the "Other (please specify)" column holds typed text: in the set, ticked by any answer, the text kept
    assert df.attrs["multiple_response_sets"] == {"Q5": ["Q5_1", "Q5_2", "Q5_3", "Q5_4", "Q5_5"]}
    assert df.attrs["multiple_response_counted"] == {"Q5": {"Q5_5": "any"}}
    assert df["Q5_5"].dropna().isin(["Twitter DM", "In store", "Letter"]).all()
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
        {c: t / 200 for c, t in zip(CHANNELS, TICKS, strict=True)})
    assert res.table["estimate"].iloc[2] == pytest.approx(0.335)


@pytest.mark.parametrize("name", ["surveymonkey.csv", "qualtrics.csv"])
def test_other_please_specify_counts_in_the_answered_base(name):
    """The typed "Other" answers are ticks: 158 respondents ticked something, 262 ticks, mean 1.658 (README)."""
    df = read(name)
    res = cxstats.multiple_response(df, "Q5", base="answered")
    assert res.table["n"].tolist() == [158] * 5 and res.table["n_ticked"].tolist() == TICKS
    assert res.count["estimate"].iloc[0] == pytest.approx(262 / 158)
    by_hand = cxstats.multiple_response(df, df.attrs["multiple_response_sets"]["Q5"], base="answered")
    assert by_hand.count["estimate"].iloc[0] == pytest.approx(262 / 158)  # the set's rule applies to its list


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


def _with_rows(tmp_path, name, rows):
    path = tmp_path / name
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _channel_export(tmp_path, third):
    """A small Qualtrics export: 2 channels of 1/blank and a third column holding ``third`` (one per respondent)."""
    ids = ",".join(f'"{{""ImportId"":""QID5"",""choiceId"":""{k}""}}"' for k in (1, 2, 3))
    rows = ["Q5_1,Q5_2,Q5_3", "Ch - Selected Choice - Phone,Ch - Selected Choice - Mail,Ch - Selected Choice - Chat",
            ids] + [f"{1 if i % 2 else ''},{1 if i % 3 == 0 else ''},{v}" for i, v in enumerate(third)]
    return _with_rows(tmp_path, "chan.csv", rows)


def test_option_column_failing_the_tick_check_stays_in_the_set(tmp_path):
    """A channel column coded 1 and 2 is listed in the set (with a warning), so multiple_response raises on it."""
    path = _channel_export(tmp_path, ["1", "2", "", "1", "2", ""])
    with pytest.warns(UserWarning, match=r"select-all question 'Q5': column 'Q5_3' .* has \['1', '2'\]"):
        df = cxstats.read_responses(path)
    assert df.attrs["multiple_response_sets"] == {"Q5": ["Q5_1", "Q5_2", "Q5_3"]}
    assert "Q5_3" in df.attrs["multiple_response_unread"]["Q5"]
    with pytest.raises(ValueError, match=r"column 'Q5_3' is not a select-all option.*\['1', '2'\]"):
        cxstats.multiple_response(df, "Q5")


def test_header_row_over_a_single_numeric_column_is_an_error(tmp_path):
    """id, score, comment with a label row: only one column of numbers, the label row still named."""
    path = _with_rows(tmp_path, "labels.csv", ["respid,nps,comment", "Response ID,Recommend (0-10)?,Comment"]
                      + [f"R_{i:03d},{i % 11},ok {i}" for i in range(12)])
    with pytest.raises(cxstats.DataError, match=r"labels\.csv: rows 2 .*look like header rows"):
        cxstats.read_responses(path)
    assert len(cxstats.read_responses(path, source="plain")) == 13


def test_forced_source_checks_the_header_rows(tmp_path):
    """source='qualtrics' on a plain file, or 'surveymonkey' on a Qualtrics export, is an error naming the row."""
    path = _with_rows(tmp_path, "plain.csv", ["id,nps"] + [f"{i},{i % 11}" for i in range(10)])
    with pytest.raises(cxstats.DataError, match=r"plain\.csv: row 2 would be a header row of a qualtrics export.*"
                                                r"looks like a respondent"):
        cxstats.read_responses(path, source="qualtrics")
    with pytest.raises(cxstats.DataError, match=r"qualtrics\.csv: row 3 holds Qualtrics ImportId objects"):
        read("qualtrics.csv", source="surveymonkey")
    assert len(read("qualtrics.csv", source="qualtrics")) == 200  # the right source still reads


def test_surveymonkey_without_its_second_header_row_is_an_error(tmp_path):
    """Row 2 deleted: 'Respondent ID' over unnamed option columns is recognised and the rows named."""
    lines = (EXPORTS / "surveymonkey.csv").read_bytes().decode("utf-8").split("\r\n")
    path = _with_rows(tmp_path, "sm.csv", lines[:1] + lines[2:])
    with pytest.raises(cxstats.DataError, match=r"sm\.csv: row 1 names 'Respondent ID' and leaves column\(s\) 14, "
                                                r"16, 17, 18, 19 .*row 2 holds answers"):
        cxstats.read_responses(path)


def test_compressed_export_path_is_read_as_an_export(tmp_path):
    """A .csv.gz Qualtrics export given as a path to an estimate: 200 respondents, Q3 share 0.715."""
    import gzip

    path = tmp_path / "qualtrics.csv.gz"
    path.write_bytes(gzip.compress((EXPORTS / "qualtrics.csv").read_bytes()))
    res = cxstats.weighted_proportion(path, "Q3", level=1)
    assert res["estimate"].iloc[0] == pytest.approx(0.715) and res["n"].iloc[0] == 200


def test_export_path_with_a_set_name(tmp_path):
    """multiple_response(path, set name) reads the export's sets; a plain file's path says why it has none."""
    res = cxstats.multiple_response(EXPORTS / "surveymonkey.csv", "Q5")
    assert res.table["n_ticked"].tolist() == TICKS
    with pytest.raises(ValueError, match=r"columns='chan' names no multiple-response set.*read where it lies.*"
                                         r"read_responses"):
        cxstats.multiple_response(EXPORTS / "spss_blank_space.csv", "chan")


def test_spss_blank_space_csv_path_equals_read_responses():
    """A path straight to an estimate reads ' ' as missing, as read_responses does: q share of 5 is 53/500,
    30 missing (README); spend stays numbers with 11 missing; no ' ' category in a crosstab."""
    path = EXPORTS / "spss_blank_space.csv"
    for data in (path, cxstats.read_responses(path)):
        res = cxstats.weighted_proportion(data, "q", level=5)
        assert res["estimate"].iloc[0] == pytest.approx(0.106) and res["n"].iloc[0] == 500
        assert res["n_missing"].iloc[0] == 30
        assert cxstats.weighted_mean(data, "spend")["n_missing"].iloc[0] == 11
    table = cxstats.crosstab(path, "q", "region").table
    assert sorted(table["q"].unique().tolist()) == [1, 2, 3, 4, 5]
