"""Real respondent-level datasets: values as the R packages print them, metadata, and checked files."""

import hashlib
import shutil

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2_contingency

from cxstats import DataError
from cxstats.responses import DATASETS, list_responses, load_responses, responses_dir

# Rscript -e 'library(bayesm); data(customerSat); print(colMeans(customerSat), digits=15)'
CUSTOMER_SAT_MEANS = {
    "q1": 6.06626173384870, "q2": 5.88238542241855, "q3": 6.27443401435671, "q4": 5.55991165102153,
    "q5": 6.13914964108228, "q6": 6.05577029265599, "q7": 7.24903368304804, "q8": 7.45610160132523,
    "q9": 7.88956377691883, "q10": 7.77360574268360,
}
# Rscript -e 'library(bayesm); data(customerSat); print(table(customerSat$q1))'
CUSTOMER_SAT_Q1_COUNTS = [99, 115, 111, 127, 328, 174, 222, 327, 118, 190]  # answers 1..10
# Rscript -e 'print(xtabs(Freq ~ Sat + Infl, MASS::housing))'   (rows Sat, columns Infl: Low, Medium, High)
HOUSING_SAT_BY_INFL = [[282, 206, 79], [170, 189, 87], [175, 264, 229]]
# Rscript -e 'print(xtabs(Freq ~ Type + Cont, MASS::housing))'   (columns Cont: Low, High)
HOUSING_TYPE_BY_CONT = {"Tower": [219, 181], "Apartment": [317, 448], "Atrium": [82, 157], "Terrace": [95, 182]}
# Rscript -e 'print(chisq.test(xtabs(Freq ~ Sat + Infl, MASS::housing))$statistic, digits=12)'
HOUSING_SAT_INFL_CHI2 = 106.175058541
LEVELS = ["Low", "Medium", "High"]


def file_hashes():
    return {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(responses_dir().rglob("*")) if p.is_file()}


@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    """A copy of the bundled data folder that a test may damage; cxstats reads it instead."""
    shutil.copytree(responses_dir(), tmp_path / "raw" / "respondents")
    monkeypatch.setenv("CXSTATS_DATA_DIR", str(tmp_path))
    return tmp_path / "raw" / "respondents"


# --- customer_sat -------------------------------------------------------------------------------

def test_customer_sat_values_match_r():
    df = load_responses("customer_sat")
    assert df.shape == (1811, 10)
    assert list(df.columns) == [f"q{i}" for i in range(1, 11)]
    assert (df.dtypes == np.int64).all()
    assert df.min().min() == 1 and df.max().max() == 10
    np.testing.assert_allclose(df.mean(), pd.Series(CUSTOMER_SAT_MEANS), rtol=0, atol=1e-13)
    assert df["q1"].value_counts().sort_index().tolist() == CUSTOMER_SAT_Q1_COUNTS


def test_customer_sat_metadata():
    attrs = load_responses("customer_sat").attrs
    assert attrs["dataset"] == "customer_sat" and attrs["freq"] is None and attrs["n_respondents"] == 1811
    assert attrs["column_labels"]["q1"] == "Overall Satisfaction"
    assert attrs["column_labels"]["q10"] == "Distribution to Right Geographic Areas"
    assert set(attrs["scales"]) == set(attrs["column_labels"]) == set(CUSTOMER_SAT_MEANS)
    assert attrs["scales"]["q5"] == "1 (Poor) to 10 (Excellent)"
    assert attrs["value_labels"]["q3"] == {1: "Poor", 10: "Excellent"}
    assert "bayesm" in attrs["source"] and "Rossi" in attrs["citation"] and "GPL" in attrs["licence"]


def test_expand_does_not_change_respondent_rows():
    pd.testing.assert_frame_equal(load_responses("customer_sat"), load_responses("customer_sat", expand=False))


# --- copenhagen_housing -------------------------------------------------------------------------

def test_housing_table_matches_r():
    table = load_responses("copenhagen_housing", expand=False)
    assert table.shape == (72, 5) and int(table["freq"].sum()) == 1681
    assert list(table.columns) == ["Sat", "Infl", "Type", "Cont", "freq"]
    sat_infl = table.pivot_table(index="Sat", columns="Infl", values="freq", aggfunc="sum", observed=False)
    assert sat_infl.loc[LEVELS, LEVELS].to_numpy().tolist() == HOUSING_SAT_BY_INFL
    type_cont = table.pivot_table(index="Type", columns="Cont", values="freq", aggfunc="sum", observed=False)
    assert {t: type_cont.loc[t, ["Low", "High"]].tolist() for t in HOUSING_TYPE_BY_CONT} == HOUSING_TYPE_BY_CONT


def test_housing_expanded_is_one_row_per_resident():
    df = load_responses("copenhagen_housing")
    assert df.shape == (1681, 4) and "freq" not in df.columns and df.attrs["freq"] is None
    counts = pd.crosstab(df["Sat"], df["Infl"])
    assert counts.loc[LEVELS, LEVELS].to_numpy().tolist() == HOUSING_SAT_BY_INFL
    chi2 = chi2_contingency(counts.to_numpy(), correction=False).statistic
    assert chi2 == pytest.approx(HOUSING_SAT_INFL_CHI2, rel=1e-10)
    assert (df["Sat"] > "Low").sum() == 1681 - (282 + 206 + 79)  # ordered comparison: all but the Low answers


@pytest.mark.parametrize("expand", [True, False])
def test_housing_categoricals(expand):
    df = load_responses("copenhagen_housing", expand=expand)
    for column, levels in {"Sat": LEVELS, "Infl": LEVELS, "Cont": ["Low", "High"]}.items():
        assert df[column].cat.ordered and df[column].cat.categories.tolist() == levels
    assert not df["Type"].cat.ordered
    assert df["Type"].cat.categories.tolist() == ["Tower", "Apartment", "Atrium", "Terrace"]


def test_housing_metadata():
    table = load_responses("copenhagen_housing", expand=False)
    assert table.attrs["freq"] == "freq" and table.attrs["n_respondents"] == 1681
    assert set(table.attrs["column_labels"]) == set(table.attrs["scales"]) == set(table.columns)
    assert table.attrs["scales"]["Sat"] == "Low < Medium < High"
    assert "MASS" in table.attrs["source"] and "Madsen" in table.attrs["citation"]
    expanded = load_responses("copenhagen_housing").attrs
    assert set(expanded["column_labels"]) == {"Sat", "Infl", "Type", "Cont"}


# --- listing, errors, files ---------------------------------------------------------------------

def test_list_responses():
    listing = list_responses().set_index("name")
    assert list(listing.columns) == ["title", "n_rows", "n_respondents", "source", "citation"]
    assert listing.loc["customer_sat", ["n_rows", "n_respondents"]].tolist() == [1811, 1811]
    assert listing.loc["copenhagen_housing", ["n_rows", "n_respondents"]].tolist() == [72, 1681]


def test_unknown_name_lists_the_available_ones():
    with pytest.raises(ValueError, match="'nope'.*available: copenhagen_housing, customer_sat"):
        load_responses("nope")


def test_expand_must_be_bool():
    with pytest.raises(ValueError, match="expand must be True or False"):
        load_responses("copenhagen_housing", expand="no")


def test_loading_leaves_the_files_unchanged():
    before = file_hashes()
    assert len(before) >= 2 * len(DATASETS)  # a data file and a README per dataset
    for name in DATASETS:
        df = load_responses(name)
        fresh = df.copy()
        df.iloc[0, 0] = df.iloc[-1, 0] if df.iloc[0, 0] != df.iloc[-1, 0] else df.iloc[1, 0]
        assert not df.equals(fresh)
        pd.testing.assert_frame_equal(load_responses(name), fresh)  # a change to one frame is not kept
    list_responses()
    assert file_hashes() == before


FIRST_CUSTOMER = "\n2,8,8,2,2,2,2,6,8,6\n"  # line 2 of customer_sat.csv
FIRST_CELL = "\nLow,Low,Tower,Low,21\n"  # line 2 of copenhagen_housing.csv


@pytest.mark.parametrize("name, old, new, message", [
    ("customer_sat", FIRST_CUSTOMER, "\n2,8,8,2,2,2,2,6,8,11\n",
     r"'q10', line 2: '11' is not a whole number from 1 to 10"),
    ("customer_sat", FIRST_CUSTOMER, "\n2,8,8,2,2,2,2,6,8,\n", r"'q10', line 2: '' is not a whole number"),
    ("customer_sat", FIRST_CUSTOMER, "\n", r"holds 1810 respondents; the published dataset has 1811"),
    ("customer_sat", "q1,q2", "Q1,q2", r"customer_sat: .* has columns \['Q1'.*expected exactly \['q1'"),
    ("copenhagen_housing", FIRST_CELL, "\nlow,Low,Tower,Low,21\n", r"'Sat', line 2: 'low' is not one of Low, Medium"),
    ("copenhagen_housing", FIRST_CELL, "\nLow,Low,Tower,Low,-21\n",
     r"'Freq', line 2: '-21' is not a whole number >= 0"),
    ("copenhagen_housing", "\nMedium,Low,Tower,Low,21\n", FIRST_CELL, r"line 3 repeats the cell"),
])
def test_damaged_file_is_an_error_naming_column_and_line(data_copy, name, old, new, message):
    path = data_copy / name / f"{name}.csv"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(DataError, match=message):
        load_responses(name)


def test_missing_file_is_an_error(data_copy):
    (data_copy / "customer_sat" / "customer_sat.csv").unlink()
    with pytest.raises(DataError, match="customer_sat: file .*customer_sat.csv not found"):
        load_responses("customer_sat")
