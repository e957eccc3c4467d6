"""crosstab: letters from column z tests, Pearson and Rao-Scott chi-square against R, DuckDB on files."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from statsmodels.stats.proportion import proportions_ztest

import cxstats

from .conftest import ROOT
from .reference import r_survey_values as R


@pytest.fixture(scope="module")
def sample():
    return pd.read_csv(ROOT / "tests" / "reference" / "survey_sample.csv")


def test_unweighted_chi_square_matches_chisq_test(sample):
    """Without weights the overall test is Pearson's, equal to chisq.test(correct = FALSE)."""
    res = cxstats.crosstab(sample, "region", "segment")
    assert_allclose([res.test.statistic[0], res.test.p_value[0]], [R.PEARSON, R.PEARSON_P], rtol=1e-9)


def test_weighted_chi_square_is_rao_scott(sample):
    """With weights the test is the second-order Rao-Scott F, equal to svychisq(statistic = 'F')."""
    res = cxstats.crosstab(sample, "region", "segment", weight="w")
    t = res.test.iloc[0]
    assert_allclose([t.statistic, t.dof, t.ddf, t.p_value], [R.RS_F, R.RS_NDF, R.RS_DDF, R.RS_F_P], rtol=1e-6)


def test_column_percentages_and_bases(sample):
    """Column percentages are weighted shares within each column; bases count respondents."""
    res = cxstats.crosstab(sample, "region", "segment", weight="w")
    cell = res.table.set_index(["row", "col"]).loc[("North", "A")]
    in_a = sample.segment == "A"
    assert_allclose(cell.col_pct, sample.w[in_a & (sample.region == "North")].sum() / sample.w[in_a].sum())
    assert cell.base == in_a.sum()
    w = sample.w[in_a]
    assert_allclose(cell.n_effective, w.sum() ** 2 / (w**2).sum())


def test_letters_match_independent_z_tests():
    """Planted truth: column C's share is clearly higher; letters equal statsmodels z tests with Holm."""
    rng = np.random.default_rng(11)
    shares = {"A": 0.30, "B": 0.33, "C": 0.60}
    df = pd.DataFrame([(c, rng.random() < p) for c, p in shares.items() for _ in range(400)],
                      columns=["channel", "satisfied"])
    res = cxstats.crosstab(df, "satisfied", "channel")
    cells = res.table.set_index(["row", "col"])
    assert cells.loc[(True, "C"), "higher_than"] == "AB"
    assert cells.loc[(False, "A"), "higher_than"] == "C" and cells.loc[(False, "B"), "higher_than"] == "C"
    # independent check of every pair with statsmodels and a Holm adjustment over the 6 comparisons
    counts = df.groupby("channel").satisfied.agg(["sum", "count"])
    pvals, labels = [], []
    for row_value in (False, True):
        for a, b in [("A", "B"), ("A", "C"), ("B", "C")]:
            x = [counts.loc[a, "sum"], counts.loc[b, "sum"]]
            if not row_value:
                x = [counts.loc[a, "count"] - x[0], counts.loc[b, "count"] - x[1]]
            pvals.append(proportions_ztest(x, [counts.loc[a, "count"], counts.loc[b, "count"]])[1])
            labels.append((row_value, a, b))
    reject = cxstats.adjust_pvalues(pvals, method="holm")["reject"]
    expected = {key for key, r in zip(labels, reject, strict=True) if r}
    assert expected == {(False, "A", "C"), (False, "B", "C"), (True, "A", "C"), (True, "B", "C")}


def test_small_bases_flagged_and_rendered():
    """A column with fewer than 30 respondents is flagged, and the banner HTML shows letters and an asterisk."""
    df = pd.DataFrame({"ok": [1] * 40 + [0] * 40 + [1] * 5 + [0] * 15,
                       "team": ["north"] * 80 + ["south"] * 20})
    res = cxstats.crosstab(df, "ok", "team")
    assert res.table.set_index("col").loc["south", "small_base"].all()
    html = res.to_html()
    assert "<table class='banner'>" in html and "20 *" in html and "Base below 30" in html


def test_file_path_is_aggregated_by_duckdb(sample, tmp_path):
    """A Parquet or CSV path gives the same table and test as the DataFrame."""
    parquet, csv = tmp_path / "s.parquet", tmp_path / "s.csv"
    sample.to_parquet(parquet)
    sample.to_csv(csv, index=False)
    frame = cxstats.crosstab(sample, "region", "segment", weight="w")
    for path in (parquet, csv):
        res = cxstats.crosstab(path, "region", "segment", weight="w")
        assert_allclose(res.table.col_pct, frame.table.col_pct, rtol=1e-12)
        assert res.table.higher_than.tolist() == frame.table.higher_than.tolist()
        assert_allclose(res.test.statistic, frame.test.statistic, rtol=1e-12)


def test_missing_answers_are_counted_not_dropped_silently(sample):
    """Rows with a missing row or column answer are left out and counted."""
    holed = sample.assign(region=sample.region.where(sample.id % 10 != 0))
    res = cxstats.crosstab(holed, "region", "segment")
    assert res.n_missing == 30 and res.table["count"].sum() == 270


@pytest.mark.parametrize("call, message", [
    (lambda d, p: cxstats.crosstab(d, "region", "nope"), r"column\(s\) \['nope'\] not in the data"),
    (lambda d, p: cxstats.crosstab(p, "region", "nope"), r"column\(s\) \['nope'\] not in the file"),
    (lambda d, p: cxstats.crosstab(d.assign(w=-1.0), "region", "segment", weight="w"), "negative"),
    (lambda d, p: cxstats.crosstab(d, "region", "segment", adjust="fdr"), "adjust='fdr' is not valid"),
    (lambda d, p: cxstats.crosstab(d.assign(k="x"), "region", "k"), "at least 2 answers"),
])
def test_crosstab_errors(sample, tmp_path, call, message):
    """Unknown columns (in frames and files), bad weights, bad options and one-column banners are named."""
    path = tmp_path / "s.parquet"
    sample.to_parquet(path)
    with pytest.raises(ValueError, match=message):
        call(sample, path)


def test_cells_equal_a_groupby_across_chunks(sample):
    """The chunked aggregation equals pandas' groupby sums, whatever the chunk size, with missing answers counted."""
    from cxstats.crosstab import _cells_from_frame

    holed = sample.assign(region=sample.region.where(sample.id % 7 != 0),
                          segment=sample.segment.where(sample.id % 11 != 0))
    answered = holed.dropna(subset=["region", "segment"])
    ref = answered.assign(w2=answered.w**2).groupby(["region", "segment"])[["w", "w2"]].agg(["sum", "size"])
    for chunk in (1, 7, 64, 1 << 16):
        cells = _cells_from_frame(holed, "region", "segment", "w", chunk=chunk)
        grid = pd.MultiIndex.from_product([cells.rows, cells.cols])
        expected = ref.reindex(grid, fill_value=0)
        assert_allclose(cells.weighted.ravel(), expected[("w", "sum")], rtol=1e-12)
        assert_allclose(cells.sum_w2.ravel(), expected[("w2", "sum")], rtol=1e-12)
        assert (cells.count.ravel() == expected[("w", "size")]).all()
        assert cells.n_missing == len(holed) - len(answered)


@pytest.mark.parametrize("bad", [-1.0, np.nan, np.inf])
def test_bad_weight_on_an_answered_row_is_named(sample, bad):
    """A negative, missing or infinite weight on an answered row raises and names the row, even when a missing
    weight on an unanswered row shares its chunk; on an unanswered row alone it does not matter."""
    holed = sample.assign(region=sample.region.where(sample.index != 3))
    holed.loc[3, "w"] = np.nan  # unanswered row: left out with its weight
    assert cxstats.crosstab(holed, "region", "segment", weight="w").n_missing == 1
    holed.loc[5, "w"] = bad
    with pytest.raises(ValueError, match=r"weight.*\b5\b"):
        cxstats.crosstab(holed, "region", "segment", weight="w")
