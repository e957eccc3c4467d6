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


# Delimited text: delimiter and decimal mark -------------------------------------------------------------------


def test_semicolon_and_decimal_comma_are_found(tmp_path):
    """The issue's example: a semicolon file with decimal commas reads as columns id and score = 4.5, 3.0."""
    path = tmp_path / "scores.csv"
    path.write_text("id;score\n1;4,5\n2;3,0\n")
    got = cxstats.read_responses(path)
    assert got.columns.tolist() == ["id", "score"]
    assert got["id"].tolist() == [1, 2] and got["score"].tolist() == [4.5, 3.0]


def test_tab_separated_txt_is_found(tmp_path):
    """The issue's tab-separated .txt reads as its columns, not as one column named 'id\\tscore'."""
    path = tmp_path / "scores.txt"
    path.write_text("id\tscore\tregion\n1\t4\tN\n2\t3\tS\n")
    got = cxstats.read_responses(path)
    assert got.columns.tolist() == ["id", "score", "region"]
    assert got["score"].tolist() == [4, 3] and got["region"].tolist() == ["N", "S"]


def test_pipe_delimited_gzip_with_decimal_commas(tmp_path):
    """A compressed '|' file with negative and fraction-only decimal commas and a missing score."""
    import gzip

    path = tmp_path / "wave.txt.gz"
    with gzip.open(path, "wt") as handle:
        handle.write("resp|weight|score|comment\n1|1,25|-0,5|good\n2|0,75||slow, rude\n3|,5|2|ok\n")
    got = cxstats.read_responses(path)
    assert got["weight"].tolist() == [1.25, 0.75, 0.5]
    assert got["score"].iloc[[0, 2]].tolist() == [-0.5, 2.0] and np.isnan(got["score"].iloc[1])
    assert got["comment"].tolist() == ["good", "slow, rude", "ok"]


def test_comma_delimiter_never_means_decimal_comma(tmp_path):
    """Under a comma delimiter a quoted '4,5' is text as written, never the number 4.5."""
    path = tmp_path / "quoted.csv"
    path.write_text('id,score\n1,"4,5"\n2,"3,0"\n')
    got = cxstats.read_responses(path)
    assert got["score"].tolist() == ["4,5", "3,0"]


def test_explicit_decimal_wins(tmp_path):
    """decimal='.' keeps decimal-comma fields as written (e.g. multiple-choice answers '1,3')."""
    path = tmp_path / "choices.csv"
    path.write_text("id;chosen\n1;1,3\n2;2,4\n")
    got = cxstats.read_responses(path, decimal=".")
    assert got.columns.tolist() == ["id", "chosen"] and got["chosen"].tolist() == ["1,3", "2,4"]


def test_wrong_explicit_sep_is_refused(tmp_path):
    """sep=',' on a semicolon file would give one column 'id;score' (and '1;4' as index): DataError instead."""
    path = tmp_path / "scores.csv"
    path.write_text("id;score\n1;4,5\n2;3,0\n")
    with pytest.raises(cxstats.DataError, match=r"scores\.csv: read as one column named 'id;score'.*sep=';'"):
        cxstats.read_responses(path, sep=",")


def test_one_column_file_reads(tmp_path):
    """A file with one column and no delimiter anywhere reads as that column."""
    path = tmp_path / "single.csv"
    path.write_text("nps\n10\n7\n\n3\n")
    assert cxstats.read_responses(path)["nps"].tolist() == [10, 7, 3]


@pytest.mark.parametrize("text, message", [
    ("id;Score, overall\n1;4,5\n2;3,0\n", r"the first lines split evenly at each of ',', ';'; pass sep="),
    ("Likes, dislikes\ngood\nbad\n", r"at ',' the header has 2 fields but record 2 .* has 1; pass sep="),
])
def test_unclear_delimiter_is_refused(tmp_path, text, message):
    """A header and rows that split evenly at two delimiters, or unevenly at the only one, raise DataError."""
    path = tmp_path / "unclear.csv"
    path.write_text(text)
    with pytest.raises(cxstats.DataError, match=rf"unclear\.csv: cannot tell the delimiter: {message}"):
        cxstats.read_responses(path)


@pytest.mark.parametrize("text, message", [
    ("id;a;b\n1;4,5;1.5\n2;3,0;2.5\n", r"column 'a' uses ',' as decimal mark \(e.g. '4,5'\) but column 'b' uses '.'"),
    ("id;amount\n1;1,234\n2;5,000\n", r"column 'amount' has values such as '1,234'.*decimal=',' or thousands=','"),
])
def test_unclear_decimal_mark_is_refused(tmp_path, text, message):
    """Decimal commas next to decimal points, or commas that may be thousands separators, raise DataError."""
    path = tmp_path / "marks.csv"
    path.write_text(text)
    with pytest.raises(cxstats.DataError, match=rf"marks\.csv: {message}"):
        cxstats.read_responses(path)
    assert cxstats.read_responses(path, decimal=",").shape[1] == text.count(";", 0, text.index("\n")) + 1


# Delimited text: values as written, names as written --------------------------------------------------------


def test_leading_zeros_stay_text(tmp_path):
    """The issue's example: store_id 007 and 01234 stay text as written; other columns keep their numbers."""
    path = tmp_path / "stores.csv"
    path.write_text("store_id,nps,region\n007,9,N\n01234,10,S\n12,3,N\n")
    got = cxstats.read_responses(path)
    assert got["store_id"].tolist() == ["007", "01234", "12"]
    assert got["nps"].tolist() == [9, 10, 3] and got["nps"].dtype == "int64"


def test_leading_zero_far_down_keeps_column_text(tmp_path):
    """A quoted postcode with a leading zero on row 500, past the sample, keeps the whole column as text; a
    column with 0, 0.5 and 10 (no leading zero) stays numeric, and a missing postcode stays missing."""
    rows = [f'{i};"{10000 + i}";{[0, 0.5, 10][i % 3]}'.replace(".", ",") for i in range(499)]
    rows += ['499;"01234";1', "500;;2"]
    path = tmp_path / "postcodes.csv"
    path.write_text("id;postcode;share\n" + "\n".join(rows) + "\n")
    got = cxstats.read_responses(path)
    assert got["postcode"].iloc[[0, 1, 499]].tolist() == ["10000", "10001", "01234"]
    assert got["postcode"].isna().tolist() == [False] * 500 + [True]
    assert got["share"].iloc[:3].tolist() == [0.0, 0.5, 10.0] and got["id"].dtype == "int64"


def test_reader_options_for_text_win(tmp_path):
    """dtype=, na_values= and keep_default_na= reach pandas: an explicit dtype keeps its numbers, NA strings count
    as missing, and 'NA' can be kept as text."""
    path = tmp_path / "stores.csv"
    path.write_text("store_id,nps,note\n007,n/a,NA\n01234,9,ok\n")
    got = cxstats.read_responses(path, dtype={"store_id": "int64"}, na_values=["n/a"], keep_default_na=False)
    assert got["store_id"].tolist() == [7, 1234]
    assert np.isnan(got["nps"].iloc[0]) and got["nps"].iloc[1] == 9
    assert got["note"].tolist() == ["NA", "ok"]


def test_duplicate_column_names_are_refused(tmp_path):
    """The issue's example: two columns named 'nps' raise DataError naming both, instead of 'nps' and 'nps.1'."""
    path = tmp_path / "dupes.csv"
    path.write_text("resp,nps,nps\n1,9,10\n2,3,4\n")
    with pytest.raises(cxstats.DataError, match=r"dupes\.csv: columns 2, 3 \(counting from 1\) are all named 'nps'"):
        cxstats.read_responses(path)
    got = cxstats.read_responses(path, names=["resp", "nps_w1", "nps_w2"], header=0)
    assert got["nps_w2"].tolist() == [10, 4]


def test_names_like_pandas_renames_are_kept(tmp_path):
    """A file whose own names are 'q1' and 'q1.1' is not refused: only names repeated in the file are."""
    path = tmp_path / "sub.tsv"
    path.write_text("q1\tq1.1\tq2\tq2\n1\t2\t3\t4\n")
    with pytest.raises(cxstats.DataError, match=r"columns 3, 4 \(counting from 1\) are all named 'q2'"):
        cxstats.read_responses(path)
    path.write_text("q1\tq1.1\n1\t2\n")
    assert cxstats.read_responses(path).columns.tolist() == ["q1", "q1.1"]


def test_duplicate_names_refused_in_excel_and_parquet(tmp_path):
    """Excel (pandas would read 'nps.1') and Parquet files with a repeated name raise DataError naming both."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    frame = pd.DataFrame([[1, 9, 10], [2, 3, 4]], columns=["resp", "nps", "nps"])
    frame.to_excel(tmp_path / "dupes.xlsx", index=False)
    pq.write_table(pa.table([pa.array(frame.iloc[:, i]) for i in range(3)], names=list(frame.columns)),
                   tmp_path / "dupes.parquet")
    for name in ("dupes.xlsx", "dupes.parquet"):
        with pytest.raises(cxstats.DataError, match=rf"{name}: columns 2, 3 \(counting from 1\) are all named 'nps'"):
            cxstats.read_responses(tmp_path / name)


def test_excel_reads_one_sheet(tmp_path):
    """sheet_name=None would return every sheet: ValueError asking for one."""
    path = tmp_path / "wave.xlsx"
    FRAME.to_excel(path, index=False)
    with pytest.raises(ValueError, match="sheet_name=None is not valid: read_responses reads one sheet"):
        cxstats.read_responses(path, sheet_name=None)


# SPSS and Stata declared missing codes -----------------------------------------------------------------------


def write_dont_know(path, categorical_labels=False):
    """The issue's example: a 0-10 item where 99 ("Don't know") is declared missing."""
    labels = {0: "Not at all likely", 10: "Extremely likely", 99: "Don't know"}
    pyreadstat.write_sav(pd.DataFrame({"nps": [10.0, 99, 3, 99, 7]}), str(path), missing_ranges={"nps": [99]},
                         variable_value_labels={"nps": labels})
    return path


@pytest.mark.parametrize("categorical", [False, True])
def test_spss_declared_missing_code_is_missing(tmp_path, categorical):
    """99 declared missing reads as NaN (no crash, with or without categorical=), counted, with its code kept;
    NPS then scores the three answers 10, 3, 7 as 0."""
    got = cxstats.read_responses(write_dont_know(tmp_path / "dk.sav"), categorical=categorical)
    assert got["nps"].isna().tolist() == [False, True, False, True, False]
    assert got["nps"].dropna().tolist() == [10, 3, 7]
    assert got.attrs["missing_codes"] == {"nps": [99]}
    assert got.attrs["missing_counts"] == {"nps": 2}
    assert dict(got.attrs["user_missing"]["nps"]) == {1: 99, 3: 99}
    assert got.attrs["value_labels"]["nps"][99] == "Don't know"
    assert cxstats.nps(got, "nps")["estimate"].iloc[0] == pytest.approx(0.0)


def test_spss_missing_ranges_and_text_codes(tmp_path):
    """A range 97-99 plus a code -1, and a text code 'DK' in a string variable, all read as missing; a system
    missing value is missing too but not counted as a declared code."""
    path = tmp_path / "ranges.sav"
    frame = pd.DataFrame({"sat": [5.0, 98, -1, np.nan, 97.5, 2], "why": ["fast", "DK", "slow", "", "DK", "ok"]})
    pyreadstat.write_sav(frame, str(path), missing_ranges={"sat": [{"lo": 97, "hi": 99}, -1], "why": ["DK"]})
    got = cxstats.read_responses(path)
    assert got["sat"].isna().tolist() == [False, True, True, True, True, False]
    assert got["sat"].dropna().tolist() == [5, 2]
    assert got["why"].isna().tolist() == [False, True, False, False, True, False]
    assert got.attrs["missing_codes"] == {"sat": [(97, 99), -1], "why": ["DK"]}
    assert got.attrs["missing_counts"] == {"sat": 3, "why": 2}
    assert dict(got.attrs["user_missing"]["sat"]) == {1: 98, 2: -1, 4: 97.5}
    assert dict(got.attrs["user_missing"]["why"]) == {1: "DK", 4: "DK"}


def test_missing_codes_are_not_categories(tmp_path):
    """A 1-5 item with 9 'Don't know' declared missing: categorical=True gives the five answers as categories
    and NaN for 9; the label of 9 stays in value_labels."""
    path = tmp_path / "agree.sav"
    pyreadstat.write_sav(pd.DataFrame({"agree": [4.0, 9, 2, 5]}), str(path), missing_ranges={"agree": [9]},
                         variable_value_labels={"agree": {**AGREE_LABELS, 9: "Don't know"}})
    got = cxstats.read_responses(path, categorical=True)
    assert got["agree"].cat.categories.tolist() == list(AGREE_LABELS.values())
    assert got["agree"].isna().tolist() == [False, True, False, False]
    assert got.attrs["value_labels"]["agree"][9] == "Don't know"


def test_stata_extended_missing_values(tmp_path):
    """Stata .a and .b read as missing with their codes kept; '.' stays missing (pyreadstat alone reads it as 0
    in such an integer column), and the other answers keep their values."""
    path = tmp_path / "ext.dta"
    frame = pd.DataFrame({"nps": pd.Series([10, "a", np.nan, 0, "b"], dtype=object), "id": [1, 2, 3, 4, 5]})
    pyreadstat.write_dta(frame, str(path), missing_user_values={"nps": ["a", "b"]})
    got = cxstats.read_responses(path)
    assert got["nps"].isna().tolist() == [False, True, True, False, True]
    assert got["nps"].dropna().tolist() == [10, 0] and got["id"].tolist() == [1, 2, 3, 4, 5]
    assert got.attrs["missing_codes"] == {"nps": [".a", ".b"]}
    assert got.attrs["missing_counts"] == {"nps": 2}
    assert dict(got.attrs["user_missing"]["nps"]) == {1: ".a", 4: ".b"}


def test_stata_labelled_missing_code_is_not_a_category(tmp_path):
    """A labelled Stata .a ("Don't know") is missing, not an answer category: the crosstab of the two real answers
    is then tested (Pearson chi-square of [[2, 0], [0, 2]] is 4.0, p = 0.0455, as R's chisq.test(correct=FALSE))."""
    path = tmp_path / "dk.dta"
    frame = pd.DataFrame({"q": pd.Series([1, 1, 2, 2, "a", "a"], dtype=object), "g": [1, 1, 2, 2, 1, 2]})
    pyreadstat.write_dta(frame, str(path), missing_user_values={"q": ["a"]},
                         variable_value_labels={"q": {1: "No", 2: "Yes", "a": "DK"}})
    got = cxstats.read_responses(path, categorical=True)
    assert list(got["q"].cat.categories) == ["No", "Yes"] and got["q"].isna().sum() == 2
    test = cxstats.crosstab(got, "q", "g").test
    assert test.statistic[0] == pytest.approx(4.0) and test.p_value[0] == pytest.approx(0.0455003, rel=1e-5)


def test_missing_code_attrs_survive_pandas_operations(tmp_path):
    """The kept codes do not break pandas operations that copy or compare attrs (selection, concat)."""
    got = cxstats.read_responses(write_dont_know(tmp_path / "dk.sav"))
    both = pd.concat([got, got[["nps"]] + 0])
    assert len(both) == 10 and dict(both.attrs["user_missing"]["nps"]) == {1: 99, 3: 99}


def test_user_missing_option_is_refused(tmp_path):
    """user_missing=True would put 99 back into the answers: ValueError pointing to the attrs."""
    with pytest.raises(ValueError, match=r"user_missing cannot be passed.*'missing_codes'.*'user_missing'"):
        cxstats.read_responses(write_dont_know(tmp_path / "dk.sav"), user_missing=True)


def test_leading_zeros_kept_in_index_and_after_byte_order_mark(tmp_path):
    """index_col='store_id' keeps '007' as written; so does a first field right after a UTF-8 byte-order mark in a
    file without a header row."""
    path = tmp_path / "stores.csv"
    path.write_text("store_id,nps\n007,9\n120,3\n")
    got = cxstats.read_responses(path, index_col="store_id")
    assert got.index.tolist() == ["007", "120"] and got["nps"].tolist() == [9, 3]
    path.write_bytes(b"\xef\xbb\xbf0042,9\n120,3\n")
    got = cxstats.read_responses(path, header=None)
    assert got[0].tolist() == ["0042", "120"] and got[1].tolist() == [9, 3]


def test_text_reads_one_frame(tmp_path):
    """chunksize= would return a reader, not a DataFrame: ValueError."""
    path = tmp_path / "wave.csv"
    FRAME.to_csv(path, index=False)
    with pytest.raises(ValueError, match="chunksize= and iterator= are not supported"):
        cxstats.read_responses(path, chunksize=2)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le-bom", "utf-16-be-bom", "utf-32", "utf-16-gzip"])
def test_byte_order_mark_sets_the_encoding(tmp_path, encoding):
    """A UTF-16/UTF-32 file (Excel's "Unicode text") reads without encoding=: its byte-order mark says which."""
    import codecs
    import gzip

    text = "name;score\nZoë;7,5\nJosé;8\n"
    if encoding == "utf-16-le-bom":
        raw = codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    elif encoding == "utf-16-be-bom":
        raw = codecs.BOM_UTF16_BE + text.encode("utf-16-be")
    else:
        raw = text.encode(encoding.removesuffix("-gzip"))
    path = tmp_path / ("answers.csv.gz" if encoding.endswith("gzip") else "answers.csv")
    path.write_bytes(gzip.compress(raw) if encoding.endswith("gzip") else raw)
    df = cxstats.read_responses(path)
    assert df.columns.tolist() == ["name", "score"]
    assert df["name"].tolist() == ["Zoë", "José"] and df["score"].tolist() == [7.5, 8.0]


def test_explicit_encoding_is_kept(tmp_path):
    """A given encoding= is used as given, byte-order mark or not."""
    path = tmp_path / "answers.csv"
    path.write_bytes("a,b\n1,2\n".encode("utf-16"))
    assert cxstats.read_responses(path, encoding="utf-16").to_dict("list") == {"a": [1], "b": [2]}


# Labelled files that failed to read with the defaults (issue 19) --------------------------------------------------

PYREADSTAT = __import__("pathlib").Path(__file__).resolve().parent / "data" / "exports" / "pyreadstat"


@pytest.mark.parametrize("categorical", [False, True])
def test_labelled_spss_with_user_missing_reads_with_defaults(tmp_path, categorical):
    """The issue's crash: a labelled item whose codes 98/99 are declared missing and a system-missing answer
    stopped with "Categorical categories cannot be null" (read_responses of March 2024, commit 3a9252d). It reads:
    answers kept, the two codes missing and counted, each code kept with its row."""
    path = tmp_path / "um.sav"
    frame = pd.DataFrame({"sat": [1.0, 2, 99, 3, np.nan, 98], "name": list("abcdef")})
    pyreadstat.write_sav(frame, str(path), missing_ranges={"sat": [99, 98]},
                         variable_value_labels={"sat": {1: "Bad", 2: "OK", 3: "Good", 98: "Refused", 99: "DK"}})
    got = cxstats.read_responses(path, categorical=categorical)
    kept = ["Bad", "OK", "Good"] if categorical else [1, 2, 3]
    assert got["sat"].dropna().tolist() == kept and got["sat"].isna().sum() == 3
    assert got.attrs["missing_counts"] == {"sat": 2} and dict(got.attrs["user_missing"]["sat"]) == {2: 99, 5: 98}


def test_pyreadstat_user_missing_file_matches_its_reference():
    """pyreadstat's sample_missing.sav: the answers its reference (sample_missing_user.csv, read with
    user_missing=True) holds where the plain read has none are exactly those read as missing, codes and rows."""
    got = cxstats.read_responses(PYREADSTAT / "sample_missing.sav")
    reference = pd.read_csv(PYREADSTAT / "sample_missing_user.csv", na_values=["#NULL!"])
    plain, _ = pyreadstat.read_sav(str(PYREADSTAT / "sample_missing.sav"))
    for column in ("mynum", "mylabl", "myord"):
        user = reference[column].notna() & plain[column].isna()
        assert dict(got.attrs["user_missing"][column]) == dict(zip(reference.index[user], reference[column][user],
                                                                    strict=True))
        assert got[column].isna().tolist() == reference[column].isna().__or__(user).tolist()
    assert got.attrs["missing_codes"]["mynum"] == [(2000, 3000), -1]
    assert got.attrs["missing_counts"] == {"mynum": 2, "mylabl": 1, "myord": 2}


def test_pyreadstat_stata_extended_missing_file():
    """pyreadstat's missing_test.dta: .a, .b, .c, .x, .y, .z are missing with their codes; var9 keeps its 1."""
    got = cxstats.read_responses(PYREADSTAT / "missing_test.dta", categorical=True)
    codes = [".a", ".b", ".c", ".x", ".y", ".z"]
    assert got.attrs["missing_codes"] == {f"var{k}": [code] for k, code in enumerate(codes, start=1)}
    assert {column: dict(found) for column, found in got.attrs["user_missing"].items()} == \
        {f"var{k}": {0: code} for k, code in enumerate(codes, start=1)}
    assert got.iloc[0, :8].isna().all() and got["var9"].tolist() == [1]


def test_pyreadstat_labelled_missing_code():
    """pyreadstat's missing_test.sav: code 1, labelled "missing" and declared missing, is missing; 2 stays."""
    got = cxstats.read_responses(PYREADSTAT / "missing_test.sav", categorical=True)
    assert got["var1"].isna().tolist() == [True, False] and got["var1"].iloc[1] == 2
    assert got.attrs["value_labels"]["var1"] == {1: "missing"} and got.attrs["missing_counts"] == {"var1": 1}


def test_unknown_option_type_error_names_the_file(tmp_path):
    """An option the reader does not take raises TypeError naming the file (pyreadstat's own says nothing of it)."""
    path = write_dont_know(tmp_path / "dk.sav")
    with pytest.raises(TypeError, match=r"dk\.sav: .*no_such_option"):
        cxstats.read_responses(path, no_such_option=1)


# Whitespace-only cells --------------------------------------------------------------------------------------------


def test_spss_save_as_csv_blank_space_is_missing():
    """The issue's example: SPSS "Save as CSV" writes a blank answer as ' '; q stays numeric, level=5 gives the
    true share 0.106 (53 of 500 answers; 30 blanks counted), and a decimal column stays numeric too."""
    path = PYREADSTAT.parent / "spss_blank_space.csv"
    got = cxstats.read_responses(path)
    assert got["q"].dtype == "float64" and got["spend"].dtype == "float64"
    share = cxstats.weighted_proportion(got, "q", level=5)
    assert share["estimate"].iloc[0] == pytest.approx(0.106) and share["n"].iloc[0] == 500
    assert share["n_missing"].iloc[0] == 30
    assert got.attrs["missing_codes"] == {"q": [" "], "spend": [" "]}
    assert got.attrs["missing_counts"] == {"q": 30, "spend": 11}
    assert all(code == " " for _, code in got.attrs["user_missing"]["q"])


def test_whitespace_cells_with_decimal_commas_leading_zeros_and_na_values(tmp_path):
    """Blanks of spaces or a tab in a semicolon file: a decimal-comma column stays numbers, identifiers keep their
    zeros, a text column loses only its blank, and the caller's na_values still apply."""
    path = tmp_path / "wave.csv"
    path.write_text("id;score;note;rating\n007;4,5;good;n/a\n012;  ;\t;3\n013;3,0;ok;4\n")
    got = cxstats.read_responses(path, na_values=["n/a"])
    assert got["id"].tolist() == ["007", "012", "013"]
    assert got["score"].iloc[[0, 2]].tolist() == [4.5, 3.0] and np.isnan(got["score"].iloc[1])
    assert got["note"].iloc[[0, 2]].tolist() == ["good", "ok"] and pd.isna(got["note"].iloc[1])
    assert np.isnan(got["rating"].iloc[0]) and got["rating"].iloc[1:].tolist() == [3, 4]
    assert got.attrs["missing_counts"] == {"score": 1, "note": 1}
    assert got.attrs["missing_codes"] == {"score": ["  "], "note": ["\t"]}


def test_whitespace_cells_in_excel(tmp_path):
    """An Excel column of numbers with a cell of one space reads as numbers with that cell missing, counted."""
    path = tmp_path / "wave.xlsx"
    pd.DataFrame({"q": [5, " ", 3], "who": ["a", "b", " "]}).to_excel(path, index=False)
    got = cxstats.read_responses(path)
    assert pd.api.types.is_numeric_dtype(got["q"]) and got["q"].isna().tolist() == [False, True, False]
    assert got["who"].isna().tolist() == [False, False, True]
    assert got.attrs["missing_counts"] == {"q": 1, "who": 1}


def test_multi_line_answer_at_the_end_of_the_sample(tmp_path):
    """An answer written over several lines that the 200-line sample cuts in two still leaves the comma found."""
    lines = ["id,comment,score"] + [f'{i},"line one,\nline two",{i % 5}' for i in range(150)]
    path = tmp_path / "comments.csv"
    path.write_text("\n".join(lines) + "\n")
    got = cxstats.read_responses(path)
    assert got.columns.tolist() == ["id", "comment", "score"] and len(got) == 150
    assert got["comment"].iloc[0] == "line one,\nline two"


def test_reader_errors_name_the_file_and_the_fix(tmp_path):
    """usecols= naming no column, a cp1252 file, a .zip download and an empty CSV path: each error says what to do."""
    sav = tmp_path / "s.sav"
    pyreadstat.write_sav(pd.DataFrame({"nps": [1.0, 2.0]}), str(sav))
    with pytest.raises(cxstats.DataError, match=r"s\.sav: usecols= names column\(s\) not in the file: 'nope'; its "
                                                r"columns: 'nps'"):
        cxstats.read_responses(sav, usecols=["nope"])
    cp = tmp_path / "cp.csv"
    cp.write_bytes("a,b\ncafé,1\nnaïve,2\n".encode("cp1252"))
    with pytest.raises(cxstats.DataError, match=r"cp\.csv: is not UTF-8 text.*pass encoding=, e\.g\. "
                                                r"encoding='cp1252'"):
        cxstats.read_responses(cp)
    assert cxstats.read_responses(cp, encoding="cp1252")["a"].tolist() == ["café", "naïve"]
    archive = tmp_path / "Survey.zip"
    archive.write_bytes(b"PK\x05\x06" + b"\x00" * 18)
    with pytest.raises(cxstats.DataError, match=r"Survey\.zip: a \.zip archive.*unzip it"):
        cxstats.read_responses(archive)
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(ValueError, match=r"empty\.csv: the file is empty"):
        cxstats.weighted_mean(empty, "a")
