"""read_responses: every supported format round-trips; bad files name themselves."""

import pandas as pd
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


def test_spss_value_labels_become_ordered_categories(tmp_path):
    """SPSS value labels turn into an ordered categorical in label order, with variable labels kept."""
    import pyreadstat

    path = tmp_path / "csat.sav"
    df = pd.DataFrame({"csat": [1.0, 5.0, 3.0, 5.0]})
    labels = {1.0: "Very dissatisfied", 2.0: "Dissatisfied", 3.0: "Neutral",
              4.0: "Satisfied", 5.0: "Very satisfied"}
    pyreadstat.write_sav(df, str(path), column_labels=["Overall satisfaction"],
                         variable_value_labels={"csat": labels})
    got = cxstats.read_responses(path)
    assert got["csat"].dtype == "category" and got["csat"].cat.ordered
    assert got["csat"].tolist() == ["Very dissatisfied", "Very satisfied", "Neutral", "Very satisfied"]
    assert got["csat"].min() == "Very dissatisfied"
    assert got.attrs["column_labels"]["csat"] == "Overall satisfaction"


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
